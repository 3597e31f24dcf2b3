"""The corpus originals: small vendor exports in each vendor's own layout, built from one data set.

`build()` returns every original as {path relative to CORPUS_DIR: bytes}; the files under
tests/fixtures/corpus/ are its output (`python -m tests.corpus` writes them again, and
tests/test_corpus_resave.py checks that they have not drifted). Everything is literal or derived
by arithmetic from the tables below: no randomness, no clock.

The data are chosen for re-save tests: every date column with three or more values has
days-of-month both <= 12 and > 12 (a day-first and a month-first reading tell apart), there are
decimals (UR 12.5, position 4.25, revenue 1234.56), integers >= 1000 (volume 1200, sessions 1500),
percents, booleans, empty cells, lost links, titles and anchors with Windows-1252 letters
(é, ü, ß, –), a comma inside a quoted field and a double quote inside one.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

SITE = "acme-outdoor.com"
RIVAL = "rival-gear.com"
BACKLINK_SNAPSHOT = date(2026, 4, 18)
RANK_DAYS = (date(2026, 11, 10), date(2026, 11, 12), date(2026, 11, 13))
GSC_DAYS = tuple(date(2026, 11, 8) + timedelta(days=i) for i in range(7))  # Nov 8..14
GSC_PREVIOUS_DAYS = tuple(day - timedelta(days=7) for day in GSC_DAYS)  # Nov 1..7
GA4_DAYS = tuple(date(2026, 11, 1) + timedelta(days=i) for i in range(14))  # Nov 1..14


# --- backlinks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    source_url: str
    title: str
    anchor: str
    left: str
    right: str
    target_path: str
    dr: int
    ur: str  # as Ahrefs writes it: "12.5", "38"
    link_type: str  # text, image, redirect
    first_seen: datetime
    last_seen: datetime
    lost: datetime | None = None
    nofollow: bool = False
    ugc: bool = False
    sponsored: bool = False
    spam: bool = False
    language: str = "en"
    platform: str = "blogs"
    sitewide: bool = False

    @property
    def followed(self) -> bool:
        return not (self.nofollow or self.ugc or self.sponsored)

    @property
    def domain(self) -> str:
        return self.source_url.split("/")[2].removeprefix("www.")


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


ACME_LINKS = (
    Link("https://outdoorjournal.net/reviews/best-tents-2026/", "Best Tents of 2026, Tested",
         "Acme Outdoor", "Our favourite all-rounder comes from", "and costs under $300.",
         "/tents/", 71, "38", "text", _dt("2025-11-03 07:12:45"), _dt("2026-04-17 06:30:11")),
    Link("https://bergblog.de/ausruestung/zelt-groessen/",
         "Zeltgrößen erklärt: Welches Zelt für wen?", "Zelt-Größen", "Mehr dazu in der Übersicht",
         "von Acme.", "/guides/tent-sizes/", 44, "12.5", "text", _dt("2025-12-14 22:05:09"),
         _dt("2026-04-16 11:02:33"), language="de"),
    Link("https://trailnotes.co.uk/2026/01/packing-list/", 'The "ultralight" myth',
         'the "ultralight" myth', "Read", "before you buy.", "/backpacks/ultralight/", 52, "21",
         "text", _dt("2026-01-05 13:44:00"), _dt("2026-04-12 08:15:27"), nofollow=True),
    Link("https://campingcafe.fr/blog/sac-de-couchage/",
         "Café & camping: le guide du sac de couchage", "sacs de couchage", "Voir les",
         "chez Acme.", "/sleeping-bags/", 33, "9.5", "text", _dt("2026-01-27 09:00:00"),
         _dt("2026-03-10 04:20:00"), lost=_dt("2026-03-14 05:49:00"), language="fr"),
    Link("https://gearforum.org/threads/acme-tent-review.2231/", "Acme tent review - Gear Forum",
         "acme-outdoor.com", "Bought mine at", "last spring.", "/tents/2-person/", 48, "15",
         "text", _dt("2026-02-09 17:25:31"), _dt("2026-04-15 21:10:05"), nofollow=True,
         ugc=True, platform="forums"),
    Link("https://hikewithkids.com/family-hiking-gear/", "Family hiking gear we love",
         "kids' backpacks", "We tested these", "on three trips.", "/backpacks/kids/", 39, "8",
         "text", _dt("2026-02-18 10:10:10"), _dt("2026-04-09 12:00:00"), sponsored=True),
    Link("https://alpenverein-muenchen.de/touren/ausruestung/",
         "Ausrüstung für Hochtouren – Checkliste", "Schlafsäcke von Acme", "Warm bleiben:",
         "im Test.", "/sleeping-bags/down/", 58, "17", "text", _dt("2026-03-01 08:08:08"),
         _dt("2026-04-17 19:45:00"), language="de", platform="cms"),
    Link("https://thepacklist.blog/gear/tarps/", "Tarps, tents & bivvies", "", "", "",
         "/tarps/", 27, "4", "image", _dt("2026-03-12 14:14:14"), _dt("2026-03-29 09:09:09"),
         lost=_dt("2026-04-02 17:30:12")),
    Link("https://wildcamp.io/spots/scotland/", "Wild camping in Scotland", "Acme",
         "Gear list by", "(see sidebar).", "/", 36, "11", "text", _dt("2026-03-19 06:06:06"),
         _dt("2026-04-16 16:16:16"), sitewide=True),
    Link("https://spam-links-directory.xyz/outdoor/", "Outdoor links directory", "cheap tents",
         "", "", "/tents/", 3, "0", "text", _dt("2026-03-30 23:59:59"),
         _dt("2026-04-11 00:00:01"), spam=True, platform=""),
    Link("https://newsroom.outdoorindustry.org/2026/04/acme-expands/",
         "Acme Outdoor expands to Europe", "Acme Outdoor", "Today", "announced its move.",
         "/about/", 76, "41.5", "text", _dt("2026-04-02 12:30:00"), _dt("2026-04-17 12:30:00"),
         platform="cms"),
    Link("https://www.reddit.com/r/CampingGear/comments/1abcde/acme_tents/",
         "Acme tents? : r/CampingGear", "https://www.acme-outdoor.com/tents/", "Try", "",
         "/tents/", 92, "19", "text", _dt("2026-04-11 18:42:07"), _dt("2026-04-17 03:03:03"),
         nofollow=True, ugc=True, platform="forums"),
    Link("https://skiblog.at/apres-ski-schuhe/", "Après-Ski: die besten Schuhe",
         "Après-Ski-Boots", "Warm und trocken:", "im Vergleich.", "/boots/apres-ski/", 29, "7",
         "redirect", _dt("2025-10-21 20:45:00"), _dt("2026-04-13 10:00:00"),
         lost=_dt("2026-04-16 09:03:55"), language="de"),
    Link("https://outdoorjournal.net/news/spring-sale/", "Spring sale roundup",
         "outdoor gear sale", "Biggest discounts:", "ends Sunday.", "/sale/", 71, "25", "text",
         _dt("2026-04-15 15:44:46"), _dt("2026-04-17 15:44:46")),
)  # fmt: skip

RIVAL_LINKS = (
    Link("https://outdoorjournal.net/reviews/best-tents-2026/", "Best Tents of 2026, Tested",
         "Rival Gear", "Runner-up:", "with a lifetime warranty.", "/tents/", 71, "38", "text",
         _dt("2025-11-04 08:00:00"), _dt("2026-04-17 06:30:11")),
    Link("https://gearforum.org/threads/rival-vs-acme.2301/", "Rival vs Acme – which tent?",
         "rival-gear.com", "Ordered from", "in March.", "/tents/", 48, "14", "text",
         _dt("2026-01-13 12:12:12"), _dt("2026-04-14 14:41:00"), nofollow=True, ugc=True,
         platform="forums"),
    Link("https://bergblog.de/ausruestung/rucksack-test/", "Rucksack-Test: Größe & Gewicht",
         "Rival Rucksäcke", "Leicht und robust:", "im Test.", "/packs/", 44, "10.5", "text",
         _dt("2025-12-02 09:30:00"), _dt("2026-04-16 11:02:33"), language="de"),
    Link("https://trailnotes.co.uk/2026/02/boots/", 'Boots that "just work"',
         'boots that "just work"', "See", "for wide feet.", "/boots/", 52, "20", "text",
         _dt("2026-02-03 16:00:00"), _dt("2026-04-12 08:15:27")),
    Link("https://campingcafe.fr/blog/rechauds/", "Réchauds de camping", "réchaud Rival",
         "Le", "est notre favori.", "/stoves/", 33, "6", "text", _dt("2026-02-21 07:45:00"),
         _dt("2026-04-10 05:05:05"), language="fr"),
    Link("https://thepacklist.blog/gear/stoves/", "Stoves, pots & pans", "stoves, pots & pans",
         "All our", "in one list.", "/stoves/", 27, "3", "text", _dt("2026-03-05 10:00:00"),
         _dt("2026-04-15 10:00:00")),
    Link("https://wildcamp.io/spots/norway/", "Wild camping in Norway", "Rival Gear",
         "Shelter by", ".", "/", 36, "9", "text", _dt("2026-03-16 18:30:00"),
         _dt("2026-04-16 16:16:16"), nofollow=True),
    Link("https://hikewithkids.com/rain-jackets/", "Rain jackets for kids", "rain jackets",
         "Our pick:", "from Rival.", "/jackets/kids/", 39, "7.5", "text",
         _dt("2026-03-24 11:11:11"), _dt("2026-04-09 12:00:00"), sponsored=True),
    Link("https://newsroom.outdoorindustry.org/2026/03/rival-funding/",
         "Rival Gear raises Series B", "Rival Gear", "Investors back", "with $40M.", "/about/",
         76, "40", "text", _dt("2026-03-27 13:00:00"), _dt("2026-04-17 13:00:00"),
         platform="cms"),
    Link("https://skiblog.at/tourenski/", "Tourenski für Einsteiger", "Felle von Rival",
         "Dazu passen die", ".", "/skins/", 29, "5", "text", _dt("2026-04-08 08:00:00"),
         _dt("2026-04-15 08:00:00"), language="de"),
    Link("https://linkfarm-seo.top/outdoor/", "Outdoor links", "best outdoor gear", "", "",
         "/", 2, "0", "text", _dt("2026-02-14 02:02:02"), _dt("2026-03-05 03:03:03"),
         lost=_dt("2026-03-09 11:11:11"), spam=True, platform=""),
    Link("https://www.reddit.com/r/Ultralight/comments/1xyz/rival_pack/",
         "Rival pack? : r/Ultralight", "https://rival-gear.com/packs/", "", "", "/packs/", 92,
         "18", "text", _dt("2026-03-30 21:00:00"), _dt("2026-04-11 21:00:00"),
         lost=_dt("2026-04-13 20:20:20"), nofollow=True, ugc=True, platform="forums"),
)  # fmt: skip


def _target(site: str, path: str) -> str:
    return f"https://www.{site}{path}" if site == SITE else f"https://{site}{path}"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _is_lost(link: Link, snapshot: date = BACKLINK_SNAPSHOT) -> bool:
    return link.lost is not None and link.lost.date() <= snapshot


def _csv(rows: list[tuple], *, delimiter: str = ",", terminator: str = "\r\n", quote_all=False):
    out = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(out, delimiter=delimiter, lineterminator=terminator, quoting=quoting).writerows(rows)
    return out.getvalue()


def _utf16(text: str) -> bytes:
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


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


# --- rankings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyword:
    keyword: str
    path: str
    volume: int
    tags: tuple[str, ...]
    positions: tuple[int | None, ...]  # per RANK_DAYS; None: not in the top 100
    rival: tuple[int | None, ...]
    kd: int
    cpc: str


KEYWORDS = (
    Keyword("2 person tent", "/tents/2-person/", 1200, ("product", "head"), (3, 2, 2),
            (5, 5, 6), 61, "1.25"),
    Keyword("ultralight backpack", "/backpacks/ultralight/", 880, ("product",), (7, 6, 8),
            (4, 4, 3), 48, "0.90"),
    Keyword("tent sizes", "/guides/tent-sizes/", 2400, ("guide",), (12, 11, 9),
            (None, None, 45), 22, "0.35"),
    Keyword("daunenschlafsack größe", "/sleeping-bags/down/", 590, ("product", "de"),
            (15, 14, 14), (None, None, None), 18, "0.70"),
    Keyword("camping gear", "/", 14800, ("head",), (None, 98, None), (22, 21, 20), 74, "1.10"),
    Keyword("après-ski boots", "/boots/apres-ski/", 320, ("product",), (31, 28, None),
            (40, 39, 41), 27, "0.55"),
    Keyword('sleeping bag "mummy"', "/sleeping-bags/", 1900, ("product",), (9, 9, 10),
            (11, 12, 12), 39, "0.95"),
    Keyword("acme outdoor", "/", 4400, ("brand",), (1, 1, 1), (None, None, None), 8, "0.20"),
    Keyword("tents, 2 person", "/tents/2-person/", 110, ("product", "long-tail"), (4, 4, 5),
            (6, 7, 7), 33, "1.05"),
    Keyword("hiking boots", "/boots/", 9900, ("product", "head"), (None, None, None),
            (13, 14, 13), 58, "1.40"),
    Keyword("tarp vs tent", "/guides/tarp-vs-tent/", 260, ("guide",), (18, 17, 16),
            (None, 88, 90), 15, "0.15"),
    Keyword("down jacket sale", "/sale/", 1300, ("product",), (56, 61, None), (9, 8, 8), 52,
            "2.05"),
)  # fmt: skip


def _page(path: str) -> str:
    return f"https://www.{SITE}{path}"


def _rival_page(path: str) -> str:
    return f"https://{RIVAL}{path}"


def semrush_position_tracking() -> bytes:
    """Semrush Position Tracking "Rankings Overview", wide: metadata lines, then per date and
    target a position (`-` when not in the top 100), SERP feature type and landing URL column;
    UTF-8 with BOM, comma, CRLF."""
    targets = ((f"*.{SITE}/*", "positions", _page), (f"*.{RIVAL}/*", "rival", _rival_page))
    header = ["Keyword", "Tags", "Intents"]
    for target, _, _ in targets:
        for day in RANK_DAYS:
            stamp = f"{target}_{day:%Y%m%d}"
            header += [stamp, f"{stamp}_type", f"{stamp}_landing"]
    header += [f"*.{SITE}/*_difference", "Search Volume", "CPC", "Keyword Difficulty"]
    lines: list[tuple] = [
        ("Position Tracking: Rankings Overview",),
        (f"Project: {SITE}",),
        ("Database: google.com (United States), Desktop",),
        (f"Period: {RANK_DAYS[0]:%Y%m%d} - {RANK_DAYS[-1]:%Y%m%d}",),
        (),
        tuple(header),
    ]
    for kw in KEYWORDS:
        cells = [kw.keyword, ",".join(kw.tags), "commercial" if "product" in kw.tags else "info"]
        for _, attr, page in targets:
            for position in getattr(kw, attr):
                feature = "featured snippet" if position == 1 else ""
                landing = page(kw.path) if position else ""
                cells += [str(position) if position else "-", feature, landing]
        first, last = kw.positions[0], kw.positions[-1]
        cells += [str(first - last) if first and last else "", str(kw.volume), kw.cpc, str(kw.kd)]
        lines.append(tuple(cells))
    return codecs.BOM_UTF8 + _csv(lines).encode("utf-8")


AHREFS_RANK_TRACKER_HEADER = (
    "Keyword", "Location", "Tags", "Volume", "KD", "CPC", "Traffic", "Current position",
    "Previous position", "Position change", "Current URL", "SERP features", "Updated",
)  # fmt: skip
# Each keyword's last check (the tracker re-checks keywords in batches).
_AHREFS_UPDATED = (
    "2026-11-13 07:40:12", "2026-11-13 07:40:12", "2026-11-13 07:40:12", "2026-11-12 06:15:00",
    "2026-11-12 06:15:00", "2026-11-13 07:40:12", "2026-11-06 07:02:48", "2026-11-13 07:40:12",
    "2026-11-06 07:02:48", "2026-11-12 06:15:00", "2026-11-13 07:40:12", "2026-11-06 07:02:48",
)  # fmt: skip


def ahrefs_rank_tracker() -> bytes:
    """Ahrefs Rank Tracker overview export: UTF-16 LE + BOM, TAB, CRLF, quotes only where needed;
    current and previous position, not ranking as an empty cell; `Updated` is each keyword's
    last check."""
    rows: list[tuple] = [AHREFS_RANK_TRACKER_HEADER]
    for kw, updated in zip(KEYWORDS, _AHREFS_UPDATED, strict=True):
        now, before = kw.positions[-1], kw.positions[0]
        traffic = round(kw.volume * 0.3 / now) if now and now <= 10 else 0
        rows.append(
            (
                kw.keyword,
                "United States",
                ", ".join(kw.tags),
                kw.volume,
                kw.kd,
                kw.cpc,
                traffic,
                now or "",
                before or "",
                before - now if now and before else "",
                _page(kw.path) if now else "",
                "Sitelinks, Image pack" if "brand" in kw.tags else "",
                updated,
            )
        )
    return _utf16(_csv(rows, delimiter="\t"))


def accuranker() -> bytes:
    """AccuRanker keyword export, long: one row per keyword and date, `Not in top 100`."""
    rows: list[tuple] = [
        ("Keyword", "Search Engine", "Locale", "Device", "Date", "Rank", "URL", "Search volume",
         "Tags")
    ]  # fmt: skip
    for day_index, day in enumerate(RANK_DAYS):
        for kw in KEYWORDS:
            position = kw.positions[day_index]
            rows.append(
                (
                    kw.keyword,
                    "Google",
                    "en-US",
                    "Desktop",
                    day.isoformat(),
                    str(position) if position else "Not in top 100",
                    _page(kw.path) if position else "",
                    kw.volume,
                    "|".join(kw.tags),
                )
            )
    return _csv(rows).encode("utf-8")


def se_ranking() -> bytes:
    """SE Ranking keyword export, wide: one position column per `DD.MM.YYYY` day; not ranking
    written `-`, or `100+` past the tracked depth. UTF-8, LF."""
    rows: list[tuple] = [
        ("Keyword", "URL", "Search volume", "Tags", *(f"{day:%d.%m.%Y}" for day in RANK_DAYS))
    ]
    for i, kw in enumerate(KEYWORDS):
        marker = "100+" if i % 2 else "-"
        rows.append(
            (
                kw.keyword,
                _page(kw.path),
                kw.volume,
                ", ".join(kw.tags),
                *(str(p) if p else marker for p in kw.positions),
            )
        )
    return _csv(rows, terminator="\n").encode("utf-8")


def generic_rankings() -> bytes:
    """The generic long rank-tracker CSV (docs/sources.md): Keyword, Tags, Date, Position, URL,
    Search Volume; not ranking written three ways (empty, `-`, `>100`); tags `;`-separated."""
    rows: list[tuple] = [("Keyword", "Tags", "Date", "Position", "URL", "Search Volume")]
    markers = ("", "-", ">100")
    for day_index, day in enumerate(RANK_DAYS):
        for i, kw in enumerate(KEYWORDS):
            position = kw.positions[day_index]
            rows.append(
                (
                    kw.keyword,
                    ";".join(kw.tags),
                    day.isoformat(),
                    str(position) if position else markers[i % 3],
                    _page(kw.path) if position else "",
                    kw.volume,
                )
            )
    return _csv(rows, terminator="\n").encode("utf-8")


# --- Search Console UI exports ------------------------------------------------------------------

# (query, page path, clicks, impressions, position) over GSC_DAYS, and the week before.
GSC_QUERIES = (
    ("acme outdoor", "/", 412, 1855, "1.12", 398, 1790, "1.1"),
    ("2 person tent", "/tents/2-person/", 120, 1234, "3.2", 96, 1180, "3.85"),
    ("tent sizes", "/guides/tent-sizes/", 41, 2210, "9.75", 30, 2045, "11.4"),
    ('sleeping bag "mummy"', "/sleeping-bags/", 37, 980, "9.5", 35, 1002, "9.1"),
    ("ultralight backpack", "/backpacks/ultralight/", 22, 640, "6.8", 25, 610, "6.25"),
    ("daunenschlafsack größe", "/sleeping-bags/down/", 9, 315, "14.25", 6, 288, "15"),
    ("tents, 2 person", "/tents/2-person/", 8, 95, "4.25", 0, 0, ""),
    ("tarp vs tent", "/guides/tarp-vs-tent/", 5, 410, "16.5", 4, 395, "17.2"),
    ("après-ski boots", "/boots/apres-ski/", 2, 188, "28.1", 3, 170, "30"),
    ("camping gear", "/", 1, 1520, "97.4", 0, 1490, "98.6"),
    ("down jacket sale", "/sale/", 0, 240, "58.75", 1, 260, "56"),
)
# Per day: (clicks, impressions, position); one day without impressions.
GSC_DAILY = (
    (95, 1320, "8.4"),
    (102, 1405, "8.1"),
    (88, 1290, "8.75"),
    (0, 0, ""),
    (121, 1630, "7.9"),
    (118, 1575, "7.95"),
    (133, 1768, "7.6"),
)
GSC_DAILY_PREVIOUS = (
    (90, 1280, "8.6"),
    (85, 1250, "8.9"),
    (92, 1302, "8.5"),
    (97, 1344, "8.3"),
    (99, 1410, "8.2"),
    (101, 1433, "8.05"),
    (114, 1511, "7.85"),
)
GSC_COUNTRIES = (
    ("United States", "USA", 0.62),
    ("Germany", "Deutschland", 0.21),
    ("United Kingdom", "Vereinigtes Königreich", 0.1),
    ("Austria", "Österreich", 0.05),
    ("France", "Frankreich", 0.02),
)
GSC_DEVICES = (("Mobile", "Mobilgerät", 0.61), ("Desktop", "Computer", 0.36),
               ("Tablet", "Tablet", 0.03))  # fmt: skip
GSC_APPEARANCE = (("Product snippets", 0.4), ("Review snippet", 0.15))


def _ctr(clicks: int, impressions: int, *, german: bool = False) -> str:
    if not impressions:
        return ""
    text = f"{100 * clicks / impressions:.2f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} %" if german else f"{text}%"


def _de_number(text: str) -> str:
    return text.replace(".", ",")


def _de_int(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _gsc_tables(previous: bool = False):
    """{report: [(key, clicks, impressions, position)]} for the current (or previous) week."""
    pick = (5, 6, 7) if previous else (2, 3, 4)
    queries = [(q[0], *(q[i] for i in pick)) for q in GSC_QUERIES]
    pages: dict[str, list[int]] = {}
    for q in GSC_QUERIES:
        acc = pages.setdefault(_page(q[1]), [0, 0])
        acc[0] += q[pick[0]]
        acc[1] += q[pick[1]]
    page_rows = [
        (url, c, i, _pos(3 + n * 2.5)) for n, (url, (c, i)) in
        enumerate(sorted(pages.items(), key=lambda kv: (-kv[1][0], kv[0])))
    ]  # fmt: skip
    daily = GSC_DAILY_PREVIOUS if previous else GSC_DAILY
    total_clicks = sum(d[0] for d in daily)
    total_impressions = sum(d[1] for d in daily)

    def split(shares):
        return [
            (
                name,
                round(total_clicks * share),
                round(total_impressions * share),
                _pos(7 + n * 1.15),
            )
            for n, (name, *_, share) in enumerate(shares)
        ]

    return {
        "query": queries,
        "page": page_rows,
        "country": split(GSC_COUNTRIES),
        "device": split(GSC_DEVICES),
        "appearance": split(GSC_APPEARANCE),
        "daily": daily,
    }


def _pos(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _zip(members: dict[str, bytes], day: date) -> bytes:
    """Byte-stable zip: fixed member times (noon of `day`), modes and compression."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(day.year, day.month, day.day, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return buffer.getvalue()


