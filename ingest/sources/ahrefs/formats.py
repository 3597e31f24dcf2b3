"""Ahrefs Site Explorer exports (docs/sources.md §1 and §2): backlinks in today's and the
legacy header, and the "Domain rating" history. Ahrefs Rank Tracker exports are in
`ingest.sources.rank_trackers.formats`; the API pulls land in the backlinks table's columns
(`ingest.inbox.formats.AHREFS_API`)."""

from __future__ import annotations

from ingest.inbox.fileformat import FileFormat

# canonical column -> header aliases (today's export first, then the legacy one)
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


def _backlinks(format_id: str, signature: list[str]) -> FileFormat:
    return FileFormat(
        format_id,
        "ahrefs",
        "backlinks",
        "backlinks_ahrefs",
        AHREFS_COLUMNS,
        required=["referring_page_url", "target_url"],
        signature=signature,
        site_column="target_url",
        types=AHREFS_TYPES,
    )


AHREFS_LEGACY = _backlinks("ahrefs_legacy", ["Link URL", "Backlink Status"])
AHREFS_CURRENT = _backlinks(
    "ahrefs_current", ["Domain rating", "UR", "Referring page title", "Left context"]
)

# "Domain rating" history export: no domain column, the site is in the file name.
AHREFS_DR_HISTORY = FileFormat(
    "ahrefs_dr_history",
    "ahrefs",
    "domain_metrics",
    "domain_metrics",
    {"metric_date": ["Date"], "value": ["Domain Rating", "DR"]},
    required=["metric_date", "value"],
    site_from_name=True,
    types={"metric_date": "date", "value": "number"},
)
