"""Generate the deterministic demo data set under a linkokr home.

`generate_demo(home)` writes the demo config and every input the pipeline reads — vendor
backlink exports in every supported format (zips included), rank exports (the complete daily
generic series plus Semrush Position Tracking, SE Ranking, Ahrefs Rank Tracker and Search Console
UI exports), domain metrics and Ahrefs' domain-rating history in the inbox, and the GA4, Ahrefs
and Semrush emulators' data — for a history ending yesterday. The same `(days, today, seed)`
always gives byte-identical files with the same modification times, so tests and benchmarks can
rely on it.
"""

from __future__ import annotations

import calendar
import logging
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from demo.gsc import write_gsc_emulator_data
from demo.links import build_world
from demo.rank_files import (
    write_ahrefs_rank_tracker,
    write_se_ranking,
    write_search_console_export,
    write_semrush_position_tracking,
)
from demo.story import (
    COMPETITORS,
    GA4_PROPERTY_ID,
    SITE,
    Export,
    World,
    add_months,
    period_for,
)
from demo.vendors import (
    LinkFacts,
    ahrefs_excel_bytes,
    semrush_bytes,
    write_ahrefs,
    write_ahrefs_api,
    write_ahrefs_dr_api,
    write_ahrefs_legacy,
    write_ahrefs_utf8,
    write_domain_metrics,
    write_dr_history,
    write_ga4,
    write_majestic,
    write_majestic_spaced,
    write_moz,
    write_moz_legacy,
    write_rankings,
    write_semrush,
    write_semrush_api,
    write_zip,
)
from orchestration.shipped import EXAMPLE_CONFIG, shipped

log = logging.getLogger(__name__)

# the repository's linkokr.yml, or the copy a wheel ships (orchestration.shipped)
REPO_CONFIG = shipped(EXAMPLE_CONFIG)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_PERIOD_START = re.compile(r"period:\s*\{\s*start:\s*\"?(\d{4}-\d{2}-\d{2})")
# Names of every file the demo writes, so a re-run with another `today` replaces its own
# earlier files instead of leaving two overlapping histories in the inbox.
_DEMO_NAMES = re.compile(
    rf"^({re.escape(SITE)}-backlinks(-subdomains(-all-links)?)?_[\d_-]+\.(csv|zip)"
    rf"|majestic_rival-gear\.com_backlinks(-historic)?_[\d-]+\.csv"
    rf"|(moz|moz-ose)_peak-supply\.com_inbound-links_[\d-]+\.csv"
    rf"|{re.escape(SITE)}-domain-rating-history_[\d-]+\.csv"
    rf"|{re.escape(SITE)}-rankings_[\d-]+\.csv"
    rf"|{re.escape(SITE)}-(position-tracking|se-ranking|rank-tracker)_[\d-]+\.csv"
    rf"|{re.escape(SITE)}-(Performance-on-Search|Leistung-in-der-Suche)-[\d-]+\.zip)$"
)
# Which rank exports the demo writes besides the complete daily generic series: weekly Semrush
# Position Tracking exports of the last weeks, one SE Ranking export of the last month, weekly
# Ahrefs Rank Tracker snapshots, and two Search Console UI exports of 28 days each.
SEMRUSH_PT_WEEKS = 4
SE_RANKING_DAYS = 30
AHREFS_RANK_TRACKER_WEEKS = 8
SEARCH_CONSOLE_EXPORT_DAYS = 28


@dataclass(frozen=True)
class DemoManifest:
    home: Path
    start_date: date  # first day of history
    end_date: date  # last day of history: today - 1
    site: str
    competitors: tuple[str, ...]
    ga4_property_id: str
    files: tuple[Path, ...]  # every file written