_METRICS_EN = ("Clicks", "Impressions", "CTR", "Position")


def _gsc_table_en(first: str, rows) -> bytes:
    lines: list[tuple] = [(first, *_METRICS_EN)]
    for key, clicks, impressions, position in rows:
        lines.append((key, clicks, impressions, _ctr(clicks, impressions), position))
    return _csv(lines, terminator="\n").encode("utf-8")


def _daily_rows(days, daily):
    return [(day.isoformat(), c, i, p) for day, (c, i, p) in zip(days, daily, strict=True)]


def gsc_english() -> bytes:
    """Search Console "Performance on Search" export, English UI: a zip of Queries, Pages,
    Countries, Devices, Search appearance, Dates and Filters CSVs (UTF-8, comma, LF)."""
    t = _gsc_tables()
    members = {
        "Queries.csv": _gsc_table_en("Top queries", t["query"]),
        "Pages.csv": _gsc_table_en("Top pages", t["page"]),
        "Countries.csv": _gsc_table_en("Country", t["country"]),
        "Devices.csv": _gsc_table_en("Device", t["device"]),
        "Search appearance.csv": _gsc_table_en("Search Appearance", t["appearance"]),
        "Dates.csv": _gsc_table_en("Date", _daily_rows(GSC_DAYS, t["daily"])),
        "Filters.csv": _csv(
            [("Filter", "Value"), ("Search type", "Web"), ("Date", "Last 7 days")],
            terminator="\n",
        ).encode("utf-8"),
    }
    return _zip(members, GSC_DAYS[-1])


