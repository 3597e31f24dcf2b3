"""Rank-tracker exports that need more than a header-to-column mapping (docs/sources.md §3).

Wide exports hold one column per date (and, for Semrush Position Tracking, per tracked target):
`reshape_semrush_position_tracking` and `reshape_se_ranking` read the header in Python and return
a SELECT that unnests every data line into one long row per date and target inside DuckDB, with
dates and domains as bound parameters — the rows themselves never pass through Python.

A Search Console UI export is a zip of several CSVs (`Queries.csv`, `Pages.csv`, `Dates.csv` or
`Chart.csv`, ...) with localized headers and number formats. `combine_search_console_export`
streams the members it recognises into one long CSV (one row per member row, tagged with its
report) that the `gsc_export` format loads; values stay as Search Console wrote them and staging
parses them. The aggregates are only meaningful with their period: an explicit range in
`Filters.csv` is written on every row, else staging takes the first and last day of the Dates
report, and a zip with neither is refused. A compare-mode export loads its current period. A
member dropped alone (`Queries.csv`) is recognised only to be refused: its period is elsewhere.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from ingest.domains import has_public_suffix, host_of, registrable_domain
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

# `acme.com/*_20260401`, `*.acme.com/*_20260401_type`, `https://acme.com/blog/*_20260401_landing`
SEMRUSH_DATE_COLUMN = re.compile(
    r"^(?P<target>.+?)_(?P<date>\d{8})(?:_(?P<part>type|landing))?$", re.IGNORECASE
)
SE_RANKING_DATE_COLUMN = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
# Normalized header names (see files.normalize_header): what the format matchers see.
_SEMRUSH_NORMALIZED = re.compile(r"^[0-9a-z%]*[a-z][0-9a-z%]*\d{8}$")
_SE_RANKING_NORMALIZED = re.compile(r"^\d{8}$")

KEYWORD = ("Keyword",)
TAGS = ("Tags",)
VOLUME = ("Search Volume", "Volume", "Search volume")
URL = ("URL", "Landing page", "Current URL")


@dataclass(frozen=True)
class Reshaped:
    """A format's own SELECT producing its canonical columns from `source`, the file's data rows
    as the VARCHAR columns c0..cN of `files.csv_relation_sql`."""

    sql: str
    params: list[object]
    rows_per_line: int = 1  # long rows each data line becomes (one per date and target)
    site: str | None = None  # the site the header names, if it names one


def has_semrush_date_columns(names: Sequence[str]) -> bool:
    return any(_SEMRUSH_NORMALIZED.match(n) for n in names)


def has_se_ranking_date_columns(names: Sequence[str]) -> bool:
    return any(_SE_RANKING_NORMALIZED.match(n) for n in names)


def _target_domain(target: str) -> str | None:
    """`*.acme.com/*` -> `acme.com`: the registrable domain a Semrush column tracks."""
    host = host_of(target.strip().removeprefix("*.").removeprefix("*"))
    return registrable_domain(host) if host and has_public_suffix(host) else None


def semrush_date_groups(header: Sequence[str]) -> list[tuple[str, date, dict[str, int]]]:
    """(target domain, date, {part: column index}) per date and target, in header order; part is
    `position`, `type` (SERP feature) or `landing` (URL). Groups without a position are dropped."""
    groups: dict[tuple[str, date], dict[str, int]] = {}
    for index, name in enumerate(header):
        match = SEMRUSH_DATE_COLUMN.match(name.strip())
        if not match:
            continue
        try:
            day = datetime.strptime(match["date"], "%Y%m%d").date()
        except ValueError:
            continue
        domain = _target_domain(match["target"])
        if domain is None:
            continue
        part = (match["part"] or "position").lower()
        groups.setdefault((domain, day), {}).setdefault(part, index)
    return [(domain, day, parts) for (domain, day), parts in groups.items() if "position" in parts]


def se_ranking_date_columns(header: Sequence[str]) -> list[tuple[date, int]]:
    found = []
    for index, name in enumerate(header):
        match = SE_RANKING_DATE_COLUMN.match(name.strip())
        if not match:
            continue
        try:
            found.append((date(int(match[3]), int(match[2]), int(match[1])), index))
        except ValueError:
            continue
    return found


def _column(layout: CsvLayout, aliases: Sequence[str]) -> str:
    index = layout.index(aliases)
    return f"c{index}" if index is not None else "cast(null as varchar)"


def _long_select(fixed: dict[str, str], cells: list[dict[str, str]], parts: Sequence[str]) -> str:
    """Each data line once per cell: `fixed` columns repeat, a cell holds the per-date columns
    (SQL expressions: `c5`, `?` or a typed null)."""
    structs = ", ".join(
        "{" + ", ".join(f"'{name}': {cell[name]}" for name in parts) + "}" for cell in cells
    )
    inner = ", ".join(f"{expr} as {name}" for name, expr in fixed.items())
    outer = ", ".join([*fixed, *(f"cell.{name} as {name}" for name in parts)])
    return f"select {outer} from (select {inner}, unnest([{structs}]) as cell from source)"


def reshape_semrush_position_tracking(layout: CsvLayout) -> Reshaped:
    """Semrush Position Tracking "Rankings Overview": per target and date a position column
    (`-` when not ranking), `_type` (SERP feature) and `_landing` (ranking URL)."""
    groups = semrush_date_groups(layout.header)
    if not groups:
        raise FileRejected("Semrush Position Tracking export without `<target>_YYYYMMDD` columns")
    null = "cast(null as varchar)"
    cells, params = [], []
    for domain, day, parts in groups:
        cells.append(
            {
                "ranking_date": "?",
                "target_domain": "?",
                "position": f"c{parts['position']}",
                "serp_feature": f"c{parts['type']}" if "type" in parts else null,
                "url": f"c{parts['landing']}" if "landing" in parts else null,
            }
        )
        params += [day.isoformat(), domain]
    fixed = {
        "keyword": _column(layout, KEYWORD),
        "tags": _column(layout, TAGS),
        "search_volume": _column(layout, VOLUME),
    }
    parts = ("ranking_date", "target_domain", "position", "serp_feature", "url")
    # The project's own domain is the first target Semrush writes; competitors follow.
    return Reshaped(_long_select(fixed, cells, parts), params, len(groups), groups[0][0])


def reshape_se_ranking(layout: CsvLayout) -> Reshaped:
    """SE Ranking's wide export: one position column per `DD.MM.YYYY` date."""
    columns = se_ranking_date_columns(layout.header)
    if not columns:
        raise FileRejected("SE Ranking export without `DD.MM.YYYY` date columns")
    cells = [{"ranking_date": "?", "position": f"c{index}"} for _, index in columns]
    fixed = {
        "keyword": _column(layout, KEYWORD),
        "url": _column(layout, URL),
        "search_volume": _column(layout, VOLUME),
        "tags": _column(layout, TAGS),
    }
    sql = _long_select(fixed, cells, ("ranking_date", "position"))
    return Reshaped(sql, [day.isoformat() for day, _ in columns], len(columns))


# --- Search Console UI export ----------------------------------------------------------------
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
