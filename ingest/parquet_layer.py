"""The raw layer as Parquet, for an engine other than DuckDB (Spark: LINKOKR_ENGINE=spark).

DuckDB keeps the ingest's rows in the warehouse file (`raw` views over one table per load, the
`ops` ledger). Before a Spark build, every relation of those schemas is written as Parquet under
`<root>/<schema>/<table>/`, which Spark registers as its sources (dbt_project's
macros/engine/raw_layer.sql). A folder is written whole under a temporary name and swapped in,
so a crash mid-export leaves the previous folder readable and a `.tmp` orphan the next export
removes."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import duckdb

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


def export_schemas(
    con: duckdb.DuckDBPyConnection, root: Path, schemas: tuple[str, ...] = RAW_SCHEMAS
) -> list[str]:
    """Writes every table and view of `schemas` as `<root>/<schema>/<table>/data.parquet`;
    returns the relations written (`schema.table`). Folders of relations that no longer exist
    are removed, and so are the temporary folders of an export that did not finish."""
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
            staging = folder / f".{table}.{uuid.uuid4().hex}.tmp"
            staging.mkdir()
            target = staging / "data.parquet"
            relation = f"{quote_identifier(schema)}.{quote_identifier(table)}"
            # The path is ours (root, schema and table names); DuckDB's COPY takes no parameter.
            quoted_path = str(target).replace("'", "''")
            con.execute(
                f"copy (select {_select_list(con, schema, table)} from {relation})"
                f" to '{quoted_path}' (format parquet, compression zstd)"
            )
            final = folder / table
            previous = folder / f".{table}.{uuid.uuid4().hex}.old.tmp"
            if final.exists():
                final.rename(previous)
            staging.rename(final)
            shutil.rmtree(previous, ignore_errors=True)
            written.append(f"{schema}.{table}")
    return written