def gsc_german() -> bytes:
    """The same export from the German UI: German headers, `;`, decimal commas, `6,47 %` CTRs,
    `1.234` thousands, UTF-8 with BOM, CRLF; the daily table is `Chart.csv` (`Datum`)."""
    t = _gsc_tables()
    names = {"United States": "USA"}
    for en, de, _ in (*GSC_COUNTRIES, *GSC_DEVICES):
        names[en] = de

    def table(first: str, rows) -> bytes:
        lines: list[tuple] = [(first, "Klicks", "Impressionen", "CTR", "Position")]
        for key, clicks, impressions, position in rows:
            lines.append(
                (
                    names.get(key, key),
                    _de_int(clicks),
                    _de_int(impressions),
                    _ctr(clicks, impressions, german=True),
                    _de_number(position),
                )
            )
        return codecs.BOM_UTF8 + _csv(lines, delimiter=";").encode("utf-8")

    filters = [("Filter", "Wert"), ("Suchtyp", "Web"), ("Datum", "Letzte 7 Tage")]
    members = {
        "Queries.csv": table("Häufigste Suchanfragen", t["query"]),
        "Pages.csv": table("Häufigste Seiten", t["page"]),
        "Countries.csv": table("Land", t["country"]),
        "Devices.csv": table("Gerät", t["device"]),
        "Chart.csv": table("Datum", _daily_rows(GSC_DAYS, t["daily"])),
        "Filters.csv": codecs.BOM_UTF8 + _csv(filters, delimiter=";").encode("utf-8"),
    }
    return _zip(members, GSC_DAYS[-1])


