"""Semrush exports (docs/sources.md §1 and §3): Backlink Analytics backlinks, and Position
Tracking's "Rankings Overview" (wide: one column per tracked target and date, unnested by
`ingest.sources.semrush.position_tracking`). The API pulls land in the backlinks table's columns
(`ingest.inbox.formats.SEMRUSH_API`, mapped in `ingest.sources.semrush.api`)."""

from __future__ import annotations

from ingest.inbox.fileformat import FileFormat
from ingest.sources.rank_trackers.formats import wide_rank_format
from ingest.sources.semrush.position_tracking import (
    has_semrush_date_columns,
    reshape_semrush_position_tracking,
)

# canonical column -> header aliases
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

SEMRUSH_BACKLINKS = FileFormat(
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
    # Majestic's own columns: its exports also have `Source URL` and `Target URL`
    forbidden=["FlagNoFollow", "SourceTrustFlow"],
    site_column="target_url",
    types=SEMRUSH_TYPES,
)

SEMRUSH_POSITION_TRACKING = wide_rank_format(
    "semrush_position_tracking",
    "semrush",
    header_test=has_semrush_date_columns,
    reshape=reshape_semrush_position_tracking,
)
