"""The demo data set: deterministic, in the vendors' real formats, and telling a coherent story."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from collections import defaultdict
from pathlib import Path
from statistics import median

import pytest
import yaml

from ingest.demo import DemoManifest, generate_demo

TODAY = dt.date(2026, 11, 6)
DAYS = 180
TOPICS = ("camping", "hiking", "tent", "outdoor")
AHREFS_COLUMNS = {
    "Referring page title",
    "Referring page URL",
    "Domain rating",
    "UR",
    "Target URL",
    "Left context",
    "Anchor",
    "Right context",
    "Type",
    "Content",
    "Nofollow",
    "UGC",
    "Sponsored",
    "First seen",
    "Last seen",
    "Lost",
    "Is spam",
}
SEMRUSH_COLUMNS = [
    "Page ascore",
    "Source title",
    "Source url",
    "Target url",
    "Anchor",
    "External links",
    "Internal links",
    "Nofollow",
    "Sponsored",
    "Ugc",
    "Text",
    "Frame",
    "Form",
    "Image",
    "Sitewide",
    "First seen",
    "Last seen",
    "New link",
    "Lost link",
]
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> DemoManifest:
    return generate_demo(tmp_path_factory.mktemp("home"), days=DAYS, today=TODAY)


def files(manifest: DemoManifest, pattern: str) -> list[Path]:
    return sorted(p for p in manifest.files if re.search(pattern, p.name))


def ahrefs_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-16")), delimiter="\t"))


def period_of(end_date: dt.date) -> tuple[dt.date, dt.date]:
    anchor = end_date - dt.timedelta(days=50)
    start = anchor.replace(day=1)
    month = start.month + 2
    year = start.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return start, dt.date(year, month, calendar.monthrange(year, month)[1])


def test_the_same_arguments_write_byte_identical_files_with_fixed_mtimes(tmp_path, demo):
    again = generate_demo(tmp_path / "again", days=DAYS, today=TODAY)

    first = {p.relative_to(demo.home): p for p in demo.files}
    second = {p.relative_to(again.home): p for p in again.files}
    assert sorted(first) == sorted(second)
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes(), name
        assert path.stat().st_mtime == second[name].stat().st_mtime, name
    written = {p for p in (tmp_path / "again").rglob("*") if p.is_file()}
    assert written == set(again.files)


def test_history_ends_yesterday_and_covers_the_requested_days(demo):
    assert demo.end_date == TODAY - dt.timedelta(days=1)
    assert demo.start_date == demo.end_date - dt.timedelta(days=DAYS - 1)

    ga4 = demo.home / "data" / "emulator" / "ga4" / "123456789.csv"
    dates = {row["date"] for row in csv.DictReader(ga4.open(encoding="utf-8"))}
    assert min(dates) == demo.start_date.strftime("%Y%m%d")
    assert max(dates) == demo.end_date.strftime("%Y%m%d")
    (rankings,) = files(demo, r"rankings")
    rank_dates = {row["Date"] for row in csv.DictReader(rankings.open(encoding="utf-8"))}
    assert len(rank_dates) == DAYS
    assert max(rank_dates) == demo.end_date.isoformat()


def test_snapshot_files_are_dated_by_name_and_modification_time(demo):
    ahrefs = files(demo, r"backlinks-subdomains_")
    assert len(ahrefs) == 6
    assert ahrefs[-1].name.startswith(f"acme-outdoor.com-backlinks-subdomains_{demo.end_date}_")
    for path in demo.files:
        match = re.search(r"\d{4}-\d{2}-\d{2}", path.name)
        day = dt.date.fromisoformat(match[0]) if match else demo.end_date
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()
        assert modified == day, path.name


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
    assert len(semrush) == 2
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
    majestic = files(demo, r"^majestic_rival-gear")
    assert len(majestic) == 2
    rows = list(csv.DictReader(majestic[-1].open(encoding="utf-8")))

    assert "SourceTrustFlow" in rows[0] and "Source First Found Date" in rows[0]
    for flag in ("FlagNoFollow", "FlagImageLink"):
        values = {r[flag] for r in rows}
        assert "" in values and values - {""}, flag
    flags = [name for name in rows[0] if name.startswith("Flag")]
    assert all(r[name] in ("", "+") for r in rows for name in flags)


def test_competitors_share_referring_domains_and_leave_a_link_gap(demo):
    def domain(url: str) -> str:
        host = url.split("://")[-1].split("/")[0].removeprefix("www.").removeprefix("blog.")
        return host

    site = {
        domain(r["Referring page URL"])
        for r in ahrefs_rows(files(demo, r"backlinks-subdomains_")[-1])
    }
    rival = {
        domain(r["Source URL"])
        for r in csv.DictReader(files(demo, r"^majestic_")[-1].open(encoding="utf-8"))
    }
    lines = files(demo, r"^moz_")[-1].read_text(encoding="utf-8").splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("URL,"))
    peak = {domain(r["URL"]) for r in csv.DictReader(lines[header_at:])}

    assert len(rival & site) > 100 and len(peak & site) > 80 and rival & peak
    assert len((rival | peak) - site) > 100


def test_rankings_have_one_row_per_keyword_and_day(demo):
    (path,) = files(demo, r"rankings")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))

    assert list(rows[0]) == ["Keyword", "Tags", "Date", "Position", "URL", "Search Volume"]
    keywords = {r["Keyword"] for r in rows}
    assert 70 <= len(keywords) <= 90
    assert len(rows) == len(keywords) * DAYS
    assert {"tents", "backpacks", "camping gear", "hiking boots", "sleeping bags"} <= keywords
    tags = {t for r in rows for t in r["Tags"].split(";")}
    assert {"product", "guide", "head", "brand"} <= tags
    not_ranking = {r["Position"] for r in rows if not r["Position"].isdigit()}
    assert not_ranking and not_ranking <= {"", "-", ">100"}


def test_domain_metrics_are_weekly_for_the_site_and_competitors(demo):
    path = demo.home / "data" / "inbox" / "domain_metrics" / "domain_metrics.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))

    assert {(r["domain"], r["metric"]) for r in rows} == {
        (d, m)
        for d in ("acme-outdoor.com", "rival-gear.com", "peak-supply.com")
        for m in ("ahrefs_dr", "moz_da")
    }
    site_dr = [
        (r["date"], int(r["value"]))
        for r in rows
        if r["domain"] == "acme-outdoor.com" and r["metric"] == "ahrefs_dr"
    ]
    assert site_dr[-1][0] == demo.end_date.isoformat()
    assert site_dr[0][1] < 42 < site_dr[-1][1] <= 48


def test_demo_config_has_the_seed_objectives_in_a_period_half_way_through(demo):
    config = yaml.safe_load((demo.home / "linkokr.yml").read_text(encoding="utf-8"))
    (site,) = config["sites"]
    objectives = site["objectives"]
    start, end = period_of(demo.end_date)

    assert [o["id"] for o in objectives] == [
        "authority",
        "displacement",
        "amplification",
        "revenue",
    ]
    assert sum(len(o["key_results"]) for o in objectives) == 12
    assert all(o["period"] == {"start": start, "end": end} for o in objectives)
    assert 14 < (demo.end_date - start).days < (end - start).days
    (domains,) = [kr for kr in objectives[0]["key_results"] if kr["id"] == "referring-domains"]
    first_month_end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    assert domains["milestones"][0] == {"date": first_month_end, "value": 880}
    assert start < domains["milestones"][1]["date"] < end
    assert site["competitors"] == ["rival-gear.com", "peak-supply.com"]


def test_the_committed_config_keeps_its_own_period():
    committed = Path(__file__).parents[1] / "linkokr.yml"
    config = yaml.safe_load(committed.read_text(encoding="utf-8"))

    periods = {(o["period"]["start"], o["period"]["end"]) for o in config["sites"][0]["objectives"]}
    assert periods == {(dt.date(2026, 10, 1), dt.date(2026, 12, 31))}


def test_pages_that_win_tier_1_links_gain_more_organic_sessions_than_the_site(demo):
    """A followed, contextual, relevant link from a DR 60+ domain lifts its page's organic
    sessions a few weeks later by more than the site-wide trend over the same weeks."""
    sessions: dict[tuple[str, dt.date], int] = defaultdict(int)
    site: dict[dt.date, int] = defaultdict(int)
    ga4 = demo.home / "data" / "emulator" / "ga4" / "123456789.csv"
    for row in csv.DictReader(ga4.open(encoding="utf-8")):
        if row["sessionDefaultChannelGroup"] == "Organic Search":
            day = dt.datetime.strptime(row["date"], "%Y%m%d").date()
            sessions[(row["landingPagePlusQueryString"].split("?")[0], day)] += int(row["sessions"])
            site[day] += int(row["sessions"])

    def total(page: str | None, first: dt.date) -> int:
        days = [first + dt.timedelta(days=i) for i in range(28)]
        return sum(site[d] if page is None else sessions[(page, d)] for d in days)

    lifts, site_lifts = [], []
    for r in ahrefs_rows(files(demo, r"backlinks-subdomains_")[-1]):
        won = dt.date.fromisoformat(r["First seen"][:10])
        tier_1 = (
            int(r["Domain rating"]) >= 60
            and r["Content"] == "true"
            and r["Type"] == "text"
            and "true" not in (r["Nofollow"], r["UGC"], r["Sponsored"], r["Is spam"])
            and any(
                t in (r["Referring page title"] + r["Referring page URL"] + r["Anchor"]).lower()
                for t in TOPICS
            )
        )
        before, after = won - dt.timedelta(days=28), won + dt.timedelta(days=21)
        if not tier_1 or before < demo.start_date or after + dt.timedelta(27) > demo.end_date:
            continue
        page = "/" + r["Target URL"].split("/", 3)[3]
        lifts.append(total(page, after) / total(page, before) - 1)
        site_lifts.append(total(None, after) / total(None, before) - 1)

    assert len(lifts) >= 4
    assert median(lifts) > median(site_lifts) + 0.05
    assert sum(a > b for a, b in zip(lifts, site_lifts, strict=True)) / len(lifts) >= 0.75


def test_a_rerun_for_another_day_replaces_the_earlier_demo_snapshots(tmp_path):
    home = tmp_path / "home"
    generate_demo(home, days=60, today=TODAY)
    manifest = generate_demo(home, days=60, today=TODAY + dt.timedelta(days=9))

    on_disk = {p for p in home.rglob("*") if p.is_file()}
    assert on_disk == set(manifest.files)