def generate_demo(
    home: Path, *, days: int = 180, today: date | None = None, seed: int = 42
) -> DemoManifest:
    """Write the demo config and inputs under `home` for `days` days ending yesterday."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    today = today or date.today()
    end = today - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    home = Path(home).resolve()
    log.info("generating %d days of demo data (%s .. %s) under %s", days, start, end, home)

    world = build_world(end, days, seed)
    facts = LinkFacts(world, seed)
    backlinks = home / "data" / "inbox" / "backlinks"
    rankings = home / "data" / "inbox" / "rankings"
    metrics = home / "data" / "inbox" / "domain_metrics"
    emulator = home / "data" / "emulator"
    ga4 = emulator / "ga4"
    ahrefs_backlinks = emulator / "ahrefs" / "backlinks"
    ahrefs_dr = emulator / "ahrefs" / "domain_rating"
    semrush_backlinks = emulator / "semrush" / "backlinks"
    folders = (backlinks, rankings, metrics, ga4, ahrefs_backlinks, ahrefs_dr, semrush_backlinks)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_earlier_demo_files(folder)

    written: list[tuple[Path, date]] = []
    config = home / "linkokr.yml"
    config.write_text(
        with_history_start(shift_config(REPO_CONFIG.read_text(encoding="utf-8"), end), start),
        encoding="utf-8",
    )
    written.append((config, end))

    clock = _SnapshotClock(seed)
    for export in world.exports:
        path = _write_export(world, facts, export, backlinks, clock)
        written.append((path, export.day))

    path = rankings / f"{SITE}-rankings_{end}.csv"
    write_rankings(world, seed, path)
    written.append((path, end))
    written += _write_rank_exports(world, seed, rankings)
    path = metrics / "domain_metrics.csv"
    write_domain_metrics(world, seed, path)
    written.append((path, end))
    path = metrics / f"{SITE}-domain-rating-history_{end}.csv"
    write_dr_history(world, seed, path)
    written.append((path, end))
    for path in write_ga4(world, seed, ga4):
        written.append((path, end))

    # The Ahrefs and Semrush emulators answer as the APIs would on `today`.
    for site in (SITE, *COMPETITORS):
        path = ahrefs_backlinks / f"{site}.csv"
        write_ahrefs_api(world, facts, site, today, path)
        written.append((path, end))
    for path in write_ahrefs_dr_api(world, seed, ahrefs_dr):
        written.append((path, end))
    path = semrush_backlinks / f"{SITE}.csv"
    write_semrush_api(world, facts, today, path)
    written.append((path, end))
    # The Search Console emulator serves the site's daily query x page rows.
    for path in write_gsc_emulator_data(world, emulator, seed=seed):
        written.append((path, end))

    for path, snapshot in written:
        _set_mtime(path, snapshot)
    log.info("wrote %d demo files", len(written))
    return DemoManifest(
        home=home,
        start_date=start,
        end_date=end,
        site=SITE,
        competitors=COMPETITORS,
        ga4_property_id=GA4_PROPERTY_ID,
        files=tuple(path for path, _ in written),
    )


def shift_config(text: str, end_date: date) -> str:
    """The config text with every date moved by whole months so that the (first) objective
    period starts on the demo's period start. Month ends stay month ends, so a quarter stays a
    quarter and an end-of-month milestone stays one; comments and layout are kept."""
    starts = [date.fromisoformat(m) for m in _PERIOD_START.findall(text)]
    if not starts:
        return text
    new_start, _ = period_for(end_date)
    first = min(starts)
    months = (new_start.year - first.year) * 12 + new_start.month - first.month

    def moved(match: re.Match[str]) -> str:
        day = date(int(match[1]), int(match[2]), int(match[3]))
        shifted = add_months(day, months)
        if day.day == calendar.monthrange(day.year, day.month)[1]:
            shifted = shifted.replace(day=calendar.monthrange(shifted.year, shifted.month)[1])
        return shifted.isoformat()

    return _ISO_DATE.sub(moved, text)


def with_history_start(text: str, start: date) -> str:
    """The config text with `settings.history_start` set to the demo's first day: the demo
    pulls its whole history from the emulators, which goes back further than its objectives
    alone would start the day partitions (orchestration.partitions.history_start)."""
    line = f"  history_start: {start.isoformat()}  # the demo's first day of history\n"
    if re.search(r"^settings:[ \t]*\n", text, flags=re.M):
        return re.sub(r"^settings:[ \t]*\n", lambda m: m[0] + line, text, count=1, flags=re.M)
    return f"settings:\n{line}{text}"


def _window(world: World, last: date, days: int) -> list[date]:
    """The `days` days ending on `last`, cut at the start of the history."""
    return [
        d for d in (last - timedelta(days=days - 1 - i) for i in range(days)) if d >= world.start
    ]


def _write_rank_exports(world: World, seed: int, folder: Path) -> list[tuple[Path, date]]:
    """The rank files of the other trackers and Search Console's UI: (path, day) each."""
    end = world.end
    written: list[tuple[Path, date]] = []
    for week in range(SEMRUSH_PT_WEEKS):
        days = _window(world, end - timedelta(days=7 * week), 7)
        if days:
            path = folder / f"{SITE}-position-tracking_{days[-1]}.csv"
            write_semrush_position_tracking(world, seed, days, path)
            written.append((path, days[-1]))
    days = _window(world, end, SE_RANKING_DAYS)
    path = folder / f"{SITE}-se-ranking_{end}.csv"
    write_se_ranking(world, days, path)
    written.append((path, end))
    for week in range(AHREFS_RANK_TRACKER_WEEKS):
        day = end - timedelta(days=7 * week)
        if day >= world.start:
            path = folder / f"{SITE}-rank-tracker_{day}.csv"
            write_ahrefs_rank_tracker(world, seed, day, path)
            written.append((path, day))
    days = _window(world, end, SEARCH_CONSOLE_EXPORT_DAYS)
    path = folder / f"{SITE}-Performance-on-Search-{end}.zip"
    write_search_console_export(world, seed, days, path)
    written.append((path, end))
    days = _window(
        world, end - timedelta(days=SEARCH_CONSOLE_EXPORT_DAYS), SEARCH_CONSOLE_EXPORT_DAYS
    )
    if days:
        path = folder / f"{SITE}-Leistung-in-der-Suche-{days[-1]}.zip"
        write_search_console_export(world, seed, days, path, locale="de")
        written.append((path, days[-1]))
    return written


