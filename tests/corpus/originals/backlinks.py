"""Backlink exports: Ahrefs (current and legacy), Semrush, Majestic, Moz (current and classic)."""

from __future__ import annotations

import codecs
from datetime import timedelta

from tests.corpus.originals.data import (
    ACME_LINKS,
    BACKLINK_SNAPSHOT,
    RIVAL,
    RIVAL_LINKS,
    SITE,
    Link,
    _bool,
    _csv,
    _is_lost,
    _stamp,
    _target,
    _utf16,
)

AHREFS_HEADER = (
    "Referring page title", "Referring page URL", "Language", "Platform",
    "Referring page HTTP code", "Domain rating", "UR", "Domain traffic", "Referring domains",
    "Linked domains", "External links", "Page traffic", "Keywords", "Target URL",
    "Left context", "Anchor", "Right context", "Type", "Content", "Nofollow", "UGC", "Sponsored",
    "Rendered", "Raw", "Lost status", "Drop reason", "Discovered status", "Author",
    "Links in group", "First seen", "Last seen", "Lost", "Is spam",
)  # fmt: skip


def _ahrefs_rows(links: tuple[Link, ...], site: str) -> list[tuple]:
    rows = []
    for i, link in enumerate(links):
        lost = _is_lost(link)
        new = (BACKLINK_SNAPSHOT - link.first_seen.date()).days < 30
        rows.append(
            (
                link.title,
                link.source_url,
                link.language,
                link.platform,
                404 if lost and link.link_type == "image" else 200,
                link.dr,
                link.ur,
                link.dr * link.dr * 13 + i,
                link.dr * 37 + 5,
                7 + i * 3,
                9 + i * 3,
                link.dr * 11,
                (link.dr * 7) % 120,
                _target(site, link.target_path),
                link.left,
                link.anchor,
                link.right,
                link.link_type,
                _bool(link.link_type == "text" and not link.sitewide),
                _bool(link.nofollow),
                _bool(link.ugc),
                _bool(link.sponsored),
                "true",
                "true",
                "lost" if lost else "",
                ("Page not found (404)" if link.link_type == "image" else "Link removed from page")
                if lost
                else "",
                "new" if new else "",
                "",
                1,
                _stamp(link.first_seen),
                _stamp(link.last_seen),
                _stamp(link.lost) if lost and link.lost else "",
                _bool(link.spam),
            )
        )
    rows.sort(key=lambda r: (-r[5], r[1]))
    return rows


def ahrefs_excel() -> bytes:
    """Ahrefs Site Explorer backlinks, "Excel" option: UTF-16 LE + BOM, TAB, CRLF, all quoted."""
    rows = [AHREFS_HEADER, *_ahrefs_rows(ACME_LINKS, SITE)]
    return _utf16(_csv(rows, delimiter="\t", quote_all=True))


def ahrefs_utf8() -> bytes:
    """Ahrefs Site Explorer backlinks, "UTF-8" option: comma, no BOM, LF, minimal quoting."""
    rows = [AHREFS_HEADER, *_ahrefs_rows(RIVAL_LINKS, RIVAL)]
    return _csv(rows, terminator="\n").encode("utf-8")


AHREFS_LEGACY_HEADER = (
    "#", "Domain Rating", "URL Rating", "Referring Page URL", "Referring Page Title", "Link URL",
    "TextPre", "Link Anchor", "TextPost", "Type", "Backlink Status", "First Seen", "Last Check",
    "Day Lost", "Language", "Traffic", "Keywords", "Internal Links Count",
    "External Links Count",
)  # fmt: skip


