"""The demo data set in the vendors' real formats: UI exports, API emulator data, rank trackers."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests.demo_files import (  # noqa: F401 (demo is a fixture)
    AHREFS_COLUMNS,
    AHREFS_LEGACY_HEADER,
    DATETIME,
    DAYS,
    SEMRUSH_COLUMNS,
    TODAY,
    ahrefs_rows,
    files,
    raw_bytes,
    snapshot_day,
    table,
)

pytestmark = pytest.mark.unit


def test_ahrefs_exports_are_utf16_tab_separated_excel_files(demo):
    path = files(demo, r"backlinks-subdomains_")[-1]
    raw = path.read_bytes()

    assert raw.startswith(b"\xff\xfe")
    text = raw.decode("utf-16")
    assert "\r\n" in text and "\t" in text.splitlines()[0]
    rows = ahrefs_rows(path)
    assert set(rows[0]) >= AHREFS_COLUMNS
    for column in ("Content", "Nofollow", "UGC", "Sponsored", "Is spam"):
        assert {r[column] for r in rows} == {"true", "false"}, column
    assert all(DATETIME.match(r["First seen"]) and DATETIME.match(r["Last seen"]) for r in rows)
    lost = [r for r in rows if r["Lost"]]
    assert lost and all(DATETIME.match(r["Lost"]) for r in lost)
    live = len(rows) - len(lost)
    assert 2000 < live < 3500


def test_semrush_exports_overlap_ahrefs_with_url_variants(demo):
    semrush = files(demo, r"^acme-outdoor\.com-backlinks_")
    assert len(semrush) == 3
    raw = semrush[-1].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == SEMRUSH_COLUMNS

    def page(url: str) -> str:
        url = url.split("://", 1)[1].split("?")[0].rstrip("/")
        return url.removeprefix("www.")

    ahrefs = {
        (page(r["Referring page URL"]), page(r["Target URL"]))
        for r in ahrefs_rows(files(demo, r"backlinks-subdomains_")[-1])
    }
    seen_by_both = [r for r in rows if (page(r["Source url"]), page(r["Target url"])) in ahrefs]
    assert 0.4 < len(seen_by_both) / len(ahrefs) < 0.8
    assert any("utm_" in r["Source url"] for r in rows)
    assert any(r["Target url"].endswith("/") and r["Target url"].count("/") > 3 for r in rows)


def test_moz_exports_have_metadata_lines_above_the_header(demo):
    path = files(demo, r"^moz_peak-supply")[-1]
    lines = path.read_text(encoding="utf-8").splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("URL,Title,"))

    assert header_at >= 3
    rows = list(csv.DictReader(lines[header_at:]))
    assert {"Link Type", "Date First Seen", "Date Last Seen", "Date Lost"} <= set(rows[0])
    assert {r["Link Type"] for r in rows} == {"follow", "nofollow"}
    assert all(1 <= int(r["Spam Score"]) <= 100 for r in rows)
    assert any(int(r["Spam Score"]) >= 60 for r in rows)
    assert any(not r["URL"].startswith("http") for r in rows)
    assert any(r["Date Lost"] for r in rows)


def test_majestic_flags_are_empty_when_false(demo):
    majestic = files(demo, r"^majestic_rival-gear\.com_backlinks_")
    assert len(majestic) == 2
    rows = list(csv.DictReader(majestic[-1].open(encoding="utf-8")))

    assert "SourceTrustFlow" in rows[0] and "Source First Found Date" in rows[0]
    for flag in ("FlagNoFollow", "FlagImageLink"):
        values = {r[flag] for r in rows}
        assert "" in values and values - {""}, flag
    flags = [name for name in rows[0] if name.startswith("Flag")]
    assert all(r[name] in ("", "+") for r in rows for name in flags)


def test_the_oldest_ahrefs_snapshot_is_a_legacy_utf16_export(demo):
    (path,) = files(demo, r"backlinks-subdomains-all-links_")
    raw = path.read_bytes()
    assert raw.startswith(b"\xff\xfe") and "\t" in raw.decode("utf-16").splitlines()[0]
    rows = table(path)

    assert list(rows[0])[:14] == AHREFS_LEGACY_HEADER
    assert [int(r["#"]) for r in rows] == list(range(1, len(rows) + 1))
    assert {r["Type"] for r in rows} == {"Dofollow", "Nofollow"}
    assert {r["Backlink Status"] for r in rows} == {"", "lost"}
    assert all(bool(r["Day Lost"]) == (r["Backlink Status"] == "lost") for r in rows)
    day = snapshot_day(path)
    others = [snapshot_day(p) for p in files(demo, r"backlinks-subdomains_")]
    assert day < min(others)


def test_ahrefs_variants_utf8_and_zip_hold_the_current_header(demo):
    current = files(demo, r"backlinks-subdomains_.*\.csv$")
    utf8 = [p for p in current if not p.read_bytes().startswith(b"\xff\xfe")]
    (plain,) = utf8
    raw = plain.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8").splitlines()[0]
    assert header.startswith("Referring page title,Referring page URL,")
    assert set(table(plain)[0]) >= AHREFS_COLUMNS

    (archive,) = files(demo, r"backlinks-subdomains_.*\.zip$")
    with zipfile.ZipFile(archive) as z:
        (member,) = z.infolist()
    assert member.filename == archive.with_suffix(".csv").name
    assert member.date_time[:3] == snapshot_day(archive).timetuple()[:3]
    assert raw_bytes(archive).startswith(b"\xff\xfe")
    assert set(table(archive)[0]) >= AHREFS_COLUMNS


def test_semrush_older_and_zipped_exports(demo):
    semrush = files(demo, r"^acme-outdoor\.com-backlinks_")
    oldest = min(semrush, key=snapshot_day)
    header = list(table(oldest)[0])
    assert header[:2] == ["Page score", "Page trust score"] and "Page ascore" not in header
    assert header[2:] == SEMRUSH_COLUMNS[1:]

    (archive,) = [p for p in semrush if p.suffix == ".zip"]
    with zipfile.ZipFile(archive) as z:
        assert z.namelist() == [archive.with_suffix(".csv").name]
    assert raw_bytes(archive).startswith(b"\xef\xbb\xbf")
    assert list(table(archive)[0]) == SEMRUSH_COLUMNS


def test_old_moz_export_has_yes_no_flags_and_percent_spam_scores(demo):
    (path,) = files(demo, r"^moz-ose_peak-supply")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert not lines[0].startswith("URL,")
    rows = table(path)

    for column in ("Only rel=nofollow", "Followable", "301"):
        assert {r[column] for r in rows} <= {"Yes", "No"}, column
    assert {r["Followable"] for r in rows} == {"Yes", "No"}
    assert all(r["Followable"] != r["Only rel=nofollow"] for r in rows)
    scores = [r["Spam Score"] for r in rows]
    assert all(re.fullmatch(r"\d+%", v) and 1 <= int(v[:-1]) <= 17 for v in scores)
    assert any(int(v[:-1]) >= 11 for v in scores) and any(int(v[:-1]) <= 3 for v in scores)
    assert not {"Date First Seen", "Date Last Seen", "Link Type"} & set(rows[0])
    newer = [p for p in files(demo, r"^moz_peak-supply") if snapshot_day(p) > snapshot_day(path)]
    assert newer and table(newer[0])[0]["Spam Score"].isdigit()


def test_majestic_spaced_header_export_lists_lost_links(demo):
    (path,) = files(demo, r"^majestic_rival-gear\.com_backlinks-historic_")
    rows = table(path)

    assert {
        "Source URL",
        "Target URL",
        "Anchor Text",
        "First Indexed",
        "Last Seen",
        "Date Lost",
        "Flag No Follow",
        "Source Trust Flow",
    } <= set(rows[0])
    assert not any(name.startswith("Flag") and " " not in name for name in rows[0])
    assert any(r["Date Lost"] for r in rows)
    assert {r["Flag No Follow"] for r in rows} == {"", "+"}
    camel = [snapshot_day(p) for p in files(demo, r"^majestic_rival-gear\.com_backlinks_")]
    assert min(camel) < snapshot_day(path) < max(camel)


AHREFS_API_HEADER = (
    "url_from,url_to,title,anchor,domain_rating_source,url_rating_source,is_dofollow,"
    "is_nofollow,is_ugc,is_sponsored,is_content,is_spam,first_seen_link,last_visited,last_seen"
)
SEMRUSH_API_HEADER = (
    "page_ascore,source_title,source_url,target_url,anchor,external_num,internal_num,"
    "first_seen,last_seen,nofollow,sponsored,ugc,text,frame,form,image,sitewide,newlink,lostlink"
)
API_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def test_ahrefs_emulator_backlinks_are_the_links_ahrefs_sees_today(demo):
    folder = demo.home / "data" / "emulator" / "ahrefs" / "backlinks"
    assert sorted(p.name for p in folder.iterdir()) == [
        "acme-outdoor.com.csv",
        "peak-supply.com.csv",
        "rival-gear.com.csv",
    ]
    today = demo.end_date + dt.timedelta(days=1)
    latest = {
        (r["Referring page URL"], r["Target URL"]): r
        for r in ahrefs_rows(files(demo, r"backlinks-subdomains_")[-1])
    }
    for path in sorted(folder.iterdir()):
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[0] == AHREFS_API_HEADER, path.name
        rows = list(csv.DictReader(io.StringIO(text)))
        assert all(r["url_to"].split("/")[2].endswith(path.stem) for r in rows)
        for column in ("is_dofollow", "is_nofollow", "is_ugc", "is_sponsored", "is_content"):
            assert {r[column] for r in rows} == {"true", "false"}, (path.name, column)
        assert all(API_DATETIME.match(r["first_seen_link"]) for r in rows)
        assert all(API_DATETIME.match(r["last_visited"]) for r in rows)
        lost = [r for r in rows if r["last_seen"]]
        assert lost and all(API_DATETIME.match(r["last_seen"]) for r in lost)
        assert all((today - dt.date.fromisoformat(r["last_seen"][:10])).days <= 90 for r in lost)
        keys = [(r["first_seen_link"], r["url_from"], r["url_to"]) for r in rows]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
    site = list(csv.DictReader((folder / "acme-outdoor.com.csv").open(encoding="utf-8")))
    # the site's spam-flagged referring domains, as Ahrefs' `is_spam`
    assert {r["is_spam"] for r in site} == {"true", "false"}
    # Sitewide links share a first-seen time: a client paging by time alone would loop.
    assert max(Counter(r["first_seen_link"] for r in site).values()) >= 10
    for r in site:
        export = latest[(r["url_from"], r["url_to"])]
        assert export["First seen"] == r["first_seen_link"][:19].replace("T", " ")
        assert export["Lost"][:10] == r["last_seen"][:10]
        assert export["Domain rating"] == r["domain_rating_source"]
    live = [r for r in latest.values() if not r["Lost"]]
    assert len(live) == sum(1 for r in site if not r["last_seen"])


def test_ahrefs_emulator_domain_rating_is_daily_for_the_three_domains(demo):
    folder = demo.home / "data" / "emulator" / "ahrefs" / "domain_rating"
    metrics = demo.home / "data" / "inbox" / "domain_metrics" / "domain_metrics.csv"
    weekly = {
        (r["domain"], r["date"]): r["value"]
        for r in csv.DictReader(metrics.open(encoding="utf-8"))
        if r["metric"] == "ahrefs_dr"
    }
    for domain in ("acme-outdoor.com", "rival-gear.com", "peak-supply.com"):
        text = (folder / f"{domain}.csv").read_text(encoding="utf-8")
        assert text.splitlines()[0] == "date,domain_rating"
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["date"] for r in rows] == [
            (demo.start_date + dt.timedelta(days=i)).isoformat() for i in range(DAYS)
        ]
        for r in rows:
            if (domain, r["date"]) in weekly:
                assert r["domain_rating"] == weekly[(domain, r["date"])], (domain, r["date"])


def test_semrush_emulator_backlinks_match_the_latest_export(demo):
    path = demo.home / "data" / "emulator" / "semrush" / "backlinks" / "acme-outdoor.com.csv"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SEMRUSH_API_HEADER
    assert ";" not in text
    rows = list(csv.DictReader(io.StringIO(text)))

    today = demo.end_date + dt.timedelta(days=1)
    for column in ("first_seen", "last_seen"):
        days = [dt.datetime.fromtimestamp(int(r[column]), dt.UTC).date() for r in rows]
        assert min(days) > dt.date(2015, 1, 1) and max(days) <= today, column
    for column in ("nofollow", "text", "image", "sitewide", "newlink", "lostlink"):
        assert {r[column] for r in rows} == {"true", "false"}, column
    export = table(files(demo, r"^acme-outdoor\.com-backlinks_.*\.csv$")[-1])
    first_seen = {(r["Source url"], r["Target url"]): r["First seen"] for r in export}
    shared = [r for r in rows if (r["source_url"], r["target_url"]) in first_seen]
    assert len(shared) > 0.9 * len(first_seen)
    for r in shared:
        day = dt.datetime.fromtimestamp(int(r["first_seen"]), dt.UTC).date().isoformat()
        assert day == first_seen[(r["source_url"], r["target_url"])]


def generic_positions(demo) -> dict[tuple[str, dt.date], int | None]:
    (path,) = files(demo, r"-rankings_")
    return {
        (r["Keyword"], dt.date.fromisoformat(r["Date"])): (
            int(r["Position"]) if r["Position"].isdigit() else None
        )
        for r in csv.DictReader(path.open(encoding="utf-8"))
    }


def test_other_rank_trackers_report_the_same_positions_in_their_own_formats(demo):
    generic = generic_positions(demo)
    (generic_file,) = files(demo, r"-rankings_")
    generic_tags = {
        r["Keyword"]: set(r["Tags"].split(";"))
        for r in csv.DictReader(generic_file.open(encoding="utf-8"))
    }

    semrush = files(demo, r"-position-tracking_")
    assert len(semrush) == 4
    assert semrush[0].read_text(encoding="utf-8-sig").startswith("Position Tracking")
    seen = 0
    for path in semrush:
        for row in table(path):
            assert set(row["Tags"].split(",")) == generic_tags[row["Keyword"]]
            for column, value in row.items():
                match = re.fullmatch(r"\*\.acme-outdoor\.com/\*_(\d{8})", column)
                if match:
                    day = dt.datetime.strptime(match[1], "%Y%m%d").date()
                    expected = generic[(row["Keyword"], day)]
                    assert value == (str(expected) if expected else "-")
                    seen += 1
    assert seen == 4 * 7 * len(generic_tags)

    (se_ranking,) = files(demo, r"-se-ranking_")
    rows = table(se_ranking)
    day_columns = [c for c in rows[0] if re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", c)]
    assert len(day_columns) == 30
    assert day_columns[-1] == demo.end_date.strftime("%d.%m.%Y")
    for row in rows:
        for column in day_columns:
            expected = generic[(row["Keyword"], dt.datetime.strptime(column, "%d.%m.%Y").date())]
            assert row[column] == (str(expected) if expected else "-")

    ahrefs = files(demo, r"-rank-tracker_")
    assert len(ahrefs) == 8
    assert all(p.read_bytes().startswith(codecs.BOM_UTF16_LE) for p in ahrefs)
    for path in ahrefs:
        for row in table(path):
            assert {"KD", "SERP features", "Current position", "Updated"} <= set(row)
            expected = generic[(row["Keyword"], snapshot_day(path))]
            assert row["Current position"] == (str(expected) if expected else "")
            assert row["Updated"].startswith(snapshot_day(path).isoformat())


def search_console_members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


def test_search_console_exports_in_english_and_in_german(demo):
    (english,) = files(demo, r"Performance-on-Search")
    (german,) = files(demo, r"Leistung-in-der-Suche")

    members = search_console_members(english)
    assert set(members) == {
        "Queries.csv",
        "Pages.csv",
        "Dates.csv",
        "Countries.csv",
        "Devices.csv",
        "Filters.csv",
    }
    queries = list(csv.DictReader(io.StringIO(members["Queries.csv"])))
    assert list(queries[0]) == ["Top queries", "Clicks", "Impressions", "CTR", "Position"]
    assert all(re.fullmatch(r"\d+(\.\d+)?%", q["CTR"]) for q in queries)
    dates = list(csv.DictReader(io.StringIO(members["Dates.csv"])))
    assert [d["Date"] for d in dates][-1] == demo.end_date.isoformat()
    assert len(dates) == 28
    # one export, one set of clicks: the reports add up to the same total
    assert sum(int(q["Clicks"]) for q in queries) == sum(int(d["Clicks"]) for d in dates)
    # the site's head terms are among its top queries
    assert {"tents", "camping gear"} <= {q["Top queries"] for q in queries[:10]}

    members = search_console_members(german)
    assert "Chart.csv" in members
    queries = list(csv.DictReader(io.StringIO(members["Queries.csv"]), delimiter=";"))
    assert list(queries[0]) == [
        "Häufigste Suchanfragen",
        "Klicks",
        "Impressionen",
        "CTR",
        "Position",
    ]
    assert all(re.fullmatch(r"\d+(,\d+)? %", q["CTR"]) for q in queries)
    assert any("," in q["Position"] for q in queries)
    chart = list(csv.DictReader(io.StringIO(members["Chart.csv"]), delimiter=";"))
    assert chart[-1]["Datum"] == (demo.end_date - dt.timedelta(days=28)).isoformat()
