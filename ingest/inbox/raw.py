"""The raw relations: API pulls land in tables, each loaded file in a table of its own.

Each loaded file becomes one immutable table in the `raw_files` schema, and `raw.<table>` is a
view over those tables joined to the ledger for the lineage columns, its typed columns in
canonical text (`ingest.inbox.values`) as each file's values read. A file counts as loaded when
its ledger row and the new view definition commit together; a table no ledger row owns is a load
that died before committing (`drop_unfinished_loads`).
"""

from __future__ import annotations

import re

import duckdb

from ingest.inbox import values
from ingest.inbox.fileformat import FileFormat
from ingest.inbox.files import FileRejected
from ingest.inbox.formats import API_FORMATS, FORMATS_BY_KIND
from ingest.inbox.ledger import ensure_ops_tables
from ingest.sources.ga4 import api as ga4
from ingest.sources.gsc import api as gsc
from ingest.warehouse import quote_identifier

FILES_SCHEMA = "raw_files"
LOAD_ID = re.compile(r"^[0-9a-f]{32}$")
LINEAGE_COLUMNS = {
    "_source": "varchar",
    "_format": "varchar",
    "_file": "varchar",
    "_file_sha256": "varchar",
    "_row_number": "bigint",
    "_loaded_at": "timestamp",
    "_snapshot_date": "date",
    "_site": "varchar",  # set by API pulls; for files the ledger's detected site applies
}


def ensure_raw_table(con: duckdb.DuckDBPyConnection, fmt: FileFormat) -> None:
    """A physical raw table with the format's columns and lineage (API pulls land here)."""
    table = f"raw.{quote_identifier(fmt.table)}"
    con.execute("create schema if not exists raw")
    columns = [f"{quote_identifier(c)} varchar" for c in fmt.columns]
    columns += [f"{quote_identifier(c)} {t}" for c, t in LINEAGE_COLUMNS.items()]
    con.execute(f"create table if not exists {table} ({', '.join(columns)})")
    # Formats grow columns over time; an older raw table gains them instead of failing.
    for column in fmt.columns:
        con.execute(
            f"alter table {table} add column if not exists {quote_identifier(column)} varchar"
        )


def _file_formats() -> dict[str, list[FileFormat]]:
    tables: dict[str, list[FileFormat]] = {}
    for formats in FORMATS_BY_KIND.values():
        for fmt in formats:
            tables.setdefault(fmt.table, []).append(fmt)
    return tables


def file_tables() -> list[str]:
    """The raw relations made of loaded files (views over one table per load)."""
    return list(_file_formats())


def file_table(table: str, load_id: str) -> str:
    assert LOAD_ID.match(load_id), load_id
    return f"{FILES_SCHEMA}.{quote_identifier(f'{table}__{load_id}')}"


def typed_columns(con: duckdb.DuckDBPyConnection, relation: str, fmt: FileFormat) -> dict[str, str]:
    """The format's typed columns this file has (users leave columns out of exports)."""
    present = {d[0] for d in con.execute(f"select * from {relation} limit 0").description}
    return {column: kind for column, kind in fmt.types.items() if column in present}


def _decide_old_load(
    con: duckdb.DuckDBPyConnection, table: str, load_id: str, fmt: FileFormat
) -> str:
    """Column formats for a file loaded before they were recorded: decided now from its values
    (ISO-only reading where its dates cannot be decided), and stored in the ledger."""
    relation = file_table(table, load_id)
    columns = typed_columns(con, relation, fmt)
    try:
        decided = values.decide_formats(con, relation, columns, names={}, delimiter=",").formats
    except FileRejected:
        decided = {c: values.ColumnFormat(kind) for c, kind in columns.items()}
    text = values.dumps(decided)
    con.execute(
        "update ops.ingested_files set column_formats = ? where load_id = ?", [text, load_id]
    )
    return text


def refresh_file_view(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """(Re)define `raw.<table>` as every loaded file's table plus its lineage from the ledger.

    An empty typed table carries every column, so the view has them all before any file came.
    Rows lacking a required column stay in the file's table but out of the view (they are
    counted as rejected in the ledger)."""
    parts = file_view_parts(con, table)
    existing = con.execute(
        "select table_type from information_schema.tables where table_schema = 'raw' "
        "and table_name = ?",
        [table],
    ).fetchone()
    if existing and existing[0] != "VIEW":
        raise RuntimeError(
            f"raw.{table} is a table from an older linkokr warehouse; move it aside or rebuild "
            "the warehouse"
        )
    con.execute(
        f"create or replace view raw.{quote_identifier(table)} as\n"
        + "\nunion all by name\n".join(sql for _, sql in parts)
    )


def file_view_parts(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str | None, str]]:
    """The SELECTs `raw.<table>` unions: (None, the empty typed table's), then (load_id, the
    load's rows with their lineage) for every loaded file, in load order."""
    formats = _file_formats()[table]
    columns = list(dict.fromkeys(c for fmt in formats for c in fmt.columns))
    con.execute(f"create schema if not exists {FILES_SCHEMA}")
    con.execute("create schema if not exists raw")
    empty = f"{FILES_SCHEMA}.{quote_identifier(f'{table}__columns')}"
    typed = ", ".join(f"{quote_identifier(c)} varchar" for c in columns)
    con.execute(f"create table if not exists {empty} ({typed})")
    existing_columns = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [FILES_SCHEMA, f"{table}__columns"],
        ).fetchall()
    }
    # formats grow columns over time: an older warehouse's table gains them
    for column in columns:
        if column not in existing_columns:
            con.execute(f"alter table {empty} add column {quote_identifier(column)} varchar")
    lineage = ", ".join(f"cast(null as {kind}) as {name}" for name, kind in LINEAGE_COLUMNS.items())
    parts: list[tuple[str | None, str]] = [(None, f"select *, {lineage} from {empty}")]
    loads = con.execute(
        """select load_id, format, column_formats from ops.ingested_files
           where raw_table = ? and status = 'loaded' order by loaded_at, load_id""",
        [table],
    ).fetchall()
    with_rejects = {
        row[0] for row in con.execute("select distinct load_id from ops.rejected_rows").fetchall()
    }
    by_id = {fmt.format_id: fmt for fmt in formats}
    for load_id, format_id, column_formats in loads:
        fmt = by_id.get(format_id)
        required = fmt.required if fmt else ()
        complete = (
            " and ".join(f"files.{quote_identifier(c)} is not null" for c in required) or "true"
        )
        if column_formats is None and fmt is not None:
            column_formats = _decide_old_load(con, table, load_id, fmt)
        # typed columns in canonical text (ingest.inbox.values), as this file's values read
        normalized = ", ".join(
            f"{values.normalize_sql('files.' + quote_identifier(column), column_format)} "
            f"as {quote_identifier(column)}"
            for column, column_format in values.loads(column_formats).items()
        )
        star = f"files.* replace ({normalized})" if normalized else "files.*"
        if load_id in with_rejects:
            complete += (
                " and files.rowid not in (select row_index from ops.rejected_rows "
                f"where load_id = '{load_id}')"
            )
        parts.append(
            (
                load_id,
                f"""select {star},
                   ledger.source as _source,
                   ledger.format as _format,
                   ledger.file_name as _file,
                   ledger.file_sha256 as _file_sha256,
                   files.rowid + 1 as _row_number,
                   ledger.loaded_at as _loaded_at,
                   ledger.snapshot_date as _snapshot_date,
                   cast(null as varchar) as _site,
            from {file_table(table, load_id)} as files
            inner join ops.ingested_files as ledger on ledger.load_id = '{load_id}'
            where {complete}""",
            )
        )
    return parts


def drop_unfinished_loads(con: duckdb.DuckDBPyConnection) -> int:
    """Drop file tables that no ledger row owns (a load that crashed before committing)."""
    owned = {
        row[0]
        for row in con.execute(
            "select raw_table || '__' || load_id from ops.ingested_files where load_id is not null"
        ).fetchall()
    }
    orphans = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ?",
            [FILES_SCHEMA],
        ).fetchall()
        if not name.endswith("__columns") and name not in owned
    ]
    for name in orphans:
        con.execute(f"drop table {FILES_SCHEMA}.{quote_identifier(name)}")
    return len(orphans)


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create every raw relation of files (views) and API pulls (tables), empty until data
    comes, so the dbt sources exist on a fresh warehouse. Returns their names."""
    ensure_ops_tables(con)
    file_tables = list(_file_formats())
    for table in file_tables:
        refresh_file_view(con, table)
    api_tables = []
    for fmt in API_FORMATS:
        ensure_raw_table(con, fmt)
        api_tables.append(fmt.table)
    # the GA4 and Search Console tables have typed columns of their own
    ga4.ensure_tables(con)
    gsc.ensure_table(con)
    return file_tables + api_tables + ["ga4_traffic", "gsc_search_analytics"]
