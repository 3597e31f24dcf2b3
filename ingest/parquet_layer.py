"""The raw layer as Parquet, for an engine other than DuckDB (Spark: LINKOKR_ENGINE=spark).

DuckDB keeps the ingest's rows in the warehouse file: one table per loaded file (the `raw` views
union them with their lineage from the ledger), the API pulls' tables and the `ops` ledger.
Before a Spark build they are written as Parquet under `<root>/<schema>/<table>/`, which Spark
registers as its sources (dbt_project's macros/engine/raw_layer.sql):

- a file-backed raw relation gets one Parquet file per load the ledger says is loaded (plus one
  empty file that carries every column); a load already written is not written again, and the
  file of a load that was forgotten (or whose reading changed) is removed;
- every other relation (API pulls, the ledger) is written whole.

Every file is written under a temporary name and renamed, so a crash mid-export leaves the
previous files readable and a `.tmp` orphan, which the next export removes."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path

import duckdb

from ingest.inbox.raw import file_tables, file_view_parts
from ingest.warehouse import quote_identifier

RAW_SCHEMAS = ("raw", "ops")

# DuckDB types a Parquet reader elsewhere may not know, and what they are written as.
_PORTABLE = {"JSON": "VARCHAR", "UUID": "VARCHAR", "HUGEINT": "BIGINT", "UHUGEINT": "BIGINT"}


def _select_list(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    columns = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    parts = []
    for name, data_type in columns:
        column = quote_identifier(name)
        portable = _PORTABLE.get(data_type)
        parts.append(f"cast({column} as {portable}) as {column}" if portable else column)
    return ", ".join(parts)


def _copy(con: duckdb.DuckDBPyConnection, select: str, target: Path) -> None:
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    # The path is ours (root, schema and table names); DuckDB's COPY takes no parameter.
    quoted_path = str(staging).replace("'", "''")
    con.execute(f"copy ({select}) to '{quoted_path}' (format parquet, compression zstd)")
    staging.rename(target)


def export_file_loads(con: duckdb.DuckDBPyConnection, folder: Path, table: str) -> int:
    """`raw.<table>` as one Parquet file per loaded file; returns how many were written now."""
    folder.mkdir(parents=True, exist_ok=True)
    for orphan in folder.glob(".*.tmp"):
        orphan.unlink()
    parts = file_view_parts(con, table)
    columns = parts[0][1]
    wanted = {}
    for load_id, select in parts:
        # named by the load and its SELECT: a load read differently is written again
        digest = hashlib.sha256(select.encode()).hexdigest()[:16]
        name = f"{load_id or 'columns'}-{digest}.parquet"
        # every file carries every column (the empty typed table's), as the view does
        wanted[name] = select if load_id is None else f"{columns}\nunion all by name\n{select}"
    written = 0
    for name, select in wanted.items():
        if not (folder / name).exists():
            _copy(con, select, folder / name)
            written += 1
    for stale in folder.glob("*.parquet"):
        if stale.name not in wanted:
            stale.unlink()
    return written


def export_raw_layer(con: duckdb.DuckDBPyConnection, root: Path) -> list[str]:
    """The `raw` and `ops` relations under `root` (see the module's text); returns them."""
    tables = set(file_tables())
    for table in sorted(tables):
        export_file_loads(con, root / "raw" / table, table)
    return [f"raw.{table}" for table in sorted(tables)] + export_schemas(
        con, root, RAW_SCHEMAS, skip={("raw", table) for table in tables}
    )


def export_schemas(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    schemas: tuple[str, ...] = RAW_SCHEMAS,
    skip: set[tuple[str, str]] = frozenset(),
) -> list[str]:
    """Writes every table and view of `schemas` (but those in `skip`) whole, as
    `<root>/<schema>/<table>/data.parquet`; returns the relations written (`schema.table`).
    Folders of relations that no longer exist are removed, and so are the temporary folders of
    an export that did not finish."""
    written = []
    for schema in schemas:
        folder = root / schema
        folder.mkdir(parents=True, exist_ok=True)
        for orphan in folder.glob(".*.tmp"):
            shutil.rmtree(orphan, ignore_errors=True)
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ?"
                " order by table_name",
                [schema],
            ).fetchall()
        ]
        for stale in folder.iterdir():
            if stale.is_dir() and not stale.name.startswith(".") and stale.name not in tables:
                shutil.rmtree(stale)
        for table in tables:
            if (schema, table) in skip:
                continue
            staging = folder / f".{table}.{uuid.uuid4().hex}.tmp"
            staging.mkdir()
            relation = f"{quote_identifier(schema)}.{quote_identifier(table)}"
            select = f"select {_select_list(con, schema, table)} from {relation}"
            _copy(con, select, staging / "data.parquet")
            final = folder / table
            previous = folder / f".{table}.{uuid.uuid4().hex}.old.tmp"
            if final.exists():
                final.rename(previous)
            staging.rename(final)
            shutil.rmtree(previous, ignore_errors=True)
            written.append(f"{schema}.{table}")
    return written