def _write_export(
    world: World, facts: LinkFacts, export: Export, folder: Path, clock: _SnapshotClock
) -> Path:
    """Write one backlink snapshot under the name its vendor gives it; returns the path."""
    day, site = export.day, export.site
    match (export.vendor, export.style):
        case ("ahrefs", "legacy"):
            path = folder / f"{site}-backlinks-subdomains-all-links_{day}_{clock.time_of(day)}.csv"
            write_ahrefs_legacy(world, facts, day, path)
        case ("ahrefs", "utf8"):
            path = folder / f"{site}-backlinks-subdomains_{day}_{clock.time_of(day)}.csv"
            write_ahrefs_utf8(world, facts, day, path)
        case ("ahrefs", "zip"):
            name = f"{site}-backlinks-subdomains_{day}_{clock.time_of(day)}"
            path = folder / f"{name}.zip"
            write_zip(path, f"{name}.csv", ahrefs_excel_bytes(world, facts, day), day)
        case ("ahrefs", _):
            path = folder / f"{site}-backlinks-subdomains_{day}_{clock.time_of(day)}.csv"
            write_ahrefs(world, facts, day, path)
        case ("semrush", "zip"):
            path = folder / f"{site}-backlinks_{day}.zip"
            write_zip(path, f"{site}-backlinks_{day}.csv", semrush_bytes(world, facts, day), day)
        case ("semrush", style):
            path = folder / f"{site}-backlinks_{day}.csv"
            write_semrush(world, facts, day, path, legacy=style == "legacy")
        case ("majestic", "spaced"):
            path = folder / f"majestic_{site}_backlinks-historic_{day}.csv"
            write_majestic_spaced(world, facts, site, day, path)
        case ("majestic", _):
            path = folder / f"majestic_{site}_backlinks_{day}.csv"
            write_majestic(world, facts, site, day, path)
        case ("moz", "legacy"):
            path = folder / f"moz-ose_{site}_inbound-links_{day}.csv"
            write_moz_legacy(world, facts, site, day, path)
        case ("moz", _):
            path = folder / f"moz_{site}_inbound-links_{day}.csv"
            write_moz(world, facts, site, day, path)
        case _:
            raise ValueError(f"no writer for {export}")
    return path


class _SnapshotClock:
    """The time of day in Ahrefs file names: fixed per snapshot date and seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def time_of(self, day: date) -> str:
        value = (day.toordinal() * 7919 + self.seed * 104729) % 86400
        return f"{value // 3600:02d}-{value // 60 % 60:02d}-{value % 60:02d}"


def _remove_earlier_demo_files(folder: Path) -> None:
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.is_symlink() and _DEMO_NAMES.match(path.name):
            path.unlink()


def _set_mtime(path: Path, day: date) -> None:
    # Noon UTC keeps the local modification date equal to `day` in every time zone from
    # UTC-11 to UTC+11, for the readers that take a snapshot date from the mtime.
    stamp = calendar.timegm(datetime.combine(day, time(12)).timetuple())
    os.utime(path, (stamp, stamp))
