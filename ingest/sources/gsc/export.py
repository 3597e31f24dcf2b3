"""Search Console UI exports (docs/sources.md §3): a zip of several CSVs (`Queries.csv`,
`Pages.csv`, `Dates.csv` or `Chart.csv`, ...) with localized headers and number formats.

`combine_search_console_export` streams the members it recognises into one long CSV (one row per
member row, tagged with its report) that the `gsc_ui_export` format loads; values stay as Search
Console wrote them and staging parses them. The aggregates are only meaningful with their period:
an explicit range in `Filters.csv` is written on every row, else staging takes the first and last
day of the Dates report, and a zip with neither is refused. A compare-mode export loads its
current period. A member dropped alone (`Queries.csv`) is recognised only to be refused: its
period is elsewhere.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from ingest.inbox.fileformat import Reshaped
from ingest.inbox.files import (
    DELIMITERS,
    CsvLayout,
    FileRejected,
    csv_relation_sql,
    detect_encoding,
    find_header,
    head_lines,
    normalize_header,
    split_line,
)

log = logging.getLogger(__name__)

# Header names as the Search Console UI writes them in English, German, French and Spanish.
GSC_DIMENSIONS = {
    "query": ("Top queries", "Häufigste Suchanfragen", "Requêtes les plus fréquentes",
              "Consultas principales", "Query", "Queries"),
    "page": ("Top pages", "Häufigste Seiten", "Pages les plus populaires", "Páginas principales",
             "Page", "Pages"),
    "date": ("Date", "Datum", "Fecha"),
    "country": ("Country", "Land", "Pays", "País"),
    "device": ("Device", "Gerät", "Appareil", "Dispositivo"),
    "search_appearance": ("Search appearance", "Darstellung in der Suche",
                          "Apparence dans les résultats de recherche", "Aspecto en la búsqueda"),
}  # fmt: skip
# In compare mode each metric is prefixed with its period's name (`Last 28 days Clicks`,
# `Previous 28 days Clicks`): see `gsc_metric_columns`.
GSC_METRICS = {
    "clicks": ("Clicks", "Klicks", "Clics"),
    "impressions": ("Impressions", "Impressionen", "Impresiones"),
    "ctr": ("CTR", "Klickrate"),
    "position": ("Position", "Posición", "Durchschnittliche Position", "Average position",
                 "Position moyenne", "Posición media"),
}  # fmt: skip
# Member file names (`Queries.csv`, `Chart.csv`, ...) when the first header is not one we know.
GSC_MEMBER_NAMES = {
    "queries": "query",
    "pages": "page",
    "dates": "date",
    "chart": "date",
    "countries": "country",
    "devices": "device",
    "searchappearance": "search_appearance",
}
# Filters.csv: `Filter,Value` then one row per filter (`Search type,Web`, `Date,Last 28 days`).
GSC_FILTERS_MEMBERS = ("filters", "filter", "filtres", "filtros")
GSC_FILTERS_HEADERS = ("Filter", "Filtre", "Filtro")
GSC_SEARCH_TYPE = ("Search type", "Suchtyp", "Type de recherche", "Tipo de búsqueda")
# The combined CSV's header: what the `gsc_export` format recognises.
GSC_COMBINED_COLUMNS = {
    "report": "Search Console report",
    "query": "Query",
    "page": "Page",
    "report_date": "Date",
    "country": "Country",
    "device": "Device",
    "search_appearance": "Search appearance",
    "clicks": "Clicks",
    "impressions": "Impressions",
    "ctr": "CTR",
    "position": "Position",
    "member": "Export file",
    "period_start": "Period start",
    "period_end": "Period end",
    "search_type": "Search type",
    "filters": "Filters",
}
# An explicit day in a Date filter: ISO, or the English UI's `Nov 8, 2026`.
_FILTER_DAY = re.compile(r"\d{4}-\d{2}-\d{2}|[A-Za-z]{3,9}\.?\s+\d{1,2},\s*\d{4}")
_COMPARED_TO = re.compile(r"\s+(?:vs\.?|versus|compared to)\s+", re.IGNORECASE)


def _normalized(aliases: Sequence[str]) -> set[str]:
    return {normalize_header(a) for a in aliases}


def gsc_metric_columns(header: Sequence[str]) -> dict[str, int]:
    """Metric -> column index of the period the export is about. In compare mode that is the
    first period (`Last 28 days` before `Previous 28 days`): the prefix of the first Clicks
    column, which every metric of that period shares."""
    names = [normalize_header(h) for h in header]
    clicks = _normalized(GSC_METRICS["clicks"])
    prefix = next(
        (name[: -len(alias)] for name in names for alias in clicks if name.endswith(alias)), None
    )
    if prefix is None:
        return {}
    found = {}
    for metric, aliases in GSC_METRICS.items():
        wanted = {prefix + alias for alias in _normalized(aliases)}
        index = next((i for i, name in enumerate(names) if name in wanted), None)
        if index is not None:
            found[metric] = index
    return found


def _is_gsc_header(names: Sequence[str]) -> bool:
    return {"clicks", "impressions"} <= set(gsc_metric_columns(names))


def is_search_console_member(names: Sequence[str]) -> bool:
    """A header of one report of a Search Console export (`Top queries,Clicks,...`)."""
    dimensions = set().union(*(_normalized(a) for a in GSC_DIMENSIONS.values()))
    return bool(names) and names[0] in dimensions and _is_gsc_header(names)


def refuse_search_console_member(layout: CsvLayout) -> Reshaped:
    """A report CSV taken out of a Search Console export zip: refused, since the period its
    numbers cover is only in the zip's other files (Dates.csv or Chart.csv, Filters.csv)."""
    raise FileRejected(
        f"line {layout.header_line + 1}: this is one report of a Search Console export "
        f"({', '.join(layout.header[:3])}, ...) without the rest of the export, so the period "
        "its numbers cover is unknown: drop the whole zip as Search Console downloaded it "
        "(Performance > Export > Download CSV) in rankings/, without unpacking it"
    )


