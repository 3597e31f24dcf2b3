"""The API emulators' data: the GA4, Ahrefs v3 and Semrush emulators serve the same world as the
API would return it."""

from __future__ import annotations

import calendar
import json
from datetime import date
from pathlib import Path

from demo.emulators.semrush import COLUMNS as SEMRUSH_API_HEADER
from demo.story import GA4_PROPERTY_ID, World
from demo.traffic import traffic_rows
from demo.vendors.common import LinkFacts, _bool, _csv_text, _last_seen, _stamp, _target_url
from demo.vendors.metrics import daily_domain_rating
from demo.vendors.semrush import _SEMRUSH_FLAGS, _semrush_rows

AHREFS_API_HEADER = (
    "url_from",
    "url_to",
    "title",
    "anchor",
    "domain_rating_source",
    "url_rating_source",
    "is_dofollow",
    "is_nofollow",
    "is_ugc",
    "is_sponsored",
    "is_content",
    "is_spam",
    "first_seen_link",
    "last_visited",
    "last_seen",
)


GA4_HEADER = (
    "date",
    "hostName",
    "landingPagePlusQueryString",
    "sessionDefaultChannelGroup",
    "sessions",
    "engagedSessions",
    "keyEvents",
    "transactions",
    "purchaseRevenue",
)


GA4_PROPERTIES = {GA4_PROPERTY_ID: {"time_zone": "America/New_York", "currency_code": "USD"}}


API_LOST_WINDOW_DAYS = 90  # the emulators list links lost in the last 90 days


def write_ahrefs_api(world: World, facts: LinkFacts, site: str, today: date, path: Path) -> None:
    """The Ahrefs emulator's backlinks of `site` as the v3 API returns them on `today`: every
    live link and those lost in the last 90 days, one column per v3 field (ISO datetimes in
    UTC, `true`/`false`, empty for null; `last_seen` empty while the link is live). Ordered
    as the API's keyset pages them: sitewide links share a first-seen time."""
    rows = []
    for link in world.links:
        if link.target_site != site or not link.in_ahrefs or link.first_seen > today:
            continue
        if link.lost and (today - link.lost).days > API_LOST_WINDOW_DAYS:
            continue
        f = facts[link]
        lost = link.lost is not None and link.lost <= today
        rows.append(
            (
                link.source_url,
                _target_url(site, link.target_path),
                link.title,
                link.anchor,
                link.domain.dr,
                f["ur"],
                _bool(link.followed),
                _bool(link.nofollow),
                _bool(link.ugc),
                _bool(link.sponsored),
                _bool(link.content),
                _bool(link.domain.is_spam),
                _iso(link.first_seen, link.seen_seconds),
                _iso(_last_seen(link, today, f["last_seen_lag"]), f["seconds"]),
                _iso(link.lost, f["seconds"]) if lost and link.lost else "",
            )
        )
    rows.sort(key=lambda r: (r[12], r[0], r[1]))
    path.write_bytes(_csv_text([AHREFS_API_HEADER, *rows], terminator="\n").encode("utf-8"))


def write_ahrefs_dr_api(world: World, seed: int, folder: Path) -> list[Path]:
    """The Ahrefs emulator's domain-rating history: `<domain>.csv` per domain, daily."""
    paths = []
    for domain, series in sorted(daily_domain_rating(world, seed).items()):
        rows = [(day.isoformat(), dr) for day, dr in series]
        path = folder / f"{domain}.csv"
        text = _csv_text([("date", "domain_rating"), *rows], terminator="\n")
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def write_semrush_api(world: World, facts: LinkFacts, today: date, path: Path) -> None:
    """The Semrush emulator's backlinks of the site on `today`: the API's column codes, dates
    as Unix epoch seconds, `true`/`false`. The emulator serves them semicolon-separated and
    unquoted, so no value may hold a semicolon."""
    rows = []
    for r in _semrush_rows(world, facts, today):
        row = (
            r["page_ascore"],
            r["source_title"],
            r["source_url"],
            r["target_url"],
            r["anchor"],
            r["external_num"],
            r["internal_num"],
            _epoch(r["first_seen"], r["first_seconds"]),
            _epoch(r["last_seen"], r["last_seconds"]),
            *(_bool(r[flag]) for flag in _SEMRUSH_FLAGS),
            _bool(r["newlink"]),
            _bool(r["lostlink"]),
        )
        if any(";" in str(value) for value in row):
            raise ValueError(f"a semicolon in a Semrush API value would break its rows: {row}")
        rows.append(row)
    path.write_bytes(_csv_text([SEMRUSH_API_HEADER, *rows], terminator="\n").encode("utf-8"))


def _iso(day: date, seconds: int) -> str:
    return _stamp(day, seconds).replace(" ", "T") + "Z"


def _epoch(day: date, seconds: int) -> int:
    return calendar.timegm(day.timetuple()) + seconds


def write_ga4(world: World, seed: int, folder: Path) -> tuple[Path, Path]:
    rows = [
        (
            r.day.strftime("%Y%m%d"),
            r.host,
            r.landing_page,
            r.channel,
            r.sessions,
            r.engaged,
            r.key_events,
            r.transactions,
            f"{r.revenue:.2f}",
        )
        for r in traffic_rows(world, seed)
    ]
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    properties = folder / "properties.json"
    properties.write_text(
        json.dumps(GA4_PROPERTIES, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    data = folder / f"{GA4_PROPERTY_ID}.csv"
    data.write_bytes(_csv_text([GA4_HEADER, *rows], terminator="\n").encode("utf-8"))
    return properties, data
