"""The few things every module that talks to a DuckDB warehouse needs, written once.

- `transaction(con)`: begin, commit on success, roll back on any exception (re-raised), so a
  crash mid-load leaves the warehouse as it was.
- `quote_identifier(name)`: a schema, table or column name as a quoted SQL identifier. Values
  are never formatted into SQL: they are bound parameters.
- `rows_as_dicts(cursor)`: the rows of the last query as dicts keyed by column name.
- `table_exists(con, schema, table)`: whether a table or view exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on `con`: committed when the block ends, rolled back if it raises."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def quote_identifier(name: str) -> str:
    """`name` as a double-quoted SQL identifier (a `"` inside is doubled)."""
    return '"' + name.replace('"', '""') + '"'


def rows_as_dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every remaining row of `cursor`'s last query, as a dict keyed by column name."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether `schema.table` exists (a table or a view) in `con`'s current database."""
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])