def _gsc_report(layout: CsvLayout, member: Path) -> str | None:
    first = normalize_header(layout.header[0])
    for report, aliases in GSC_DIMENSIONS.items():
        if first in _normalized(aliases):
            return report
    return GSC_MEMBER_NAMES.get(normalize_header(member.stem))


@dataclass(frozen=True)
class GscFilters:
    """What an export's Filters.csv says: the Date filter as written and the period it names
    (None when relative, like `Last 28 days`), the search type, and any other filter."""

    date_filter: str | None = None
    period: tuple[date, date] | None = None
    search_type: str | None = None
    others: str | None = None  # `Country: United States; Page: +/tents`


def _filter_day(text: str) -> date | None:
    text = " ".join(text.replace(".", " ").split())
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for pattern in ("%b %d, %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def explicit_period(date_filter: str) -> tuple[date, date] | None:
    """The first and last day a Date filter names (`Nov 8, 2026-Nov 14, 2026`, ISO dates; in
    compare mode the first range), or None for a relative range such as `Last 28 days`."""
    current = _COMPARED_TO.split(date_filter, maxsplit=1)[0]
    days = [_filter_day(token) for token in _FILTER_DAY.findall(current)]
    if not days or None in days or len(days) > 2:
        return None
    start, end = days[0], days[-1]
    return (start, end) if start <= end else None


def _filters_member(member: Path) -> list[list[str]] | None:
    """The rows of a Filters.csv (header left out), or None when the member is not one."""
    lines = [
        line
        for line in head_lines(member, detect_encoding(member.open("rb").read(4096)))
        if line.strip()
    ]
    if not lines:
        return None
    delimiter = next((d for d in DELIMITERS if d in lines[0]), ",")
    rows = [[cell.strip() for cell in split_line(line, delimiter)] for line in lines]
    by_name = normalize_header(member.stem) in GSC_FILTERS_MEMBERS
    if not by_name and normalize_header(rows[0][0]) not in _normalized(GSC_FILTERS_HEADERS):
        return None
    return rows[1:]


def read_gsc_filters(rows: Sequence[Sequence[str]]) -> GscFilters:
    dates = _normalized(GSC_DIMENSIONS["date"])
    search_types = _normalized(GSC_SEARCH_TYPE)
    date_filter = search_type = None
    others = []
    for row in rows:
        if len(row) < 2 or not row[0]:
            continue
        name, value = row[0], row[1]
        if normalize_header(name) in dates:
            date_filter = value
        elif normalize_header(name) in search_types:
            search_type = value
        else:
            others.append(f"{name}: {value}")
    period = explicit_period(date_filter) if date_filter else None
    return GscFilters(date_filter, period, search_type, "; ".join(others) or None)


def combine_search_console_export(members: Sequence[Path], folder: Path) -> Path | None:
    """One long CSV (header `GSC_COMBINED_COLUMNS`) from the members of a Search Console UI
    export, or None when the members do not look like one (then the zip is not ours to read).

    Every row carries the export's period when Filters.csv names it explicitly (staging falls
    back to the first and last day of Dates.csv / Chart.csv); an export with neither is refused.
    Compare-mode exports load their current period. Streams through DuckDB."""
    reports: list[tuple[Path, CsvLayout, str]] = []
    filters = None
    for member in sorted(members):
        if member.suffix.lower() != ".csv":
            continue
        filter_rows = _filters_member(member)
        if filter_rows is not None:
            filters = read_gsc_filters(filter_rows)
            continue
        try:
            layout = find_header(member, _is_gsc_header, max_lines=5)
        except FileRejected:
            continue
        report = _gsc_report(layout, member)
        if report is None:
            log.info("%s: not a Search Console report this loader knows, left out", member.name)
            continue
        reports.append((member, layout, report))
    if not reports:
        return None
    filters = filters or GscFilters()
    if filters.period is None and not any(report == "date" for _, _, report in reports):
        if filters.date_filter:
            said = f"its Date filter {filters.date_filter!r} names no dates"
        else:
            said = "the zip has no Filters.csv with a Date filter"
        raise FileRejected(
            "no Dates.csv/Chart.csv and no explicit date range in Filters.csv: export again with "
            "a custom date range (Performance > Date > Custom) and drop the zip as downloaded, "
            f"with its Dates.csv or Chart.csv ({said}, so the period the numbers cover is "
            "unknown)"
        )
    start, end = filters.period or (None, None)
    constants = {
        "period_start": start.isoformat() if start else None,
        "period_end": end.isoformat() if end else None,
        "search_type": filters.search_type,
        "filters": filters.others,
    }
    selects, params = [], []
    for member, layout, report in reports:
        metrics = gsc_metric_columns(layout.header)
        values = {**constants, "report": report, "member": member.name}
        columns = {name: "cast(? as varchar)" for name in values}
        columns[report if report != "date" else "report_date"] = "c0"
        columns.update({metric: f"c{index}" for metric, index in metrics.items()})
        relation, relation_params = csv_relation_sql(layout)
        selected = ", ".join(
            f'{columns.get(name, "cast(null as varchar)")} as "{header}"'
            for name, header in GSC_COMBINED_COLUMNS.items()
        )
        # Bound parameters are numbered in text order: the literals come before read_csv's.
        params += [
            values[n] for n in GSC_COMBINED_COLUMNS if columns.get(n) == "cast(? as varchar)"
        ]
        params += relation_params
        current = ""
        if normalize_header(layout.header[metrics["clicks"]]) not in _normalized(
            GSC_METRICS["clicks"]
        ):
            # compare mode: a row seen only in the previous period has no current numbers
            current = (
                f" where nullif(trim(c{metrics['clicks']}), '') is not null"
                f" or nullif(trim(c{metrics['impressions']}), '') is not null"
            )
        selects.append(f"select {selected} from {relation}{current}")
    combined = folder / "search-console-export.csv"
    target = str(combined).replace("'", "''")
    with duckdb.connect() as con:
        con.execute(
            f"copy ({' union all '.join(selects)}) to '{target}' (header true, delimiter ',')",
            params,
        )
    return combined