def gsc_compare() -> bytes:
    """An English export made with "Compare": each metric twice, `Last 7 days <metric>` and
    `Previous 7 days <metric>`; a query or page seen in only one period has the other's cells
    empty. Dates.csv lists the current period's days with the previous period's day alongside."""
    now, before = _gsc_tables(), _gsc_tables(previous=True)
    periods = ("Last 7 days", "Previous 7 days")
    header_metrics = tuple(f"{p} {m}" for m in _METRICS_EN for p in periods)

    def cells(clicks, impressions, position):
        if not impressions and not clicks and not position:
            return ("", "", "", "")
        return (clicks, impressions, _ctr(clicks, impressions), position)

    def table(first: str, report: str) -> bytes:
        lines: list[tuple] = [(first, *header_metrics)]
        previous = {row[0]: row[1:] for row in before[report]}
        for key, *current in now[report]:
            a = cells(*current)
            b = cells(*previous.get(key, (0, 0, "")))
            lines.append((key, *(x for pair in zip(a, b, strict=True) for x in pair)))
        return _csv(lines, terminator="\n").encode("utf-8")

    daily_lines: list[tuple] = [("Date", *header_metrics)]
    for day, current, previous in zip(GSC_DAYS, GSC_DAILY, GSC_DAILY_PREVIOUS, strict=True):
        a = (current[0], current[1], _ctr(current[0], current[1]), current[2])
        b = (previous[0], previous[1], _ctr(previous[0], previous[1]), previous[2])
        daily_lines.append((day.isoformat(), *(x for pair in zip(a, b, strict=True) for x in pair)))
    filters = [
        ("Filter", "Value"),
        ("Search type", "Web"),
        ("Date", "Compare: Last 7 days vs Previous 7 days"),
    ]
    members = {
        "Queries.csv": table("Top queries", "query"),
        "Pages.csv": table("Top pages", "page"),
        "Countries.csv": table("Country", "country"),
        "Devices.csv": table("Device", "device"),
        "Dates.csv": _csv(daily_lines, terminator="\n").encode("utf-8"),
        "Filters.csv": _csv(filters, terminator="\n").encode("utf-8"),
    }
    return _zip(members, GSC_DAYS[-1])


