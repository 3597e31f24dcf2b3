"""Wide rank-tracker exports (docs/sources.md §3): one column per date instead of one row.

`long_select` turns such a file into long rows inside DuckDB: the header is read in Python, and
the SELECT it returns unnests every data line into one row per date (and per tracked target, for
Semrush Position Tracking: `ingest.sources.semrush.position_tracking`), with dates and domains as
bound parameters — the rows themselves never pass through Python. `reshape_se_ranking` reads SE
Ranking's wide export with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ingest.inbox.fileformat import Reshaped
from ingest.inbox.files import CsvLayout, FileRejected

SE_RANKING_DATE_COLUMN = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
# Normalized header names (see files.normalize_header): what the format matchers see.
_SE_RANKING_NORMALIZED = re.compile(r"^\d{8}$")

# The columns a wide export repeats on each long row, as the reshapes look for them.
KEYWORD = ("Keyword",)
TAGS = ("Tags",)
VOLUME = ("Search Volume", "Volume", "Search volume")
URL = ("URL", "Landing page", "Current URL")


def column_sql(layout: CsvLayout, aliases: Sequence[str]) -> str:
    """The data column the first of `aliases` names (`c3`), or a typed null when none does."""
    index = layout.index(aliases)
    return f"c{index}" if index is not None else "cast(null as varchar)"


def long_select(fixed: dict[str, str], cells: list[dict[str, str]], parts: Sequence[str]) -> str:
    """Each data line once per cell: `fixed` columns repeat, a cell holds the per-date columns
    (SQL expressions: `c5`, `?` or a typed null)."""
    structs = ", ".join(
        "{" + ", ".join(f"'{name}': {cell[name]}" for name in parts) + "}" for cell in cells
    )
    inner = ", ".join(f"{expr} as {name}" for name, expr in fixed.items())
    outer = ", ".join([*fixed, *(f"cell.{name} as {name}" for name in parts)])
    return f"select {outer} from (select {inner}, unnest([{structs}]) as cell from source)"


def has_se_ranking_date_columns(names: Sequence[str]) -> bool:
    return any(_SE_RANKING_NORMALIZED.match(n) for n in names)


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


def reshape_se_ranking(layout: CsvLayout) -> Reshaped:
    """SE Ranking's wide export: one position column per `DD.MM.YYYY` date."""
    columns = se_ranking_date_columns(layout.header)
    if not columns:
        raise FileRejected("SE Ranking export without `DD.MM.YYYY` date columns")
    cells = [{"ranking_date": "?", "position": f"c{index}"} for _, index in columns]
    fixed = {
        "keyword": column_sql(layout, KEYWORD),
        "url": column_sql(layout, URL),
        "search_volume": column_sql(layout, VOLUME),
        "tags": column_sql(layout, TAGS),
    }
    sql = long_select(fixed, cells, ("ranking_date", "position"))
    return Reshaped(sql, [day.isoformat() for day, _ in columns], len(columns))
