"""The demo's keyword positions as the rank trackers and Search Console's UI export them.

Every writer reads the same `rank_rows` (same keywords, positions, URLs, volumes and tags as the
generic long export), so the tools agree with each other and with the story: Semrush Position
Tracking's wide "Rankings Overview" (metadata lines, per-date position/type/landing columns),
SE Ranking's wide export (one `DD.MM.YYYY` column per day), Ahrefs Rank Tracker's UTF-16 TAB
snapshot, and Search Console UI export zips (English, and German with `;` and decimal commas)
whose clicks follow the positions through the story's click-through curve.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import random
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from demo.story import SITE, World, ctr
from demo.traffic import RankRow, rank_rows

SEMRUSH_TARGET = f"*.{SITE}/*"
AHREFS_RANK_TRACKER_HEADER = (
    "Keyword",
    "Location",
    "Tags",
    "Volume",
    "KD",
    "CPC",
    "Traffic",
    "Current position",
    "Previous position",
    "Position change",
    "Current URL",
    "SERP features",
    "Updated",
)
# Share of a keyword's daily searches in which the site is seen at all, by position band.
_VISIBILITY = ((10, 1.0), (20, 0.35), (50, 0.08), (100, 0.02))
_COUNTRIES = (("United States", 0.84), ("Canada", 0.09), ("United Kingdom", 0.07))
_DEVICES = (("Mobile", 0.61), ("Desktop", 0.36), ("Tablet", 0.03))
_GSC_HEADERS = {
    "en": {
        "query": "Top queries",
        "page": "Top pages",
        "date": "Date",
        "country": "Country",
        "device": "Device",
        "metrics": ("Clicks", "Impressions", "CTR", "Position"),
        "filters": (("Filter", "Value"), ("Search type", "Web")),
    },
    "de": {
        "query": "Häufigste Suchanfragen",
        "page": "Häufigste Seiten",
        "date": "Datum",
        "country": "Land",
        "device": "Gerät",
        "metrics": ("Klicks", "Impressionen", "CTR", "Position"),
        "filters": (("Filter", "Wert"), ("Suchtyp", "Web")),
    },
}
_COUNTRY_NAMES_DE = {
    "United States": "USA",
    "Canada": "Kanada",
    "United Kingdom": "Vereinigtes Königreich",
}
_DEVICE_NAMES_DE = {"Mobile": "Mobilgerät", "Desktop": "Computer", "Tablet": "Tablet"}


def keyword_tags(world: World) -> dict[str, list[str]]:
    """Each keyword's tags as every tracker carries them: the story's tags, plus the site section
    for product keywords (`tents`, `backpacks`, ...)."""
    tags = {}
    for kw in world.keywords:
        section = kw.path.strip("/").split("/")[0]
        extra = [section] if "product" in kw.tags and section else []
        tags[kw.keyword] = [*kw.tags, *extra]
    return tags


def _rows_by_keyword(world: World, days: Iterable[date]) -> dict[str, dict[date, RankRow]]:
    wanted = set(days)
    out: dict[str, dict[date, RankRow]] = defaultdict(dict)
    for row in rank_rows(world):
        if row.day in wanted:
            out[row.keyword][row.day] = row
    return out


def _page_url(world: World, keyword: str) -> str:
    path = next(kw.path for kw in world.keywords if kw.keyword == keyword)
    return f"https://www.{SITE}{path}"


def _keyword_metrics(world: World, seed: int) -> dict[str, tuple[int, float]]:
    """Keyword difficulty and CPC per keyword, fixed per seed (the story does not model them)."""
    rng = random.Random(f"{seed}:keyword-metrics")
    return {
        kw.keyword: (rng.randint(5, 80), round(rng.uniform(0.2, 2.5), 2)) for kw in world.keywords
    }


def _csv_bytes(rows: list[tuple], delimiter: str = ",", terminator: str = "\r\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=terminator).writerows(rows)
    return out.getvalue().encode("utf-8")


def write_semrush_position_tracking(world: World, seed: int, days: list[date], path: Path) -> None:
    """Semrush Position Tracking "Rankings Overview", wide: per day a position (`-` when not in
    the top 100), SERP feature type and landing URL column for the tracked domain."""
    rows = _rows_by_keyword(world, days)
    tags = keyword_tags(world)
    metrics = _keyword_metrics(world, seed)
    rng = random.Random(f"{seed}:semrush-pt:{days[0]}")
    header = ["Keyword", "Tags", "Intents"]
    for day in days:
        stamp = f"{SEMRUSH_TARGET}_{day:%Y%m%d}"
        header += [stamp, f"{stamp}_type", f"{stamp}_landing"]
    header += [f"{SEMRUSH_TARGET}_difference", "Search Volume", "CPC", "Keyword Difficulty"]
    lines: list[tuple] = [
        ("Position Tracking: Rankings Overview",),
        (f"Project: {SITE}",),
        ("Database: google.com (United States), Desktop",),
        (f"Period: {days[0]:%Y%m%d} - {days[-1]:%Y%m%d}",),
        (),
        tuple(header),
    ]
    for kw in world.keywords:
        by_day = rows[kw.keyword]
        cells = [kw.keyword, ",".join(tags[kw.keyword]), "commercial"]
        for day in days:
            r = by_day[day]
            feature = "featured snippet" if r.position == 1 and rng.random() < 0.3 else ""
            cells += [str(r.position) if r.position else "-", feature, r.url]
        first, last = by_day[days[0]].position, by_day[days[-1]].position
        change = str(first - last) if first and last else ""
        kd, cpc = metrics[kw.keyword]
        cells += [change, str(kw.volume), f"{cpc:.2f}", str(kd)]
        lines.append(tuple(cells))
    path.write_bytes(codecs.BOM_UTF8 + _csv_bytes(lines))


def write_se_ranking(world: World, days: list[date], path: Path) -> None:
    """SE Ranking's wide export: keyword, target URL, volume, tags, then one column per day."""
    rows = _rows_by_keyword(world, days)
    tags = keyword_tags(world)
    lines: list[tuple] = [
        ("Keyword", "URL", "Search volume", "Tags", *(f"{day:%d.%m.%Y}" for day in days))
    ]
    for kw in world.keywords:
        positions = [rows[kw.keyword][day].position for day in days]
        lines.append(
            (
                kw.keyword,
                _page_url(world, kw.keyword),
                str(kw.volume),
                ", ".join(tags[kw.keyword]),
                *(str(p) if p else "-" for p in positions),
            )
        )
    path.write_bytes(_csv_bytes(lines, terminator="\n"))


def write_ahrefs_rank_tracker(world: World, seed: int, day: date, path: Path) -> None:
    """An Ahrefs Rank Tracker snapshot (UTF-16 LE + BOM, TAB): the position on `day` and the
    week before; not ranking is an empty cell."""
    before = day - timedelta(days=7)
    rows = _rows_by_keyword(world, (day, before))
    tags = keyword_tags(world)
    metrics = _keyword_metrics(world, seed)
    updated = f"{day} {(seed * 7 + day.toordinal()) % 24:02d}:{day.toordinal() % 60:02d}:00"
    lines = ["\t".join(AHREFS_RANK_TRACKER_HEADER)]
    for kw in world.keywords:
        now, then = rows[kw.keyword][day], rows[kw.keyword].get(before)
        kd, cpc = metrics[kw.keyword]
        position = now.position
        previous = then.position if then else None
        traffic = round(kw.volume * ctr(position)) if position else 0
        change = str(previous - position) if position and previous else ""
        feature = "Sitelinks" if "brand" in kw.tags and position == 1 else ""
        cells = (
            kw.keyword,
            "United States",
            ", ".join(tags[kw.keyword]),
            str(kw.volume),
            str(kd),
            f"{cpc:.2f}",
            str(traffic),
            str(position) if position else "",
            str(previous) if previous else "",
            change,
            now.url,
            feature,
            updated,
        )
        lines.append("\t".join(cells))
    path.write_bytes(codecs.BOM_UTF16_LE + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))


def _impressions(volume: int, position: int | None, noise: float) -> int:
    if position is None:
        return 0
    share = next(s for limit, s in _VISIBILITY if position <= limit)
    return int(volume / 30.4 * share * noise)


