"""Write the demo `World` out in the vendors' own export formats, and as the API emulators
serve it.

Each file writer produces what a person would download from the vendor's UI, in every
variant docs/sources.md lists: Ahrefs' "Excel" CSV (UTF-16 LE with BOM, TAB, CRLF), its UTF-8
comma option and its pre-2022 legacy export; Semrush's UTF-8-with-BOM CSV, current and older
(`Page score`); Majestic's CamelCase and spaced-header exports, flags empty when false; Moz's
current and classic (Yes/No, `N%` spam) exports with metadata lines above the header; zips
holding one export; Ahrefs' domain-rating history; a generic long rank-tracker CSV, the weekly
domain-metrics CSV. The emulator writers give the GA4, Ahrefs v3 and Semrush emulators the
same world as the API would return it. Values that a vendor reports per link but the story
does not model (UR, page traffic, ...) come from one random stream per link, so a link looks
the same in every snapshot and every format.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import math
import random
import zipfile
from datetime import date, timedelta
from pathlib import Path

from demo.rank_files import keyword_tags
from demo.story import (
    COMPETITOR_PROFILE,
    GA4_PROPERTY_ID,
    SITE,
    SITE_HOST,
    Link,
    World,
)
from demo.traffic import rank_rows, traffic_rows

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
    "first_seen_link",
    "last_visited",
    "last_seen",
)
SEMRUSH_API_HEADER = (
    "page_ascore",
    "source_title",
    "source_url",
    "target_url",
    "anchor",
    "external_num",
    "internal_num",
    "first_seen",
    "last_seen",
    "nofollow",
    "sponsored",
    "ugc",
    "text",
    "frame",
    "form",
    "image",
    "sitewide",
    "newlink",
    "lostlink",
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
MAJESTIC_LOST_WINDOW_DAYS = 90
API_LOST_WINDOW_DAYS = 90  # the emulators list links lost in the last 90 days


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
                # Drawn last: a new fact must not shift the values drawn before it.
                trust=max(0, min(100, round(dr * rng.uniform(0.2, 0.55)))),
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


def write_zip(path: Path, member: str, data: bytes, day: date) -> None:
    """A zip holding one file, byte-identical on every run: the member's time is fixed (noon
    of `day`) and so are its permissions and compression."""
    info = zipfile.ZipInfo(member, date_time=(day.year, day.month, day.day, 12, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    path.write_bytes(buffer.getvalue())


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


def write_moz_legacy(world: World, facts: LinkFacts, site: str, snapshot: date, path: Path) -> None:
    """The classic Open Site Explorer export: live links only, `Yes`/`No` flags instead of a
    link type, Spam Score on the old 17-flag scale written `N%`, no first/last-seen dates."""
    rows = []
    for link in world.links:
        if link.target_site != site or not link.live_on(snapshot):
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


def _old_spam_score(score: int) -> int:
    """Moz's 1-100 Spam Score on the old 17-flag scale: 60 (toxic) maps to 11 of 17."""
    return max(1, min(17, math.ceil(score * 17 / 100)))


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def write_rankings(world: World, seed: int, path: Path) -> None:
    """Long format, one row per keyword and day; not ranking is written three ways."""
    rng = random.Random(f"{seed}:rankings")
    not_ranking = {kw.keyword: rng.choice(("", "-", ">100")) for kw in world.keywords}
    tags_of = keyword_tags(world)
    rows = []
    for r in rank_rows(world):
        tags = ";".join(tags_of[r.keyword])
        position = str(r.position) if r.position is not None else not_ranking[r.keyword]
        rows.append((r.keyword, tags, r.day.isoformat(), position, r.url, r.volume))
    rows.sort(key=lambda r: (r[2], r[0]))
    path.write_bytes(_csv_text([RANKINGS_HEADER, *rows], terminator="\n").encode("utf-8"))


def _domain_metric_rows(world: World, seed: int) -> list[tuple]:
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
    return rows


def write_domain_metrics(world: World, seed: int, path: Path) -> None:
    rows = _domain_metric_rows(world, seed)
    path.write_bytes(_csv_text([DOMAIN_METRICS_HEADER, *rows], terminator="\n").encode("utf-8"))


def daily_domain_rating(world: World, seed: int) -> dict[str, list[tuple[date, int]]]:
    """Ahrefs DR per domain and history day, agreeing with the weekly domain-metrics file: the
    site's follows its daily story curve; a competitor's holds each weekly value until the next
    (DR moves in steps when Ahrefs recrawls)."""
    weekly: dict[str, dict[date, int]] = {}
    for day, domain, metric, value in _domain_metric_rows(world, seed):
        if metric == "ahrefs_dr":
            weekly.setdefault(domain, {})[date.fromisoformat(day)] = value
    out: dict[str, list[tuple[date, int]]] = {}
    for domain, values in weekly.items():
        current = values[min(values)]
        series = []
        for i, day in enumerate(world.days):
            current = round(world.dr_daily[i]) if domain == SITE else values.get(day, current)
            series.append((day, current))
        out[domain] = series
    return out


def write_dr_history(world: World, seed: int, path: Path) -> None:
    """Ahrefs' "Domain rating" history export of the site, in its default "Excel" encoding
    (UTF-16 LE with BOM, TAB). The file has no domain column: the site is in the file name."""
    rows = [(day.isoformat(), dr) for day, dr in daily_domain_rating(world, seed)[SITE]]
    text = _csv_text([("Date", "Domain Rating"), *rows], delimiter="\t", quote_all=True)
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))


# --- API emulator data ----------------------------------------------------------------------


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
                _iso(link.first_seen, link.seen_seconds),
                _iso(_last_seen(link, today, f["last_seen_lag"]), f["seconds"]),
                _iso(link.lost, f["seconds"]) if lost and link.lost else "",
            )
        )
    rows.sort(key=lambda r: (r[11], r[0], r[1]))
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
