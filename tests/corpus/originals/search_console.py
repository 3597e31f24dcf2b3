"""Search Console "Performance on Search" UI exports: zips in English, German, Compare mode and a
custom range without Dates.csv."""

from __future__ import annotations

import codecs
import io
import zipfile
from datetime import date, timedelta

from tests.corpus.originals.data import GSC_DAYS, _csv, _page

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
