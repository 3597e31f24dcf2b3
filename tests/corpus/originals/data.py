"""The data set every original is built from: the sites, the snapshot and report dates, the
backlinks of both sites, and the CSV/encoding helpers the vendor writers share.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

SITE = "acme-outdoor.com"
RIVAL = "rival-gear.com"
BACKLINK_SNAPSHOT = date(2026, 4, 18)
RANK_DAYS = (date(2026, 11, 10), date(2026, 11, 12), date(2026, 11, 13))
GSC_DAYS = tuple(date(2026, 11, 8) + timedelta(days=i) for i in range(7))  # Nov 8..14
GSC_PREVIOUS_DAYS = tuple(day - timedelta(days=7) for day in GSC_DAYS)  # Nov 1..7
GA4_DAYS = tuple(date(2026, 11, 1) + timedelta(days=i) for i in range(14))  # Nov 1..14


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


def _page(path: str) -> str:
    return f"https://www.{SITE}{path}"
