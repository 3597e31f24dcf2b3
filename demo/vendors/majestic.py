"""Majestic backlink exports: CamelCase and spaced headers, flags empty when false."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from demo.story import World
from demo.vendors.common import LinkFacts, _csv_text, _flag, _last_seen, _target_url

MAJESTIC_HEADER = (
    "Target URL",
    "Source URL",
    "Anchor Text",
    "Source Crawl Date",
    "Source First Found Date",
    "FlagNoFollow",
    "FlagImageLink",
    "FlagRedirect",
    "FlagFrame",
    "FlagOldCrawl",
    "FlagAltText",
    "FlagMention",
    "SourceCitationFlow",
    "SourceTrustFlow",
    "TargetCitationFlow",
    "TargetTrustFlow",
    "SourceTopicalTrustFlow_Topic_0",
    "SourceTopicalTrustFlow_Value_0",
)
MAJESTIC_SPACED_HEADER = (
    "Source URL",
    "Source Title",
    "Anchor Text",
    "Target URL",
    "Source Trust Flow",
    "Source Citation Flow",
    "Source Topical Trust Flow Topic 0",
    "Source Topical Trust Flow Value 0",
    "First Indexed",
    "Last Seen",
    "Date Lost",
    "Flag No Follow",
    "Flag Image Link",
    "Flag Redirect",
    "Flag Frame",
    "Flag Alt Text",
    "Flag Mention",
)
MAJESTIC_LOST_WINDOW_DAYS = 90


def write_majestic(world: World, facts: LinkFacts, site: str, snapshot: date, path: Path) -> None:
    rows = []
    for link in world.links:
        if link.target_site != site or not link.live_on(snapshot):
            continue
        f = facts[link]
        tf = max(0, min(100, round(link.domain.dr * 0.5)))
        crawl = max(link.first_seen, snapshot - timedelta(days=f["crawl_lag"]))
        rows.append(
            (
                _target_url(site, link.target_path),
                link.source_url,
                link.anchor,
                crawl.isoformat(),
                link.first_seen.isoformat(),
                _flag(link.nofollow or link.ugc or link.sponsored),
                _flag(link.link_type == "image"),
                _flag(link.link_type == "redirect"),
                "",
                _flag(f["crawl_lag"] > 40),
                _flag(link.link_type == "image" and not link.anchor),
                "",
                round(tf * f["cf_ratio"]),
                tf,
                31,
                24,
                link.domain.topic,
                max(0, tf - 4),
            )
        )
    rows.sort(key=lambda r: (-r[13], r[1], r[0]))
    path.write_bytes(_csv_text([MAJESTIC_HEADER, *rows]).encode("utf-8"))


def write_majestic_spaced(
    world: World, facts: LinkFacts, site: str, snapshot: date, path: Path
) -> None:
    """Majestic's Site Explorer backlinks export from the historic index: spaced Title Case
    headers, the links lost in the last 90 days with their `Date Lost`, flags empty when false."""
    rows = []
    for link in world.links:
        if link.target_site != site or link.first_seen > snapshot:
            continue
        lost = link.lost is not None and link.lost <= snapshot
        if lost and link.lost and (snapshot - link.lost).days > MAJESTIC_LOST_WINDOW_DAYS:
            continue
        f = facts[link]
        tf = max(0, min(100, round(link.domain.dr * 0.5)))
        rows.append(
            (
                link.source_url,
                link.title,
                link.anchor,
                _target_url(site, link.target_path),
                tf,
                round(tf * f["cf_ratio"]),
                link.domain.topic,
                max(0, tf - 4),
                link.first_seen.isoformat(),
                _last_seen(link, snapshot, f["last_seen_lag"]).isoformat(),
                link.lost.isoformat() if lost and link.lost else "",
                _flag(link.nofollow or link.ugc or link.sponsored),
                _flag(link.link_type == "image"),
                _flag(link.link_type == "redirect"),
                "",
                _flag(link.link_type == "image" and not link.anchor),
                "",
            )
        )
    rows.sort(key=lambda r: (-r[4], r[0], r[3]))
    path.write_bytes(_csv_text([MAJESTIC_SPACED_HEADER, *rows]).encode("utf-8"))
