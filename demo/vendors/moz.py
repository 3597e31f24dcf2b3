"""Moz inbound-link exports, current and classic (Yes/No, `N%` spam), with metadata lines above
the header."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

from demo.story import Link, World
from demo.vendors.common import LinkFacts, _csv_text, _last_seen

MOZ_HEADER = (
    "URL",
    "Title",
    "Anchor Text",
    "Spam Score",
    "Page Authority",
    "Domain Authority",
    "Number of Domains Linking to Page",
    "Number of Domains Linking to Domain",
    "Target URL",
    "Link Type",
    "Date First Seen",
    "Date Last Seen",
    "Date Lost",
)
MOZ_LEGACY_HEADER = (
    "URL",
    "Title",
    "Anchor Text",
    "Spam Score",
    "Page Authority",
    "Domain Authority",
    "Number of Domains Linking to Page",
    "Number of Domains Linking to Domain",
    "Target URL",
    "Followable",
    "Only rel=nofollow",
    "Only rel=canonical",
    "301",
    "302",
)
MOZ_LOST_WINDOW_DAYS = 60


def write_moz(world: World, facts: LinkFacts, site: str, snapshot: date, path: Path) -> None:
    rows = []
    for link in world.links:
        if link.target_site != site or link.first_seen > snapshot:
            continue
        lost = link.lost is not None and link.lost <= snapshot
        if lost and link.lost and (snapshot - link.lost).days > MOZ_LOST_WINDOW_DAYS:
            continue
        f = facts[link]
        rows.append(
            (
                _moz_source(link, f),
                link.title,
                link.anchor,
                link.domain.spam_score,
                f["pa"],
                f["moz_da"],
                max(1, f["refdomains"] // 40),
                f["refdomains"],
                f"{site}{link.target_path}",
                "nofollow" if (link.nofollow or link.ugc or link.sponsored) else "follow",
                link.first_seen.isoformat(),
                _last_seen(link, snapshot, f["last_seen_lag"]).isoformat(),
                link.lost.isoformat() if lost and link.lost else "",
            )
        )
    rows.sort(key=lambda r: (-r[5], r[0], r[8]))
    meta = [
        ("Moz Link Explorer - Inbound Links",),
        ("Target", site),
        ("Scope", "root domain"),
        ("Link status", "active and lost"),
        ("Exported", snapshot.isoformat()),
        (),
    ]
    path.write_bytes(_csv_text([*meta, MOZ_HEADER, *rows]).encode("utf-8"))


def write_moz_legacy(world: World, facts: LinkFacts, site: str, snapshot: date, path: Path) -> None:
    """The classic Open Site Explorer export: live links only, `Yes`/`No` flags instead of a
    link type, Spam Score on the old 17-flag scale written `N%`, no first/last-seen dates."""
    rows = []
    for link in world.links:
        if link.target_site != site or not link.live_on(snapshot):
            continue
        f = facts[link]
        rows.append(
            (
                _moz_source(link, f),
                link.title,
                link.anchor,
                f"{_old_spam_score(link.domain.spam_score)}%",
                f["pa"],
                f["moz_da"],
                max(1, f["refdomains"] // 40),
                f["refdomains"],
                f"{site}{link.target_path}",
                _yes_no(link.followed),
                _yes_no(not link.followed),
                "No",
                _yes_no(link.link_type == "redirect"),
                "No",
            )
        )
    rows.sort(key=lambda r: (-r[5], r[0], r[8]))
    meta = [
        ("Open Site Explorer Report",),
        ("Target URL", site),
        ("Report Type", "Inbound Links"),
        ("Link Source", "Only external"),
        ("Date", snapshot.isoformat()),
        (),
    ]
    path.write_bytes(_csv_text([*meta, MOZ_LEGACY_HEADER, *rows]).encode("utf-8"))


def _moz_source(link: Link, f: dict) -> str:
    """The linking page as Moz lists it: without its scheme for about a third of the links."""
    source = link.source_url
    if f["moz_scheme"] < 0.3:
        source = source.split("://", 1)[1]
    return source


def _old_spam_score(score: int) -> int:
    """Moz's 1-100 Spam Score on the old 17-flag scale: 60 (toxic) maps to 11 of 17."""
    return max(1, min(17, math.ceil(score * 17 / 100)))


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"