def gsc_custom_range() -> bytes:
    """An English export of a custom date range without its Dates.csv (the user deleted it, or
    an older export): the period is only named in Filters.csv, `Date,"Nov 8, 2026-Nov 14, 2026"`."""
    t = _gsc_tables()
    first, last = GSC_DAYS[0], GSC_DAYS[-1]
    label = f"{first:%b} {first.day}, {first.year}-{last:%b} {last.day}, {last.year}"
    members = {
        "Queries.csv": _gsc_table_en("Top queries", t["query"]),
        "Pages.csv": _gsc_table_en("Top pages", t["page"]),
        "Countries.csv": _gsc_table_en("Country", t["country"]),
        "Devices.csv": _gsc_table_en("Device", t["device"]),
        "Search appearance.csv": _gsc_table_en("Search Appearance", t["appearance"]),
        "Filters.csv": _csv(
            [("Filter", "Value"), ("Search type", "Web"), ("Date", label)], terminator="\n"
        ).encode("utf-8"),
    }
    return _zip(members, last + timedelta(days=1))


# --- GA4 UI report downloads ------------------------------------------------------------------

# (landing page + query string, sessions per day index, share engaged, key events, purchases,
# revenue) — the per-day numbers are derived from the day index below.
GA4_PAGES = (
    ("/", 1500, "www"),
    ("/tents/2-person/", 640, "www"),
    ("/guides/tent-sizes/", 410, "www"),
    ("/search/?q=tents,tarps", 96, "www"),
    ("/sleeping-bags/down/?utm_source=newsletter&utm_medium=email", 88, "www"),
    ("/boots/apres-ski/", 41, "www"),
    ("/sale/", 1210, "shop"),
    ("/checkout/", 230, "shop"),
    ("/about/", 37, "www"),
    ("/guides/tarp-vs-tent/", 29, "www"),
    ("(not set)", 12, "www"),
    ("/tarps/", 9, "www"),
)
_CHANNELS = ("Organic Search", "Direct", "Referral", "Email", "Organic Social", "Unassigned")


