"""Moz Link Explorer backlink exports (docs/sources.md §1); Moz writes metadata lines above the
header, which the header search skips."""

from __future__ import annotations

from ingest.inbox.fileformat import FileFormat

# canonical column -> header aliases
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

MOZ_BACKLINKS = FileFormat(
    "moz",
    "moz",
    "backlinks",
    "backlinks_moz",
    MOZ_COLUMNS,
    required=["url", "target_url"],
    signature=["Spam Score", "Page Authority", "Domain Authority"],
    site_column="target_url",
    types=MOZ_TYPES,
)
