"""Rank-tracker exports that need more than a header-to-column mapping (sources.md §3).

Wide exports hold one column per date (and, for Semrush Position Tracking, per tracked target):
`reshape_semrush_position_tracking` and `reshape_se_ranking` read the header in Python and return
a SELECT that unnests every data line into one long row per date and target inside DuckDB, with
dates and domains as bound parameters — the rows themselves never pass through Python.

A Search Console UI export is a zip of several CSVs (`Queries.csv`, `Pages.csv`, `Dates.csv` or
`Chart.csv`, ...) with localized headers and number formats. `combine_search_console_export`
streams the members it recognises into one long CSV (one row per member row, tagged with its
report) that the `gsc_export` format loads; values stay as Search Console wrote them and staging
parses them.
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
from ingest.files import CsvLayout, FileRejected, csv_relation_sql, find_header, normalize_header

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
GSC_METRICS = {
    "clicks": ("Clicks", "Klicks", "Clics"),
    "impressions": ("Impressions", "Impressionen", "Impresiones"),
    "ctr": ("CTR",),
    "position": ("Position", "Posición"),
}
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
}


def _is_gsc_header(names: Sequence[str]) -> bool:
    wanted = {m: {normalize_header(a) for a in aliases} for m, aliases in GSC_METRICS.items()}
    return bool(wanted["clicks"] & set(names)) and bool(wanted["impressions"] & set(names))


def _gsc_report(layout: CsvLayout, member: Path) -> str | None:
    first = normalize_header(layout.header[0])
    for report, aliases in GSC_DIMENSIONS.items():
        if first in {normalize_header(a) for a in aliases}:
            return report
    return GSC_MEMBER_NAMES.get(normalize_header(member.stem))


def combine_search_console_export(members: Sequence[Path], folder: Path) -> Path | None:
    """One long CSV (header `GSC_COMBINED_COLUMNS`) from the members of a Search Console UI
    export, or None when the members do not look like one (then the zip is not ours to read).

    Members without Clicks and Impressions (`Filters.csv`) are left out. Streams through DuckDB."""
    selects, params = [], []
    for member in sorted(members):
        if member.suffix.lower() != ".csv":
            continue
        try:
            layout = find_header(member, _is_gsc_header, max_lines=5)
        except FileRejected:
            continue
        report = _gsc_report(layout, member)
        if report is None:
            log.info("%s: not a Search Console report this loader knows, left out", member.name)
            continue
        values = {"report": "?", "member": "?"}
        values[report if report != "date" else "report_date"] = "c0"
        for metric, aliases in GSC_METRICS.items():
            index = layout.index(aliases)
            if index is not None:
                values[metric] = f"c{index}"
        relation, relation_params = csv_relation_sql(layout)
        columns = ", ".join(
            f'{values.get(name, "cast(null as varchar)")} as "{header}"'
            for name, header in GSC_COMBINED_COLUMNS.items()
        )
        # Bound parameters are numbered in text order: the two literals come before read_csv's.
        selects.append(f"select {columns} from {relation}")
        params += [report, member.name, *relation_params]
    if not selects:
        return None
    combined = folder / "search-console-export.csv"
    target = str(combined).replace("'", "''")
    with duckdb.connect() as con:
        con.execute(
            f"copy ({' union all '.join(selects)}) to '{target}' (header true, delimiter ',')",
            params,
        )
    return combined