def _ga4_preamble(title: str, start: date, end: date) -> list[tuple]:
    rule = "# " + "-" * 40
    return [
        (rule,),
        (f"# {title}",),
        ("# Account: Acme Outdoor",),
        (f"# Property: {SITE} - GA4",),
        (rule,),
        ("#",),
        ("# All Users",),
        (f"# Start date: {start:%Y%m%d}",),
        (f"# End date: {end:%Y%m%d}",),
        (),
    ]


def _ga4_metrics(sessions: int, n: int) -> tuple:
    engaged = sessions * 2 // 3
    key_events = sessions // 40 + n % 3
    purchases = sessions // 120
    if sessions == 1500:
        revenue = "1234.56"
    elif purchases:
        revenue = f"{purchases * 61.35 + (n % 4) * 0.5:.2f}".rstrip("0").rstrip(".")
    else:
        revenue = "0"
    return sessions, engaged, key_events, purchases, revenue


def ga4_daily() -> bytes:
    """GA4 "Landing page" report with the secondary dimension Date (multi-day): the `#`
    preamble (report title, account, property, start and end date), a blank line, the header;
    `Date` as YYYYMMDD; comma, CRLF, quotes only where needed."""
    rows = []
    for n, day in enumerate(GA4_DAYS):
        for page, base, _ in GA4_PAGES[:2]:
            sessions = base if (page == "/" and n == 3) else base - 40 + (n * 17) % 90
            rows.append((page, f"{day:%Y%m%d}", *_ga4_metrics(sessions, n)))
        if n % 5 == 0:
            rows.append((GA4_PAGES[3][0], f"{day:%Y%m%d}", *_ga4_metrics(7 + n, n)))
    rows.sort(key=lambda r: (-r[2], r[1], r[0]))
    header = (
        "Landing page + query string", "Date", "Sessions", "Engaged sessions", "Key events",
        "Ecommerce purchases", "Total revenue",
    )  # fmt: skip
    lines = [*_ga4_preamble("Landing page", GA4_DAYS[0], GA4_DAYS[-1]), header, *rows]
    return _csv(lines).encode("utf-8")


