"""The corpus originals: small vendor exports in each vendor's own layout, built from one data set.

`build()` returns every original as {path relative to CORPUS_DIR: bytes}; the files under
tests/fixtures/corpus/ are its output (`python -m tests.corpus` writes them again, and
tests/test_corpus_resave.py checks that they have not drifted). Everything is literal or derived
by arithmetic from the tables in this package (`data.py` and each writer module): no randomness,
no clock.

The data are chosen for re-save tests: every date column with three or more values has
days-of-month both <= 12 and > 12 (a day-first and a month-first reading tell apart), there are
decimals (UR 12.5, position 4.25, revenue 1234.56), integers >= 1000 (volume 1200, sessions 1500),
percents, booleans, empty cells, lost links, titles and anchors with Windows-1252 letters
(é, ü, ß, –), a comma inside a quoted field and a double quote inside one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.corpus.originals.backlinks import (
    ahrefs_excel,
    ahrefs_legacy,
    ahrefs_utf8,
    majestic,
    moz,
    moz_legacy,
    semrush_backlinks,
)
from tests.corpus.originals.data import RIVAL, SITE
from tests.corpus.originals.rankings import (
    accuranker,
    ahrefs_rank_tracker,
    generic_rankings,
    se_ranking,
    semrush_position_tracking,
)
from tests.corpus.originals.search_console import (
    gsc_compare,
    gsc_custom_range,
    gsc_english,
    gsc_german,
)
from tests.corpus.originals.traffic import ga4_daily, ga4_multi_day_without_date, ga4_single_day


@dataclass(frozen=True)
class Original:
    kind: str  # inbox folder: backlinks, rankings, traffic
    name: str
    format_id: str  # the ingest format id the file should be recognised as
    source: str  # vendor / tool
    site: str
    layout: str  # one line: which published layout it follows
    build: object  # () -> bytes
    expect: str = "load"  # or "reject": a negative fixture

    @property
    def relpath(self) -> str:
        return f"{self.kind}/{self.name}"


ORIGINALS = (
    Original("backlinks", f"{SITE}-backlinks-subdomains_2026-04-18_15-44-46.csv",
             "ahrefs_current", "ahrefs", SITE,
             "Ahrefs Site Explorer backlinks, Excel option (UTF-16 LE BOM, TAB, CRLF)",
             ahrefs_excel),
    Original("backlinks", f"{RIVAL}-backlinks-subdomains_2026-04-18_09-05-12.csv",
             "ahrefs_current", "ahrefs", RIVAL,
             "Ahrefs Site Explorer backlinks, UTF-8 option (comma, LF)", ahrefs_utf8),
    Original("backlinks", f"{SITE}-backlinks-legacy_2026-04-18.csv", "ahrefs_legacy", "ahrefs",
             SITE, "Ahrefs pre-2022 backlinks export (UTF-16 LE BOM, TAB)", ahrefs_legacy),
    Original("backlinks", f"{SITE}-backlinks.csv", "semrush", "semrush", SITE,
             "Semrush Backlink Analytics export (UTF-8 BOM, comma)", semrush_backlinks),
    Original("backlinks", f"{SITE}-moz-inbound-links_2026-04-18.csv", "moz", "moz", SITE,
             "Moz Link Explorer inbound links, current layout, metadata lines", moz),
    Original("backlinks", f"{RIVAL}-moz-inbound-links_2026-04-18.csv", "moz", "moz", RIVAL,
             "Moz Open Site Explorer inbound links, classic layout (N% spam, Yes/No)",
             moz_legacy),
    Original("backlinks", f"{SITE}-majestic-fresh-backlinks_2026-04-18.csv", "majestic",
             "majestic", SITE, "Majestic Site Explorer backlinks export (CamelCase flags)",
             majestic),
    Original("rankings", f"{SITE}-position-tracking-rankings-overview_2026-11-13.csv",
             "semrush_position_tracking", "semrush", SITE,
             "Semrush Position Tracking Rankings Overview, wide", semrush_position_tracking),
    Original("rankings", f"{SITE}-rank-tracker-overview_2026-11-13.csv", "ahrefs_rank_tracker",
             "ahrefs", SITE, "Ahrefs Rank Tracker overview (UTF-16 LE BOM, TAB)",
             ahrefs_rank_tracker),
    Original("rankings", f"{SITE}-accuranker-export_2026-11-13.csv", "accuranker",
             "accuranker", SITE, "AccuRanker keyword export, long", accuranker),
    Original("rankings", f"{SITE}-se-ranking-export_2026-11-13.csv", "se_ranking_wide",
             "se_ranking", SITE, "SE Ranking rankings export, wide DD.MM.YYYY columns",
             se_ranking),
    Original("rankings", f"{SITE}-rank-tracker_2026-11-13.csv", "rank_tracker_long", "generic",
             SITE, "generic long rank-tracker CSV", generic_rankings),
    Original("rankings", f"{SITE}-Performance-on-Search-2026-11-14.zip", "gsc_ui_export", "gsc",
             SITE, "Search Console Performance export zip, English UI", gsc_english),
    Original("rankings", f"{SITE}-Leistung-in-der-Suche-2026-11-14.zip", "gsc_ui_export", "gsc",
             SITE, "Search Console Performance export zip, German UI", gsc_german),
    Original("rankings", f"{SITE}-Performance-on-Search-compare-2026-11-14.zip",
             "gsc_ui_export", "gsc", SITE,
             "Search Console Performance export zip, English UI, Compare mode", gsc_compare),
    Original("rankings", f"{SITE}-Performance-on-Search-2026-11-15.zip", "gsc_ui_export", "gsc",
             SITE, "Search Console export zip, custom range, no Dates.csv", gsc_custom_range),
    Original("traffic", f"{SITE}-ga4-landing-page-daily_2026-11-01_2026-11-14.csv",
             "ga4_export", "ga4_export", SITE,
             "GA4 report download (CSV), Landing page + Date", ga4_daily),
    Original("traffic", f"{SITE}-ga4-landing-page_2026-11-14.csv", "ga4_export", "ga4_export",
             SITE, "GA4 report download (CSV), one day, Landing page + Hostname",
             ga4_single_day),
    Original("traffic", f"{SITE}-ga4-landing-page-week_2026-11-01_2026-11-07.csv", "ga4_export",
             "ga4_export", SITE,
             "GA4 report download (CSV), 7 days without Date (negative fixture)",
             ga4_multi_day_without_date, expect="reject"),
)  # fmt: skip


def build() -> dict[str, bytes]:
    """Every original, {path relative to the corpus folder: bytes}."""
    return {original.relpath: original.build() for original in ORIGINALS}  # type: ignore[operator]


def write(folder: Path) -> list[Path]:
    paths = []
    for relpath, data in build().items():
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths
