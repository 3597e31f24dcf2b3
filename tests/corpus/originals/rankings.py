"""Rank-tracker exports: Semrush Position Tracking, Ahrefs Rank Tracker, AccuRanker, SE Ranking
and the generic long CSV."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from tests.corpus.originals.data import RANK_DAYS, RIVAL, SITE, _csv, _page, _utf16


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