def ga4_single_day() -> bytes:
    """GA4 "Landing page" report for one day (start date = end date), no Date dimension, with the
    secondary dimension Hostname."""
    day = GA4_DAYS[-1]
    rows = []
    for n, (page, base, host) in enumerate(GA4_PAGES):
        rows.append((page, f"{host}.{SITE}", *_ga4_metrics(base, n)))
    rows.sort(key=lambda r: (-r[2], r[0]))
    header = (
        "Landing page + query string", "Hostname", "Sessions", "Engaged sessions", "Key events",
        "Transactions", "Purchase revenue",
    )  # fmt: skip
    return _csv([*_ga4_preamble("Landing page", day, day), header, *rows]).encode("utf-8")


def ga4_multi_day_without_date() -> bytes:
    """Negative fixture: a 7-day "Landing page" report without a Date dimension (each row sums
    seven days, so it cannot be read as daily traffic)."""
    rows = []
    for n, (page, base, _) in enumerate(GA4_PAGES):
        rows.append((page, _CHANNELS[n % len(_CHANNELS)], *_ga4_metrics(base * 7, n)))
    rows.sort(key=lambda r: (-r[2], r[0]))
    header = (
        "Landing page + query string", "Session default channel group", "Sessions",
        "Engaged sessions", "Key events", "Transactions", "Total revenue",
    )  # fmt: skip
    lines = [*_ga4_preamble("Landing page", GA4_DAYS[0], GA4_DAYS[6]), header, *rows]
    return _csv(lines).encode("utf-8")