def ahrefs_legacy() -> bytes:
    """The pre-2022 Site Explorer export: UTF-16 LE + BOM, TAB, Title Case header led by `#`,
    `Type` Dofollow/Nofollow, ISO datetimes with T and Z, `Backlink Status` lost, `Day Lost`."""
    rows = []
    for i, link in enumerate(ACME_LINKS):
        lost = _is_lost(link)
        rows.append(
            [
                0,
                link.dr,
                link.ur,
                link.source_url,
                link.title,
                _target(SITE, link.target_path),
                link.left,
                link.anchor,
                link.right,
                "Dofollow" if link.followed else "Nofollow",
                "lost" if lost else "",
                link.first_seen.strftime("%Y-%m-%dT%H:%M:%SZ"),
                link.last_seen.strftime("%Y-%m-%dT%H:%M:%SZ"),
                link.lost.date().isoformat() if lost and link.lost else "",
                link.language,
                link.dr * 11,
                (link.dr * 7) % 120,
                20 + i * 4,
                9 + i * 3,
            ]
        )
    rows.sort(key=lambda r: (-r[1], r[3]))
    for number, row in enumerate(rows, start=1):
        row[0] = number
    return _utf16(_csv([AHREFS_LEGACY_HEADER, *rows], delimiter="\t", quote_all=True))


SEMRUSH_HEADER = (
    "Page ascore", "Source title", "Source url", "Target url", "Anchor", "External links",
    "Internal links", "Nofollow", "Sponsored", "Ugc", "Text", "Frame", "Form", "Image",
    "Sitewide", "First seen", "Last seen", "New link", "Lost link",
)  # fmt: skip


def semrush_backlinks() -> bytes:
    """Semrush Backlink Analytics export: UTF-8 with BOM, comma, CRLF, `YYYY-MM-DD` dates,
    true/false; links lost in the last 90 days are listed with `Lost link` true."""
    rows = []
    for i, link in enumerate(ACME_LINKS):
        if link.spam or link.first_seen.date() > BACKLINK_SNAPSHOT - timedelta(days=3):
            continue  # Semrush never found the directory, nor the newest link yet
        first = link.first_seen.date() + timedelta(days=2)
        rows.append(
            (
                round(link.dr * 0.6),
                link.title,
                link.source_url,
                _target(SITE, link.target_path),
                link.anchor,
                9 + i * 3,
                20 + i * 4,
                _bool(link.nofollow or link.ugc),
                _bool(link.sponsored),
                _bool(link.ugc),
                _bool(link.link_type == "text"),
                "false",
                "false",
                _bool(link.link_type == "image"),
                _bool(link.sitewide),
                first.isoformat(),
                link.last_seen.date().isoformat(),
                _bool((BACKLINK_SNAPSHOT - first).days < 30),
                _bool(_is_lost(link)),
            )
        )
    rows.sort(key=lambda r: (-r[0], r[2]))
    return codecs.BOM_UTF8 + _csv([SEMRUSH_HEADER, *rows]).encode("utf-8")


MAJESTIC_HEADER = (
    "Target URL", "Source URL", "Anchor Text", "Source Crawl Date", "Source First Found Date",
    "FlagNoFollow", "FlagImageLink", "FlagRedirect", "FlagFrame", "FlagOldCrawl", "FlagAltText",
    "FlagMention", "SourceCitationFlow", "SourceTrustFlow", "TargetCitationFlow",
    "TargetTrustFlow", "SourceTopicalTrustFlow_Topic_0", "SourceTopicalTrustFlow_Value_0",
    "RefDomainTopicalTrustFlow_Topic_0", "RefDomainTopicalTrustFlow_Value_0",
)  # fmt: skip
_TOPICS = {
    "en": "Recreation/Camping",
    "de": "World/Deutsch/Freizeit",
    "fr": "World/Français/Loisirs",
}


def majestic() -> bytes:
    """Majestic Site Explorer backlinks (fresh index): live links only, UTF-8, comma, CRLF,
    flags empty when false and `+` when set."""
    rows = []
    for link in ACME_LINKS:
        if _is_lost(link):
            continue
        trust = max(0, round(link.dr * 0.5))
        rows.append(
            (
                _target(SITE, link.target_path),
                link.source_url,
                link.anchor,
                link.last_seen.date().isoformat(),
                link.first_seen.date().isoformat(),
                "" if link.followed else "+",
                "+" if link.link_type == "image" else "",
                "+" if link.link_type == "redirect" else "",
                "",
                "",
                "",
                "",
                round(trust * 1.3),
                trust,
                34,
                27,
                _TOPICS[link.language],
                max(0, trust - 4),
                _TOPICS[link.language],
                max(0, trust - 2),
            )
        )
    rows.sort(key=lambda r: (-r[13], r[1]))
    return _csv([MAJESTIC_HEADER, *rows]).encode("utf-8")