def search_console_days(world: World, seed: int, days: list[date]) -> list[tuple]:
    """(day, keyword, page URL, clicks, impressions, position) for each keyword the site was
    seen for on each day: what a Search Console export aggregates."""
    rng = random.Random(f"{seed}:gsc-export:{days[0]}")
    rows = _rows_by_keyword(world, days)
    out = []
    for day in days:
        for kw in world.keywords:
            r = rows[kw.keyword][day]
            impressions = _impressions(kw.volume, r.position, math.exp(rng.gauss(0, 0.15)))
            if not impressions:
                continue
            clicks = int(impressions * ctr(r.position) + rng.random())
            out.append(
                (day, kw.keyword, _page_url(world, kw.keyword), clicks, impressions, r.position)
            )
    return out


def _aggregate(items: Iterable[tuple[str, int, int, float]]) -> list[tuple[str, int, int, float]]:
    """(key, clicks, impressions, impression-weighted position) per key, most clicks first."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for key, clicks, impressions, position in items:
        acc = sums[key]
        acc[0] += clicks
        acc[1] += impressions
        acc[2] += impressions * position
    rows = [(k, int(c), int(i), p / i if i else 0.0) for k, (c, i, p) in sums.items()]
    return sorted(rows, key=lambda r: (-r[1], -r[2], r[0]))


def write_search_console_export(
    world: World, seed: int, days: list[date], path: Path, *, locale: str = "en"
) -> None:
    """A Search Console "Performance on Search" UI export: a zip of Queries, Pages, Dates (Chart
    in the German one), Countries, Devices and Filters CSVs. German uses `;`, decimal commas and
    `4,2 %` CTRs."""
    german = locale == "de"
    names = _GSC_HEADERS[locale]
    delimiter = ";" if german else ","
    observed = search_console_days(world, seed, days)

    def number(value: float) -> str:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if german else text

    def percent(clicks: int, impressions: int) -> str:
        if not impressions:
            return ""
        value = number(100 * clicks / impressions)
        return f"{value} %" if german else f"{value}%"

    def table(first: str, rows: list[tuple[str, int, int, float]]) -> bytes:
        lines: list[tuple] = [(first, *names["metrics"])]
        for key, clicks, impressions, position in rows:
            shown = number(round(position, 1)) if impressions else ""
            lines.append((key, clicks, impressions, percent(clicks, impressions), shown))
        return codecs.BOM_UTF8 + _csv_bytes(lines, delimiter=delimiter)

    def split(rows, shares, rename):
        for _, _, _, clicks, impressions, position in rows:
            for name, share in shares:
                shared = (round(clicks * share), round(impressions * share))
                yield rename.get(name, name), *shared, position

    queries = _aggregate((kw, c, i, p) for _, kw, _, c, i, p in observed)
    pages = _aggregate((page, c, i, p) for _, _, page, c, i, p in observed)
    per_day = _aggregate((day.isoformat(), c, i, p) for day, _, _, c, i, p in observed)
    per_day.sort(key=lambda r: r[0])
    countries = _aggregate(split(observed, _COUNTRIES, _COUNTRY_NAMES_DE if german else {}))
    devices = _aggregate(split(observed, _DEVICES, _DEVICE_NAMES_DE if german else {}))
    filters = [*names["filters"], ("Datum" if german else "Date", f"{days[0]} - {days[-1]}")]
    members = {
        "Queries.csv": table(names["query"], queries),
        "Pages.csv": table(names["page"], pages),
        ("Chart.csv" if german else "Dates.csv"): table(names["date"], per_day),
        "Countries.csv": table(names["country"], countries),
        "Devices.csv": table(names["device"], devices),
        "Filters.csv": codecs.BOM_UTF8 + _csv_bytes(filters, delimiter=delimiter),
    }
    _write_zip(path, members, days[-1])


def _write_zip(path: Path, members: dict[str, bytes], day: date) -> None:
    """Byte-identical on every run: fixed member times (noon of `day`), modes and compression."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(day.year, day.month, day.day, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    path.write_bytes(buffer.getvalue())
