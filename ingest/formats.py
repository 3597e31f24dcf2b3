"""The file formats linkokr accepts, declared once: header aliases per canonical column.

Each format names the raw table it lands in and the columns that identify it. A vendor is
recognised from the header: its source- and target-URL columns plus at least one column only
that vendor writes. An unknown header is a rejection, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ingest.files import normalize_header


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

    def matches(self, names: Sequence[str]) -> bool:
        present = set(names)

        def has(aliases: Sequence[str]) -> bool:
            return any(normalize_header(a) in present for a in aliases)

        return (
            all(has(self.columns[c]) for c in self.required)
            and (not self.signature or has(self.signature))
            and not has(self.forbidden)
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

RANKING_COLUMNS = {
    "keyword": ["Keyword"],
    "ranking_date": ["Date", "Updated"],
    "position": ["Position", "Rank", "Current position"],
    "url": ["URL", "Current URL", "Landing page"],
    "search_volume": ["Volume", "Search Volume"],
    "tags": ["Tags"],
}

DOMAIN_METRIC_COLUMNS = {
    "metric_date": ["date"],
    "domain": ["domain"],
    "metric": ["metric"],
    "value": ["value"],
}

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
    ),
)

RANKING_FORMATS = (
    FileFormat(
        "rank_tracker_long",
        "generic",
        "rankings",
        "rankings_tracker",
        RANKING_COLUMNS,
        required=["keyword", "ranking_date", "position"],
        site_column="url",
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
    ),
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
