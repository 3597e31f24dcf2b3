"""Reading a file's rows into its table, and accounting for every data line that did not become
a usable row: malformed lines (with their line numbers), rows lacking a required column, and
rows with a value that does not read (held out in `ops.rejected_rows`, with the reason)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import duckdb

from ingest.inbox import values
from ingest.inbox.fileformat import FileFormat, Reshaped
from ingest.inbox.files import CsvLayout, csv_relation_sql
from ingest.inbox.raw import typed_columns
from ingest.warehouse import quote_identifier


@dataclass(frozen=True)
class RowCounts:
    loaded: int
    rejected: int
    samples: tuple[str, ...]  # a few "line N: why" lines for the report


def copy_rows(
    con: duckdb.DuckDBPyConnection,
    layout: CsvLayout,
    fmt: FileFormat,
    target: str,
    shaped: Reshaped | None = None,
) -> int:
    """Stream the file into a new table of its own (values as the vendor wrote them; the raw view
    presents typed columns in canonical form). Malformed rows are skipped, not failing the file.
    Returns rows written.

    A format with a `reshape` (wide rank exports) supplies its own SELECT over the rows."""
    relation, params = csv_relation_sql(layout)
    if shaped is not None:
        return con.execute(
            f"create table {target} as with source as (select * from {relation}) {shaped.sql}",
            [*params, *shaped.params],
        ).fetchone()[0]
    selected = []
    for canonical, aliases in fmt.columns.items():
        index = layout.index(aliases)
        if index is not None:
            selected.append(f"c{index} as {quote_identifier(canonical)}")
    return con.execute(
        f"create table {target} as select {', '.join(selected)} from {relation}", params
    ).fetchone()[0]


def malformed_lines(con: duckdb.DuckDBPyConnection, layout: CsvLayout) -> list[tuple[int, str]]:
    """Read the file again, recording why and where rows were skipped (a quoted field spanning
    lines also makes a file look short, and then nothing is reported)."""
    rejects = f"linkokr_rejects_{uuid.uuid4().hex}"
    detailed, detailed_params = csv_relation_sql(layout, rejects_table=rejects)
    # Every column is parsed (hashed, not kept), so every malformed line is seen; the rejects
    # table is written when the scan finishes, hence fetchall.
    every = ", ".join(f"c{i}" for i in range(len(layout.header)))
    con.execute(f"select sum(hash({every})) from {detailed}", detailed_params).fetchall()
    malformed = con.execute(f"select line, error_message from {rejects} order by line").fetchall()
    con.execute(f"drop table {rejects}")
    con.execute(f"drop table {rejects}_scans")
    return malformed


KIND_WORDS = {
    "date": "a date",
    "number": "a number",
    "percent": "a percentage",
    "position": "a rank position",
    "bool": "true or false",
}


def _describe_invalid(
    bad: values.InvalidValue, column_format: values.ColumnFormat, header: str, where: str
) -> str:
    how = ""
    if column_format.kind == "date" and column_format.order:
        how = (
            " (the column reads day-first)"
            if column_format.order == "dmy"
            else (" (the column reads month-first)")
        )
    elif column_format.kind in ("number", "percent", "position"):
        how = " (the column has decimal commas)" if column_format.decimal == "," else ""
    word = KIND_WORDS[column_format.kind]
    return f"{where}, column {header!r}: {bad.value[:100]!r} is not {word}{how}"


@dataclass(frozen=True)
class ReadRows:
    """What became of a file's data rows: the counts, the column formats decided, and the rows
    held out because a value did not read (for `ops.rejected_rows`)."""

    counts: RowCounts
    formats: dict[str, values.ColumnFormat]
    held_out: list[tuple]  # (row_index, line, column header, value, reason)


def read_rows(
    con: duckdb.DuckDBPyConnection,
    layout: CsvLayout,
    fmt: FileFormat,
    target: str,
    *,
    read: int,
    malformed: list[tuple[int, str]],
    rows_per_line: int,
    date_order: str,
) -> ReadRows:
    """Account for every data line that did not become a usable row: `malformed` lines (with
    their line numbers), rows lacking a required column, rows with a value that does not read."""
    missing = " or ".join(f"{quote_identifier(c)} is null" for c in fmt.required) or "false"
    incomplete = con.execute(f"select count(*) from {target} where {missing}").fetchone()[0]
    headers = {c: _header_name(layout, fmt, c) for c in fmt.types}
    decided = values.decide_formats(
        con,
        target,
        typed_columns(con, target, fmt),
        names=headers,
        delimiter=layout.delimiter,
        date_order=date_order,
    )
    formats = decided.formats
    invalid = values.find_invalid(con, target, formats) if decided.invalid else []
    complete_rows = set()
    if invalid:
        complete_rows = {
            row[0]
            for row in con.execute(
                f"select rowid from {target} where not ({missing}) and rowid in "
                "(select unnest(?::bigint[]))",
                [sorted({bad.row_index for bad in invalid})],
            ).fetchall()
        }
    held_out = []
    for bad in invalid:
        if bad.row_index not in complete_rows:
            continue
        line = layout.header_line + 2 + bad.row_index // max(rows_per_line, 1)
        header = headers.get(bad.column, bad.column)
        reason = _describe_invalid(bad, formats[bad.column], header, f"line {line}")
        held_out.append((bad.row_index, line, header, bad.value[:500], reason))
    samples = [f"line {line}: {message}" for line, message in malformed[:5]]
    if incomplete:
        samples.append(
            f"{incomplete} row(s) without a value in a required column ({', '.join(fmt.required)})"
        )
    samples += [row[4] for row in held_out[:5]]
    if len(held_out) > 5:
        samples.append(f"... and {len(held_out) - 5} more value(s) that do not read")
    invalid_rows = len(complete_rows)
    rejected = len({line for line, _ in malformed}) + incomplete + invalid_rows
    counts = RowCounts(read - incomplete - invalid_rows, rejected, tuple(samples))
    return ReadRows(counts, formats, held_out)


def _header_name(layout: CsvLayout, fmt: FileFormat, column: str) -> str:
    """The header a canonical column came from, as the file wrote it (for messages)."""
    index = layout.index(fmt.columns.get(column, ())) if fmt.columns.get(column) else None
    if index is None or index >= len(layout.header):
        return column
    return layout.header[index]
