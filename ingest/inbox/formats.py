"""The file formats linkokr accepts, declared once: header aliases per canonical column.

Each format names the raw table it lands in and the columns that identify it. A vendor is
recognised from the header: its source- and target-URL columns plus at least one column only
that vendor writes. An unknown header is a rejection, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.inbox.files import CsvLayout, normalize_header
from ingest.sources.ga4.files import GA4_DOWNLOAD_COLUMNS, reshape_ga4_download
from ingest.sources.rank_trackers.files import (
    GSC_COMBINED_COLUMNS,
    Reshaped,
    combine_search_console_export,
    has_se_ranking_date_columns,
    has_semrush_date_columns,
    is_search_console_member,
    refuse_search_console_member,
    reshape_se_ranking,
    reshape_semrush_position_tracking,
)


@dataclass(frozen=True)
class FileFormat:
    format_id: str  # e.g. ahrefs_current, recorded as `_format`
    source: str  # vendor / tool id, recorded as `_source` and in the ledger
    kind: str  # inbox folder: backlinks, rankings, domain_metrics, traffic
    table: str  # raw table name (schema raw)
    columns: Mapping[str, Sequence[str]]  # canonical column -> header aliases
    required: Sequence[str]  # canonical columns that must be present
    signature: Sequence[str] = ()  # at least one of these header names must be present
    forbidden: Sequence[str] = ()  # none of these may be present (tells look-alikes apart)
    site_column: str | None = None  # canonical column whose registrable domain names the site
    site_from_name: bool = False  # no URL column: the site is the domain in the file name
    raw_columns: Sequence[str] = field(default=())  # all columns of the raw table (union per table)
    # Canonical columns the header must have although a row may leave them empty (a rank file's
    # position: empty is "not ranking", not a broken row).
    header_only: Sequence[str] = ()
    # A further test on the normalized header names (wide formats: their date columns).
    header_test: Callable[[Sequence[str]], bool] | None = None
    # Wide formats: their own SELECT producing the canonical columns
    # (ingest.sources.rank_trackers.files). Columns with no aliases are produced by it and not
    # looked for in the header.
    reshape: Callable[[CsvLayout], Reshaped] | None = None
    # The file must name a site: else the domain in its file name, else it is rejected.
    site_required: bool = False
    # Canonical columns holding dates, numbers or booleans (ingest.inbox.values kinds): how each
    # reads is decided per file from its values, and the raw view presents them in canonical form.
    types: Mapping[str, str] = field(default_factory=dict)

    def matches(self, names: Sequence[str]) -> bool:
        present = set(names)

        def has(aliases: Sequence[str]) -> bool:
            return any(normalize_header(a) in present for a in aliases)

        in_header = [c for c in (*self.required, *self.header_only) if self.columns[c]]
        return (
            all(has(self.columns[c]) for c in in_header)
            and (not self.signature or has(self.signature))
            and not has(self.forbidden)
            and (self.header_test is None or self.header_test(names))
        )


AHREFS_COLUMNS = {
    "referring_page_url": ["Referring page URL"],
    "referring_page_title": ["Referring page title"],
    "domain_rating": ["Domain rating"],
    "url_rating": ["UR", "URL Rating"],
    "target_url": ["Target URL", "Link URL"],
    "anchor": ["Anchor", "Link Anchor"],
    "left_context": ["Left context", "TextPre"],
    "right_context": ["Right context", "TextPost"],
    "link_type": ["Type"],
    "content": ["Content"],
    "nofollow": ["Nofollow"],
    "ugc": ["UGC"],
    "sponsored": ["Sponsored"],
    "first_seen": ["First seen"],
    "last_seen": ["Last seen", "Last Check"],
    "lost": ["Lost", "Day Lost"],
    "lost_status": ["Lost status", "Backlink Status"],
    "is_spam": ["Is spam"],
    "links_in_group": ["Links in group"],
    "language": ["Language"],
}

AHREFS_TYPES = {
    "domain_rating": "number",
    "url_rating": "number",
    "content": "bool",
    "nofollow": "bool",
    "ugc": "bool",
    "sponsored": "bool",
    "is_spam": "bool",
    "links_in_group": "number",
    "first_seen": "date",
    "last_seen": "date",
    "lost": "date",
}

SEMRUSH_COLUMNS = {
    "page_ascore": ["Page ascore", "Page score"],
    "page_trust_score": ["Page trust score"],
    "source_title": ["Source title"],
    "source_url": ["Source url"],
    "target_url": ["Target url"],
    "anchor": ["Anchor"],
    "external_links": ["External links"],
    "internal_links": ["Internal links"],
    "nofollow": ["Nofollow"],
    "sponsored": ["Sponsored"],
    "ugc": ["Ugc"],
    "text": ["Text"],
    "frame": ["Frame"],
    "form": ["Form"],
    "image": ["Image"],
    "sitewide": ["Sitewide"],
    "first_seen": ["First seen"],
    "last_seen": ["Last seen"],
    "new_link": ["New link"],
    "lost_link": ["Lost link"],
}

SEMRUSH_TYPES = {
    "page_ascore": "number",
    "page_trust_score": "number",
    "external_links": "number",
    "internal_links": "number",
    **{
        flag: "bool"
        for flag in (
            "nofollow",
            "sponsored",
            "ugc",
            "text",
            "frame",
            "form",
            "image",
            "sitewide",
            "new_link",
            "lost_link",
        )
    },
    "first_seen": "date",
    "last_seen": "date",
}

MAJESTIC_COLUMNS = {
    "target_url": ["Target URL"],
    "source_url": ["Source URL"],
    "anchor_text": ["Anchor Text"],
    "source_title": ["Source Title", "Title"],
    "source_crawl_date": ["Source Crawl Date", "Last Crawled"],
    "source_first_found_date": ["Source First Found Date", "First Indexed"],
    "last_seen": ["Last Seen"],
    "date_lost": ["Date Lost"],
    "flag_no_follow": ["FlagNoFollow"],
    "flag_image_link": ["FlagImageLink"],
    "flag_redirect": ["FlagRedirect"],
    "flag_frame": ["FlagFrame"],
    "flag_old_crawl": ["FlagOldCrawl"],
    "flag_alt_text": ["FlagAltText"],
    "flag_mention": ["FlagMention"],
    "flag_deleted": ["FlagDeleted"],
    "source_citation_flow": ["SourceCitationFlow"],
    "source_trust_flow": ["SourceTrustFlow"],
    "source_topic": ["SourceTopicalTrustFlow_Topic_0"],
}

# Majestic's flags are not booleans: empty is false, anything else true (staging reads them).
MAJESTIC_TYPES = {
    "source_crawl_date": "date",
    "source_first_found_date": "date",
    "last_seen": "date",
    "date_lost": "date",
    "source_citation_flow": "number",
    "source_trust_flow": "number",
}

MOZ_COLUMNS = {
    "url": ["URL", "Source URL"],
    "title": ["Title"],
    "anchor_text": ["Anchor Text"],
    "spam_score": ["Spam Score"],
    "page_authority": ["Page Authority"],
    "domain_authority": ["Domain Authority"],
    "target_url": ["Target URL"],
    "link_type": ["Link Type"],
    "only_rel_nofollow": ["Only rel=nofollow"],
    "followable": ["Followable"],
    "redirect_301": ["301"],
    "date_first_seen": ["Date First Seen"],
    "date_last_seen": ["Date Last Seen"],
    "date_lost": ["Date Lost"],
}

MOZ_TYPES = {
    "spam_score": "percent",
    "page_authority": "number",
    "domain_authority": "number",
    "only_rel_nofollow": "bool",
    "followable": "bool",
    "redirect_301": "bool",
    "date_first_seen": "date",
    "date_last_seen": "date",
    "date_lost": "date",
}

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

DOMAIN_METRIC_COLUMNS = {
    "metric_date": ["date"],
    "domain": ["domain"],
    "metric": ["metric"],
    "value": ["value"],
}
DOMAIN_METRIC_TYPES = {"metric_date": "date", "value": "number"}

BACKLINK_FORMATS = (
    FileFormat(
        "ahrefs_legacy",
        "ahrefs",
        "backlinks",
        "backlinks_ahrefs",
        AHREFS_COLUMNS,
        required=["referring_page_url", "target_url"],
        signature=["Link URL", "Backlink Status"],
        site_column="target_url",
        types=AHREFS_TYPES,
    ),
    FileFormat(
        "ahrefs_current",
        "ahrefs",
        "backlinks",
        "backlinks_ahrefs",
        AHREFS_COLUMNS,
        required=["referring_page_url", "target_url"],
        signature=["Domain rating", "UR", "Referring page title", "Left context"],
        site_column="target_url",
        types=AHREFS_TYPES,
    ),
    FileFormat(
        "semrush",
        "semrush",
        "backlinks",
        "backlinks_semrush",
        SEMRUSH_COLUMNS,
        required=["source_url", "target_url"],
        signature=[
            "Page ascore",
            "Page score",
            "Page trust score",
            "Sitewide",
            "New link",
            "Lost link",
            "External links",
            "Source title",
        ],
        forbidden=["FlagNoFollow", "SourceTrustFlow"],
        site_column="target_url",
        types=SEMRUSH_TYPES,
    ),
    FileFormat(
        "majestic",
        "majestic",
        "backlinks",
        "backlinks_majestic",
        MAJESTIC_COLUMNS,
        required=["source_url", "target_url"],
        signature=[
            "FlagNoFollow",
            "SourceTrustFlow",
            "SourceCitationFlow",
            "Source First Found Date",
            "First Indexed",
            "FlagRedirect",
        ],
        site_column="target_url",
        types=MAJESTIC_TYPES,
    ),
    FileFormat(
        "moz",
        "moz",
        "backlinks",
        "backlinks_moz",
        MOZ_COLUMNS,
        required=["url", "target_url"],
        signature=["Spam Score", "Page Authority", "Domain Authority"],
        site_column="target_url",
        types=MOZ_TYPES,
    ),
)


def _long_rank_format(format_id: str, source: str, **kwargs) -> FileFormat:
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


RANKING_FORMATS = (
    FileFormat(
        "semrush_position_tracking",
        "semrush",
        "rankings",
        "rankings_tracker",
        WIDE_RANKING_COLUMNS,
        required=["keyword", "ranking_date"],
        header_test=has_semrush_date_columns,
        reshape=reshape_semrush_position_tracking,
        site_column="url",
        site_required=True,
        types=RANKING_TYPES,
    ),
    FileFormat(
        "se_ranking_wide",
        "se_ranking",
        "rankings",
        "rankings_tracker",
        WIDE_RANKING_COLUMNS,
        required=["keyword", "ranking_date"],
        header_test=has_se_ranking_date_columns,
        reshape=reshape_se_ranking,
        site_column="url",
        site_required=True,
        types=RANKING_TYPES,
    ),
    _long_rank_format(
        "ahrefs_rank_tracker",
        "ahrefs",
        signature=AHREFS_RANK_TRACKER_SIGNATURE,
        forbidden=ACCURANKER_SIGNATURE,
    ),
    _long_rank_format("accuranker", "accuranker", signature=ACCURANKER_SIGNATURE),
    _long_rank_format(
        "rank_tracker_long",
        "generic",
        forbidden=[*AHREFS_RANK_TRACKER_SIGNATURE, *ACCURANKER_SIGNATURE],
    ),
    # Search Console UI export: the zip's CSVs combined by ingest.sources.rank_trackers.files into
    # one long file of period aggregates (no date per query), kept apart from the daily rank rows.
    FileFormat(
        "gsc_ui_export",
        "gsc",
        "rankings",
        "gsc_export",
        {column: [header] for column, header in GSC_COMBINED_COLUMNS.items()},
        required=["report"],
        signature=[GSC_COMBINED_COLUMNS["report"]],
        site_column="page",
        site_required=True,
        types={
            "report_date": "date",
            "clicks": "number",
            "impressions": "number",
            "ctr": "percent",
            "position": "number",
            "period_start": "date",
            "period_end": "date",
        },
    ),
    # One report of a Search Console export dropped without its zip (`Queries.csv`): recognised
    # only to be refused with what to do, since its period is in the zip's other files.
    FileFormat(
        "gsc_ui_export_member",
        "gsc",
        "rankings",
        "gsc_export",
        {column: [] for column in GSC_COMBINED_COLUMNS},
        required=["report"],
        header_test=is_search_console_member,
        reshape=refuse_search_console_member,
    ),
)

DOMAIN_METRIC_FORMATS = (
    FileFormat(
        "domain_metrics_long",
        "domain_metrics",
        "domain_metrics",
        "domain_metrics",
        DOMAIN_METRIC_COLUMNS,
        required=list(DOMAIN_METRIC_COLUMNS),
        types=DOMAIN_METRIC_TYPES,
    ),
    # Ahrefs "Domain rating" history export: no domain column, the site is in the file name.
    FileFormat(
        "ahrefs_dr_history",
        "ahrefs",
        "domain_metrics",
        "domain_metrics",
        {"metric_date": ["Date"], "value": ["Domain Rating", "DR"]},
        required=["metric_date", "value"],
        site_from_name=True,
        types=DOMAIN_METRIC_TYPES,
    ),
)

# Readers for zips holding several CSVs: each gets the extracted members and a folder to write
# in, and returns the one CSV to load, or None when the zip is not its kind. A zip none of them
# takes must hold exactly one CSV.
ZIP_BUNDLES: tuple[Callable[[Sequence[Path], Path], Path | None], ...] = (
    combine_search_console_export,
)

FORMATS_BY_KIND = {
    "backlinks": BACKLINK_FORMATS,
    "rankings": RANKING_FORMATS,
    "domain_metrics": DOMAIN_METRIC_FORMATS,
}


def _format(format_id: str, formats: Sequence[FileFormat]) -> FileFormat:
    return next(f for f in formats if f.format_id == format_id)


# API pulls land in their own raw tables (one Dagster asset each), with the columns of the
# vendor's file export so that staging can union files and pulls per vendor.
AHREFS_API = replace(
    _format("ahrefs_current", BACKLINK_FORMATS),
    format_id="ahrefs_api",
    table="backlinks_ahrefs_api",
)
SEMRUSH_API = replace(
    _format("semrush", BACKLINK_FORMATS), format_id="semrush_api", table="backlinks_semrush_api"
)
AHREFS_DR_API = replace(
    _format("domain_metrics_long", DOMAIN_METRIC_FORMATS),
    format_id="ahrefs_api",
    source="ahrefs",
    table="domain_metrics_ahrefs_api",
)
API_FORMATS = (AHREFS_API, SEMRUSH_API, AHREFS_DR_API)


# GA4 report downloads dropped in `traffic/` (the offline fallback for the Data API): a `#`
# preamble with the date range precedes the header, which the header search skips. The reshape
# dates each row (ingest.sources.ga4.files) and refuses a multi-day report without a Date column.
# The site is the Hostname column's domain, else the domain in the file name.
TRAFFIC_FORMATS = (
    FileFormat(
        "ga4_export",
        "ga4_export",
        "traffic",
        "traffic_ga4_export",
        GA4_DOWNLOAD_COLUMNS,
        required=["traffic_date", "landing_page", "sessions"],
        signature=["Sessions"],
        site_column="host_name",
        site_required=True,
        reshape=reshape_ga4_download,
        types={
            "traffic_date": "date",
            **{
                metric: "number"
                for metric in (
                    "sessions",
                    "engaged_sessions",
                    "key_events",
                    "transactions",
                    "revenue",
                )
            },
        },
    ),
)
FORMATS_BY_KIND["traffic"] = TRAFFIC_FORMATS
