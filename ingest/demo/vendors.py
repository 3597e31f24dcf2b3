"""Write the demo `World` out in the vendors' own export formats.

Each writer produces what a person would download from the vendor's UI: Ahrefs' "Excel"
CSV (UTF-16 LE with BOM, TAB, CRLF), Semrush's UTF-8-with-BOM CSV, Majestic's CamelCase
headers with flags left empty when false, Moz's export with metadata lines above the header,
a generic long rank-tracker CSV, the weekly domain-metrics CSV and the GA4 emulator's data.
Values that a vendor reports per link but the story does not model (UR, page traffic, ...)
come from one random stream per link, so a link looks the same in every snapshot.
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
from datetime import date, timedelta
from pathlib import Path

from ingest.demo.story import (
    COMPETITOR_PROFILE,
    GA4_PROPERTY_ID,
    SITE,
    SITE_HOST,
    Link,
    World,
)
from ingest.demo.traffic import rank_rows, traffic_rows

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
RANKINGS_HEADER = ("Keyword", "Tags", "Date", "Position", "URL", "Search Volume")
DOMAIN_METRICS_HEADER = ("date", "domain", "metric", "value")
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
SEMRUSH_LOST_WINDOW_DAYS = 90  # Semrush lists links lost in the last 90 days
MOZ_LOST_WINDOW_DAYS = 60


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _flag(value: bool) -> str:
    return "+" if value else ""


def _target_url(site: str, path: str) -> str:
    host = SITE_HOST if site == SITE else "www." + site
    return f"https://{host}{path}"


class LinkFacts:
    """Per-link values no key result depends on, stable across snapshots and vendors."""

    def __init__(self, world: World, seed: int) -> None:
        self._facts: dict[int, dict] = {}
        for i, link in enumerate(world.links):
            rng = random.Random(f"{seed}:facts:{i}")
            dr = link.domain.dr
            self._facts[id(link)] = dict(
                ur=max(0, min(100, round(dr * rng.uniform(0.15, 0.6)))),
                refdomains=int(math.exp(dr / 12 + rng.uniform(0, 2))),
                linked=rng.randint(3, 40) if not link.sitewide else rng.randint(20, 150),
                page_traffic=int(link.domain.traffic * rng.uniform(0, 0.05)),
                keywords=rng.randint(0, 120),
                platform=rng.choice(("blogs", "blogs", "cms", "ecommerce", "")),
                ascore=max(0, min(100, round(dr * rng.uniform(0.4, 0.7)))),
                internal=rng.randint(15, 180),
                last_seen_lag=rng.randint(0, 6),
                seconds=rng.randint(0, 86399),
                crawl_lag=rng.randint(1, 45),
                cf_ratio=rng.uniform(1.0, 1.6),
                pa=max(1, min(100, round(dr * rng.uniform(0.5, 0.9)))),
                moz_da=max(1, min(100, dr + rng.randint(-6, 4))),
                semrush_source=rng.random(),
                semrush_target=rng.random(),
                moz_scheme=rng.random(),
                drop=rng.choice(
                    ("Link removed from page", "Page not found (404)", "Page redirected")
                ),
            )

    def __getitem__(self, link: Link) -> dict:
        return self._facts[id(link)]


def _stamp(day: date, seconds: int) -> str:
    return f"{day.isoformat()} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _last_seen(link: Link, snapshot: date, lag: int) -> date:
    seen = (
        (link.lost - timedelta(days=1 + lag % 3))
        if link.lost and link.lost <= snapshot
        else snapshot - timedelta(days=lag)
    )
    return max(seen, link.first_seen)


def _csv_text(
    rows: list[tuple], delimiter: str = ",", terminator: str = "\r\n", quote_all: bool = False
) -> str:
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=delimiter,
        lineterminator=terminator,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerows(rows)
    return out.getvalue()


def write_ahrefs(world: World, facts: LinkFacts, snapshot: date, path: Path) -> None:
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
    text = _csv_text([AHREFS_HEADER, *rows], delimiter="\t", quote_all=True)
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))


def write_semrush(world: World, facts: LinkFacts, snapshot: date, path: Path) -> None:
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
            (
                f["ascore"],
                link.title,
                _semrush_source(link.source_url, f["semrush_source"]),
                _semrush_target(link.target_path, f["semrush_target"]),
                link.anchor,
                f["linked"] + 2,
                f["internal"],
                _bool(link.nofollow),
                _bool(link.sponsored),
                _bool(link.ugc),
                _bool(link.link_type == "text"),
                "false",
                "false",
                _bool(link.link_type == "image"),
                _bool(link.sitewide),
                first.isoformat(),
                max(last, first).isoformat(),
                _bool((snapshot - first).days < 30),
                _bool(lost),
            )
        )
    rows.sort(key=lambda r: (-r[0], r[2], r[3]))
    path.write_bytes(b"\xef\xbb\xbf" + _csv_text([SEMRUSH_HEADER, *rows]).encode("utf-8"))


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


def write_moz(world: World, facts: LinkFacts, site: str, snapshot: date, path: Path) -> None:
    rows = []
    for link in world.links:
        if link.target_site != site or link.first_seen > snapshot:
            continue
        lost = link.lost is not None and link.lost <= snapshot
        if lost and link.lost and (snapshot - link.lost).days > MOZ_LOST_WINDOW_DAYS:
            continue
        f = facts[link]
        source = link.source_url
        if f["moz_scheme"] < 0.3:
            source = source.split("://", 1)[1]
        rows.append(
            (
                source,
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


def write_rankings(world: World, seed: int, path: Path) -> None:
    """Long format, one row per keyword and day; not ranking is written three ways."""
    rng = random.Random(f"{seed}:rankings")
    not_ranking = {kw.keyword: rng.choice(("", "-", ">100")) for kw in world.keywords}
    extra_tag = {}
    for kw in world.keywords:
        section = kw.path.strip("/").split("/")[0]
        extra_tag[kw.keyword] = section if "product" in kw.tags and section else ""
    rows = []
    for r in rank_rows(world):
        tags = ";".join(t for t in (r.tags, extra_tag[r.keyword]) if t)
        position = str(r.position) if r.position is not None else not_ranking[r.keyword]
        rows.append((r.keyword, tags, r.day.isoformat(), position, r.url, r.volume))
    rows.sort(key=lambda r: (r[2], r[0]))
    path.write_bytes(_csv_text([RANKINGS_HEADER, *rows], terminator="\n").encode("utf-8"))


def write_domain_metrics(world: World, seed: int, path: Path) -> None:
    """Weekly authority for the site and its competitors, the last week ending on end_date."""
    rng = random.Random(f"{seed}:domain-metrics")
    rows = []
    day = world.end
    weeks = []
    while day >= world.start:
        weeks.append(day)
        day -= timedelta(days=7)
    for day in reversed(weeks):
        dr = world.dr_daily[world.day_index(day)]
        rows.append((day.isoformat(), SITE, "ahrefs_dr", round(dr)))
        rows.append((day.isoformat(), SITE, "moz_da", round(dr - 5 + rng.uniform(-0.6, 0.6))))
        for site, profile in COMPETITOR_PROFILE.items():
            drift = world.day_index(day) / 120
            rows.append(
                (
                    day.isoformat(),
                    site,
                    "ahrefs_dr",
                    round(profile["dr"] + drift + rng.uniform(-0.6, 0.6)),
                )
            )
            rows.append(
                (
                    day.isoformat(),
                    site,
                    "moz_da",
                    round(profile["da"] + drift / 2 + rng.uniform(-0.6, 0.6)),
                )
            )
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    path.write_bytes(_csv_text([DOMAIN_METRICS_HEADER, *rows], terminator="\n").encode("utf-8"))


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
