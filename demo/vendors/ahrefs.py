"""Ahrefs backlink exports: the "Excel" CSV (UTF-16 LE with BOM, TAB, CRLF), the UTF-8 comma
option and the pre-2022 legacy export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from demo.story import SITE, World
from demo.vendors.api import _iso
from demo.vendors.common import LinkFacts, _bool, _csv_text, _last_seen, _stamp, _target_url

AHREFS_HEADER = (
    "Referring page title",
    "Referring page URL",
    "Language",
    "Platform",
    "Referring page HTTP code",
    "Domain rating",
    "UR",
    "Domain traffic",
    "Referring domains",
    "Linked domains",
    "External links",
    "Page traffic",
    "Keywords",
    "Target URL",
    "Left context",
    "Anchor",
    "Right context",
    "Type",
    "Content",
    "Nofollow",
    "UGC",
    "Sponsored",
    "Rendered",
    "Raw",
    "Lost status",
    "Drop reason",
    "Discovered status",
    "Author",
    "Links in group",
    "First seen",
    "Last seen",
    "Lost",
    "Is spam",
)
AHREFS_LEGACY_HEADER = (
    "#",
    "Domain Rating",
    "URL Rating",
    "Referring Page URL",
    "Referring Page Title",
    "Link URL",
    "TextPre",
    "Link Anchor",
    "TextPost",
    "Type",
    "Backlink Status",
    "First Seen",
    "Last Check",
    "Day Lost",
    "Language",
    "Traffic",
    "Keywords",
    "Internal Links Count",
    "External Links Count",
)


def _ahrefs_rows(world: World, facts: LinkFacts, snapshot: date) -> list[tuple]:
    rows = []
    for link in world.links:
        if link.target_site != SITE or not link.in_ahrefs or link.first_seen > snapshot:
            continue
        f = facts[link]
        lost = link.lost is not None and link.lost <= snapshot
        rows.append(
            (
                link.title,
                link.source_url,
                "en",
                f["platform"],
                200 if not lost else 404,
                link.domain.dr,
                f["ur"],
                link.domain.traffic,
                f["refdomains"],
                f["linked"],
                f["linked"] + 2,
                f["page_traffic"],
                f["keywords"],
                _target_url(SITE, link.target_path),
                link.left,
                link.anchor,
                link.right,
                link.link_type,
                _bool(link.content),
                _bool(link.nofollow),
                _bool(link.ugc),
                _bool(link.sponsored),
                "true",
                "true",
                "lost" if lost else "",
                f["drop"] if lost else "",
                "new" if (snapshot - link.first_seen).days < 30 else "",
                "",
                1,
                _stamp(link.first_seen, link.seen_seconds),
                _stamp(_last_seen(link, snapshot, f["last_seen_lag"]), f["seconds"]),
                _stamp(link.lost, f["seconds"]) if lost and link.lost else "",
                _bool(link.domain.is_spam),
            )
        )
    rows.sort(key=lambda r: (-r[5], r[1], r[13]))
    return rows


def ahrefs_excel_bytes(world: World, facts: LinkFacts, snapshot: date) -> bytes:
    """The default "Excel" export: UTF-16 LE with BOM, TAB, CRLF, every field quoted."""
    text = _csv_text([AHREFS_HEADER, *_ahrefs_rows(world, facts, snapshot)], "\t", quote_all=True)
    return b"\xff\xfe" + text.encode("utf-16-le")


def write_ahrefs(world: World, facts: LinkFacts, snapshot: date, path: Path) -> None:
    path.write_bytes(ahrefs_excel_bytes(world, facts, snapshot))


def write_ahrefs_utf8(world: World, facts: LinkFacts, snapshot: date, path: Path) -> None:
    """The "UTF-8 (Google Sheets, LibreOffice)" export option: comma, no BOM."""
    rows = _ahrefs_rows(world, facts, snapshot)
    path.write_bytes(_csv_text([AHREFS_HEADER, *rows], terminator="\n").encode("utf-8"))


def write_ahrefs_legacy(world: World, facts: LinkFacts, snapshot: date, path: Path) -> None:
    """The pre-2022 Site Explorer export: Title Case header led by `#`, `Type` holding
    Dofollow/Nofollow (no text/image type, no content flag, no UGC or sponsored), ISO
    datetimes with `Z`, `Backlink Status` `lost` and a plain `Day Lost` date."""
    rows = []
    for link in world.links:
        if link.target_site != SITE or not link.in_ahrefs or link.first_seen > snapshot:
            continue
        f = facts[link]
        lost = link.lost is not None and link.lost <= snapshot
        rows.append(
            [
                0,
                link.domain.dr,
                f["ur"],
                link.source_url,
                link.title,
                _target_url(SITE, link.target_path),
                link.left,
                link.anchor,
                link.right,
                "Dofollow" if link.followed else "Nofollow",
                "lost" if lost else "",
                _iso(link.first_seen, link.seen_seconds),
                _iso(_last_seen(link, snapshot, f["last_seen_lag"]), f["seconds"]),
                link.lost.isoformat() if lost and link.lost else "",
                "en",
                f["page_traffic"],
                f["keywords"],
                f["internal"],
                f["linked"] + 2,
            ]
        )
    rows.sort(key=lambda r: (-r[1], r[3], r[5]))
    for number, row in enumerate(rows, start=1):
        row[0] = number
    text = _csv_text([AHREFS_LEGACY_HEADER, *rows], delimiter="\t", quote_all=True)
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
