"""Majestic Site Explorer backlink exports (docs/sources.md §1), in either header spelling
(`Source Title` or `Title`, `Source Crawl Date` or `Last Crawled`, ...)."""

from __future__ import annotations

from ingest.inbox.fileformat import FileFormat

# canonical column -> header aliases
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

MAJESTIC_BACKLINKS = FileFormat(
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
)
