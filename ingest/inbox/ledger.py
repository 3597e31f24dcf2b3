"""The pipeline's own ledger in the `ops` schema: which files and API pulls were loaded, and how.

The ledger, not the inbox folder, says what is done: files stay where they are once loaded.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

OPS_DDL = (
    "create schema if not exists ops",
    """create table if not exists ops.ingested_files (
        file_sha256 varchar,
        file_name varchar not null,
        file_path varchar,
        file_size bigint,
        file_mtime double,
        kind varchar not null,
        source varchar,
        format varchar,
        site varchar,
        snapshot_date date,
        status varchar not null,
        rows_loaded bigint,
        rows_rejected bigint,
        error varchar,
        loaded_at timestamp not null
    )""",
    # Rows of loaded files held out of `raw` because a value did not read (docs/sources.md,
    # section 6): which row, line and column, the value as written and why.
    """create table if not exists ops.rejected_rows (
        load_id varchar not null,
        file_sha256 varchar not null,
        file_name varchar not null,
        row_index bigint not null,
        line bigint,
        column_name varchar not null,
        value varchar,
        reason varchar not null
    )""",
    # dbt's incremental models keep what they built: after a file was forgotten, the next build
    # is a full refresh (the dbt asset reads and clears this)
    """create table if not exists ops.full_refresh_requests (
        reason varchar not null,
        requested_at timestamp not null
    )""",
    """create table if not exists ops.api_pulls (
        source varchar not null,
        subject varchar not null,
        partition_date date,
        status varchar not null,
        rows bigint,
        requests integer,
        error varchar,
        pulled_at timestamp not null
    )""",
)


def ensure_ops_tables(con: duckdb.DuckDBPyConnection) -> None:
    for statement in OPS_DDL:
        con.execute(statement)
    # size and mtime let an unchanged file be skipped without reading it again
    # a file that cannot be read has no hash (status `unreadable`); older ledgers required one
    con.execute("alter table ops.ingested_files alter column file_sha256 drop not null")
    for column, kind in (
        ("file_size", "bigint"),
        ("file_mtime", "double"),
        (
            "raw_table",
            "varchar",
        ),  # where a loaded file's rows are: raw_files.<raw_table>__<load_id>
        ("load_id", "varchar"),
        # how each typed column read ({"first_seen": "date:dmy", ...}: ingest.inbox.values)
        ("column_formats", "varchar"),
        # where snapshot_date came from: file_name, folder_name or modified_time
        ("snapshot_date_source", "varchar"),
        # when `linkokr forget` took the file's rows out (status forgotten)
        ("forgotten_at", "timestamp"),
    ):
        con.execute(f"alter table ops.ingested_files add column if not exists {column} {kind}")


def record_api_pull(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    subject: str,
    partition_date,
    status: str,
    rows: int | None,
    requests: int | None,
    error: str | None = None,
) -> None:
    ensure_ops_tables(con)
    con.execute(
        "insert into ops.api_pulls values (?, ?, ?, ?, ?, ?, ?, now() at time zone 'UTC')",
        [source, subject, partition_date, status, rows, requests, error],
    )


def record_file(
    con,
    *,
    sha,
    path: Path,
    kind,
    status,
    fmt=None,
    site=None,
    snapshot=None,
    snapshot_source=None,
    rows=0,
    rejected=0,
    error=None,
    stat=None,
    load_id=None,
    column_formats=None,
) -> None:
    """One row of `ops.ingested_files`: what became of a file (loaded, duplicate, rejected), its
    format, site and snapshot date, and its table when it loaded (`load_id`)."""
    con.execute(
        """insert into ops.ingested_files
           (file_sha256, file_name, file_path, file_size, file_mtime, kind, source, format,
            raw_table, load_id, site, snapshot_date, snapshot_date_source, status, rows_loaded,
            rows_rejected, error, column_formats, loaded_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                   now() at time zone 'UTC')""",
        [
            sha,
            path.name,
            str(path),
            stat.st_size if stat else None,
            stat.st_mtime if stat else None,
            kind,
            fmt.source if fmt else None,
            fmt.format_id if fmt else None,
            fmt.table if fmt and load_id else None,
            load_id,
            site,
            snapshot,
            snapshot_source,
            status,
            rows,
            rejected,
            error,
            column_formats,
        ],
    )
