"""The demo data set: deterministic, and telling a coherent story."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import re
from collections import defaultdict
from pathlib import Path
from statistics import median

import pytest
import yaml

from demo import generate_demo
from tests.demo_files import (  # noqa: F401 (demo is a fixture)
    DAYS,
    TODAY,
    TOPICS,
    ahrefs_rows,
    files,
    period_of,
    snapshot_day,
    table,
)

pytestmark = pytest.mark.unit


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
    ahrefs = files(demo, r"backlinks-subdomains")
    assert len(ahrefs) == 6
    assert ahrefs[-1].name.startswith(f"acme-outdoor.com-backlinks-subdomains_{demo.end_date}_")
    for path in demo.files:
        match = re.search(r"\d{4}-\d{2}-\d{2}", path.name)
        day = dt.date.fromisoformat(match[0]) if match else demo.end_date
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()
        assert modified == day, path.name


def test_every_snapshot_is_an_export_of_the_same_links(demo):
    """A link listed by an older Ahrefs export, in whatever format, is in every later one with
    the same first-seen day, and a lost date once given never changes."""
    snapshots = sorted(files(demo, r"backlinks-subdomains"), key=snapshot_day)
    assert len({p.suffix for p in snapshots}) == 2

    def links(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
        out = {}
        for r in table(path):
            source = r.get("Referring page URL") or r["Referring Page URL"]
            target = r.get("Target URL") or r["Link URL"]
            first = (r.get("First seen") or r["First Seen"])[:10]
            lost = (r.get("Lost") or r.get("Day Lost") or "")[:10]
            out[(source, target)] = (first, lost)
        return out

    earlier = links(snapshots[0])
    for path in snapshots[1:]:
        later = links(path)
        assert set(earlier) <= set(later), path.name
        for key, (first, lost) in earlier.items():
            assert later[key][0] == first, (path.name, key)
            if lost:
                assert later[key][1] == lost, (path.name, key)
        earlier = later


def test_ahrefs_domain_rating_history_export_agrees_with_the_weekly_metrics(demo):
    folder = demo.home / "data" / "inbox" / "domain_metrics"
    (path,) = folder.glob("acme-outdoor.com-domain-rating-history_*.csv")
    assert path.name == f"acme-outdoor.com-domain-rating-history_{demo.end_date}.csv"
    rows = table(path)

    assert list(rows[0]) == ["Date", "Domain Rating"]
    assert [r["Date"] for r in rows] == [
        (demo.start_date + dt.timedelta(days=i)).isoformat() for i in range(DAYS)
    ]
    weekly = {
        r["date"]: r["value"]
        for r in csv.DictReader((folder / "domain_metrics.csv").open(encoding="utf-8"))
        if r["domain"] == "acme-outdoor.com" and r["metric"] == "ahrefs_dr"
    }
    daily = {r["Date"]: r["Domain Rating"] for r in rows}
    assert {day: daily[day] for day in weekly} == weekly


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
    assert sum(len(o["key_results"]) for o in objectives) == 15
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
