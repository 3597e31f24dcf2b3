"""Semrush backlink exports: UTF-8-with-BOM CSV, current and older (`Page score`)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from demo.story import SITE, World
from demo.vendors.common import LinkFacts, _bool, _csv_text, _last_seen, _target_url

SEMRUSH_HEADER = (
    "Page ascore",
    "Source title",
    "Source url",
    "Target url",
    "Anchor",
    "External links",
    "Internal links",
    "Nofollow",
    "Sponsored",
    "Ugc",
    "Text",
    "Frame",
    "Form",
    "Image",
    "Sitewide",
    "First seen",
    "Last seen",
    "New link",
    "Lost link",
)
SEMRUSH_LOST_WINDOW_DAYS = 90  # Semrush lists links lost in the last 90 days


def _semrush_rows(world: World, facts: LinkFacts, snapshot: date) -> list[dict]:
    """What Semrush lists on `snapshot`, one dict per link keyed by the API's column codes
    (dates as `date`): the links it has found by then and those it lost in the last 90 days."""
    rows = []
    for link in world.links:
        if link.target_site != SITE or not link.in_semrush:
            continue
        first = link.first_seen + timedelta(days=link.semrush_delay)
        if first > snapshot:
            continue
        lost = link.lost is not None and link.lost <= snapshot
        if lost and link.lost and (snapshot - link.lost).days > SEMRUSH_LOST_WINDOW_DAYS:
            continue
        f = facts[link]
        last = _last_seen(link, snapshot, f["last_seen_lag"])
        rows.append(
            {
                "page_ascore": f["ascore"],
                "page_trust_score": f["trust"],
                "source_title": link.title,
                "source_url": _semrush_source(link.source_url, f["semrush_source"]),
                "target_url": _semrush_target(link.target_path, f["semrush_target"]),
                "anchor": link.anchor,
                "external_num": f["linked"] + 2,
                "internal_num": f["internal"],
                "first_seen": first,
                "first_seconds": link.seen_seconds,
                "last_seen": max(last, first),
                "last_seconds": f["seconds"],
                "nofollow": link.nofollow,
                "sponsored": link.sponsored,
                "ugc": link.ugc,
                "text": link.link_type == "text",
                "frame": False,
                "form": False,
                "image": link.link_type == "image",
                "sitewide": link.sitewide,
                "newlink": (snapshot - first).days < 30,
                "lostlink": lost,
            }
        )
    rows.sort(key=lambda r: (-r["page_ascore"], r["source_url"], r["target_url"]))
    return rows


_SEMRUSH_FLAGS = ("nofollow", "sponsored", "ugc", "text", "frame", "form", "image", "sitewide")


def semrush_bytes(world: World, facts: LinkFacts, snapshot: date, *, legacy: bool = False) -> bytes:
    """The UI export, UTF-8 with BOM. Older exports had `Page score, Page trust score` where
    current ones have `Page ascore`."""
    header = SEMRUSH_HEADER
    if legacy:
        header = ("Page score", "Page trust score", *SEMRUSH_HEADER[1:])
    rows = []
    for r in _semrush_rows(world, facts, snapshot):
        scores = (r["page_ascore"], r["page_trust_score"]) if legacy else (r["page_ascore"],)
        rows.append(
            (
                *scores,
                r["source_title"],
                r["source_url"],
                r["target_url"],
                r["anchor"],
                r["external_num"],
                r["internal_num"],
                *(_bool(r[flag]) for flag in _SEMRUSH_FLAGS),
                r["first_seen"].isoformat(),
                r["last_seen"].isoformat(),
                _bool(r["newlink"]),
                _bool(r["lostlink"]),
            )
        )
    return b"\xef\xbb\xbf" + _csv_text([header, *rows]).encode("utf-8")


def write_semrush(
    world: World, facts: LinkFacts, snapshot: date, path: Path, *, legacy: bool = False
) -> None:
    path.write_bytes(semrush_bytes(world, facts, snapshot, legacy=legacy))


def _semrush_source(url: str, roll: float) -> str:
    """Semrush sometimes reports the same page with or without `www.`, or with feed tags."""
    scheme, rest = url.split("://", 1)
    if roll < 0.12:
        rest = rest[4:] if rest.startswith("www.") else "www." + rest
    elif roll < 0.2 and "?" not in rest:
        rest += "?utm_source=feedburner&utm_medium=feed"
    return f"{scheme}://{rest}"


def _semrush_target(path: str, roll: float) -> str:
    if roll < 0.25 and path != "/":
        return _target_url(SITE, path) + "/"
    if roll < 0.35:
        return f"https://{SITE}{path}"
    return _target_url(SITE, path)
