"""Rank-tracker exports (docs/sources.md §3): long files of one row per keyword and date (Ahrefs
Rank Tracker, AccuRanker, any tool's generic export) and SE Ranking's wide export. Semrush
Position Tracking is declared with the other Semrush formats (`ingest.sources.semrush.formats`)
on `wide_rank_format`; Search Console UI exports land apart (`ingest.sources.gsc.formats`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ingest.inbox.fileformat import FileFormat, Reshaped
from ingest.inbox.files import CsvLayout
from ingest.sources.rank_trackers.files import has_se_ranking_date_columns, reshape_se_ranking

# canonical column -> header aliases of the long exports
RANKING_COLUMNS = {
    "keyword": ["Keyword"],
    "ranking_date": ["Date", "Updated"],
    "position": ["Position", "Rank", "Current position"],
    "url": ["URL", "Current URL", "Landing page"],
    "search_volume": ["Volume", "Search Volume", "Search volume"],
    "tags": ["Tags"],
    "serp_feature": ["SERP features"],
    # Semrush Position Tracking: the domain its columns track (competitors share the file).
    "target_domain": [],
}
RANKING_TYPES = {"ranking_date": "date", "position": "position", "search_volume": "number"}
# Columns only that tool writes (users drop columns in the UIs, so any one of them will do).
# Ahrefs Rank Tracker exports carry Ahrefs' keyword metrics and the previous check; AccuRanker
# names the search engine and locale of each tracked keyword. A long file with neither is generic.
AHREFS_RANK_TRACKER_SIGNATURE = [
    "KD",
    "SERP features",
    "Traffic",
    "Previous position",
    "Position change",
    "Previous URL",
]
ACCURANKER_SIGNATURE = ["Search Engine", "Locale"]
# Wide exports: the date (and position, URL, ...) columns are produced by the format's reshape.
WIDE_RANKING_COLUMNS = {
    "keyword": ["Keyword"],
    "tags": ["Tags"],
    "search_volume": ["Search Volume", "Volume"],
    "url": ["URL", "Landing page"],
    "ranking_date": [],
    "position": [],
    "serp_feature": [],
    "target_domain": [],
}


def long_rank_format(format_id: str, source: str, **kwargs) -> FileFormat:
    # A row needs a keyword and a date; an empty position is "not ranking", so it is only
    # required in the header.
    return FileFormat(
        format_id,
        source,
        "rankings",
        "rankings_tracker",
        RANKING_COLUMNS,
        required=["keyword", "ranking_date"],
        header_only=["position"],
        site_column="url",
        site_required=True,
        types=RANKING_TYPES,
        **kwargs,
    )


def wide_rank_format(
    format_id: str,
    source: str,
    *,
    header_test: Callable[[Sequence[str]], bool],
    reshape: Callable[[CsvLayout], Reshaped],
) -> FileFormat:
    """A wide export: recognised by its date columns (`header_test`), unnested by `reshape`."""
    return FileFormat(
        format_id,
        source,
        "rankings",
        "rankings_tracker",
        WIDE_RANKING_COLUMNS,
        required=["keyword", "ranking_date"],
        header_test=header_test,
        reshape=reshape,
        site_column="url",
        site_required=True,
        types=RANKING_TYPES,
    )


SE_RANKING_WIDE = wide_rank_format(
    "se_ranking_wide",
    "se_ranking",
    header_test=has_se_ranking_date_columns,
    reshape=reshape_se_ranking,
)
AHREFS_RANK_TRACKER = long_rank_format(
    "ahrefs_rank_tracker",
    "ahrefs",
    signature=AHREFS_RANK_TRACKER_SIGNATURE,
    forbidden=ACCURANKER_SIGNATURE,
)
ACCURANKER = long_rank_format("accuranker", "accuranker", signature=ACCURANKER_SIGNATURE)
RANK_TRACKER_LONG = long_rank_format(
    "rank_tracker_long",
    "generic",
    forbidden=[*AHREFS_RANK_TRACKER_SIGNATURE, *ACCURANKER_SIGNATURE],
)