MOZ_HEADER = (
    "URL", "Title", "Anchor Text", "Spam Score", "Page Authority", "Domain Authority",
    "Number of Domains Linking to Page", "Number of Domains Linking to Domain", "Target URL",
    "Link Type", "Date First Seen", "Date Last Seen", "Date Lost",
)  # fmt: skip
MOZ_LEGACY_HEADER = (
    "URL", "Title", "Anchor Text", "Spam Score", "Page Authority", "Domain Authority",
    "Number of Domains Linking to Page", "Number of Domains Linking to Domain", "Target URL",
    "Followable", "Only rel=nofollow", "Only rel=canonical", "301", "302",
)  # fmt: skip


def _moz_source(link: Link, i: int) -> str:
    """Moz drops the scheme of some source URLs."""
    return link.source_url.split("://", 1)[1] if i % 3 == 1 else link.source_url


def _spam_score(link: Link) -> int:
    return 71 if link.spam else 1 + (link.dr * 7) % 30


def moz() -> bytes:
    """Moz Link Explorer "Inbound Links" (current layout): metadata lines above the header,
    `Link Type` follow/nofollow, first/last seen and lost dates, Spam Score 1..100."""
    rows = []
    for i, link in enumerate(ACME_LINKS):
        if link.ugc:
            continue  # Moz has not indexed the forum threads
        lost = _is_lost(link)
        rows.append(
            (
                _moz_source(link, i),
                link.title,
                link.anchor,
                _spam_score(link),
                max(1, round(link.dr * 0.7)),
                max(1, link.dr - 3),
                1 + i % 4,
                link.dr * 37 + 5,
                f"{SITE}{link.target_path}",
                "follow" if link.followed else "nofollow",
                (link.first_seen.date() + timedelta(days=1)).isoformat(),
                link.last_seen.date().isoformat(),
                link.lost.date().isoformat() if lost and link.lost else "",
            )
        )
    rows.sort(key=lambda r: (-r[5], r[0]))
    meta: list[tuple] = [
        ("Moz Link Explorer - Inbound Links",),
        ("Target", SITE),
        ("Scope", "root domain"),
        ("Link status", "active and lost"),
        ("Exported", BACKLINK_SNAPSHOT.isoformat()),
        (),
    ]
    return _csv([*meta, MOZ_HEADER, *rows]).encode("utf-8")


def moz_legacy() -> bytes:
    """Classic Open Site Explorer "Inbound Links": metadata lines above the header, live links
    only, `Yes`/`No` flags, Spam Score on the old 17-flag scale written `N%`, no dates."""
    rows = []
    for i, link in enumerate(RIVAL_LINKS):
        if _is_lost(link):
            continue
        old_scale = max(1, min(17, -(-_spam_score(link) * 17 // 100)))
        rows.append(
            (
                _moz_source(link, i),
                link.title,
                link.anchor,
                f"{old_scale}%",
                max(1, round(link.dr * 0.7)),
                max(1, link.dr - 3),
                1 + i % 4,
                link.dr * 37 + 5,
                f"{RIVAL}{link.target_path}",
                "Yes" if link.followed else "No",
                "No" if link.followed else "Yes",
                "No",
                "Yes" if link.link_type == "redirect" else "No",
                "No",
            )
        )
    rows.sort(key=lambda r: (-r[5], r[0]))
    meta: list[tuple] = [
        ("Open Site Explorer Report",),
        ("Target URL", RIVAL),
        ("Report Type", "Inbound Links"),
        ("Link Source", "Only external"),
        ("Date", BACKLINK_SNAPSHOT.isoformat()),
        (),
    ]
    return _csv([*meta, MOZ_LEGACY_HEADER, *rows]).encode("utf-8")