# --- the corpus -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Original:
    kind: str  # inbox folder: backlinks, rankings, traffic
    name: str
    format_id: str  # the ingest format id the file should be recognised as
    source: str  # vendor / tool
    site: str
    layout: str  # one line: which published layout it follows
    build: object  # () -> bytes
    expect: str = "load"  # or "reject": a negative fixture

    @property
    def relpath(self) -> str:
        return f"{self.kind}/{self.name}"


ORIGINALS = (
    Original("backlinks", f"{SITE}-backlinks-subdomains_2026-04-18_15-44-46.csv",
             "ahrefs_current", "ahrefs", SITE,
             "Ahrefs Site Explorer backlinks, Excel option (UTF-16 LE BOM, TAB, CRLF)",
             ahrefs_excel),
    Original("backlinks", f"{RIVAL}-backlinks-subdomains_2026-04-18_09-05-12.csv",
             "ahrefs_current", "ahrefs", RIVAL,
             "Ahrefs Site Explorer backlinks, UTF-8 option (comma, LF)", ahrefs_utf8),
    Original("backlinks", f"{SITE}-backlinks-legacy_2026-04-18.csv", "ahrefs_legacy", "ahrefs",
             SITE, "Ahrefs pre-2022 backlinks export (UTF-16 LE BOM, TAB)", ahrefs_legacy),
    Original("backlinks", f"{SITE}-backlinks.csv", "semrush", "semrush", SITE,
             "Semrush Backlink Analytics export (UTF-8 BOM, comma)", semrush_backlinks),
    Original("backlinks", f"{SITE}-moz-inbound-links_2026-04-18.csv", "moz", "moz", SITE,
             "Moz Link Explorer inbound links, current layout, metadata lines", moz),
    Original("backlinks", f"{RIVAL}-moz-inbound-links_2026-04-18.csv", "moz", "moz", RIVAL,
             "Moz Open Site Explorer inbound links, classic layout (N% spam, Yes/No)",
             moz_legacy),
    Original("backlinks", f"{SITE}-majestic-fresh-backlinks_2026-04-18.csv", "majestic",
             "majestic", SITE, "Majestic Site Explorer backlinks export (CamelCase flags)",
             majestic),
    Original("rankings", f"{SITE}-position-tracking-rankings-overview_2026-11-13.csv",
             "semrush_position_tracking", "semrush", SITE,
             "Semrush Position Tracking Rankings Overview, wide", semrush_position_tracking),
    Original("rankings", f"{SITE}-rank-tracker-overview_2026-11-13.csv", "ahrefs_rank_tracker",
             "ahrefs", SITE, "Ahrefs Rank Tracker overview (UTF-16 LE BOM, TAB)",
             ahrefs_rank_tracker),
    Original("rankings", f"{SITE}-accuranker-export_2026-11-13.csv", "accuranker",
             "accuranker", SITE, "AccuRanker keyword export, long", accuranker),
    Original("rankings", f"{SITE}-se-ranking-export_2026-11-13.csv", "se_ranking_wide",
             "se_ranking", SITE, "SE Ranking rankings export, wide DD.MM.YYYY columns",
             se_ranking),
    Original("rankings", f"{SITE}-rank-tracker_2026-11-13.csv", "rank_tracker_long", "generic",
             SITE, "generic long rank-tracker CSV", generic_rankings),
    Original("rankings", f"{SITE}-Performance-on-Search-2026-11-14.zip", "gsc_ui_export", "gsc",
             SITE, "Search Console Performance export zip, English UI", gsc_english),
    Original("rankings", f"{SITE}-Leistung-in-der-Suche-2026-11-14.zip", "gsc_ui_export", "gsc",
             SITE, "Search Console Performance export zip, German UI", gsc_german),
    Original("rankings", f"{SITE}-Performance-on-Search-compare-2026-11-14.zip",
             "gsc_ui_export", "gsc", SITE,
             "Search Console Performance export zip, English UI, Compare mode", gsc_compare),
    Original("rankings", f"{SITE}-Performance-on-Search-2026-11-15.zip", "gsc_ui_export", "gsc",
             SITE, "Search Console export zip, custom range, no Dates.csv", gsc_custom_range),
    Original("traffic", f"{SITE}-ga4-landing-page-daily_2026-11-01_2026-11-14.csv",
             "ga4_export", "ga4_export", SITE,
             "GA4 report download (CSV), Landing page + Date", ga4_daily),
    Original("traffic", f"{SITE}-ga4-landing-page_2026-11-14.csv", "ga4_export", "ga4_export",
             SITE, "GA4 report download (CSV), one day, Landing page + Hostname",
             ga4_single_day),
    Original("traffic", f"{SITE}-ga4-landing-page-week_2026-11-01_2026-11-07.csv", "ga4_export",
             "ga4_export", SITE,
             "GA4 report download (CSV), 7 days without Date (negative fixture)",
             ga4_multi_day_without_date, expect="reject"),
)  # fmt: skip


def build() -> dict[str, bytes]:
    """Every original, {path relative to the corpus folder: bytes}."""
    return {original.relpath: original.build() for original in ORIGINALS}  # type: ignore[operator]


def write(folder: Path) -> list[Path]:
    paths = []
    for relpath, data in build().items():
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths
