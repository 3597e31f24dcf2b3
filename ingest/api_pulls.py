"""Landing API pulls in `raw`: pages staged as they arrive, then one transaction replaces the
site's snapshot of that day, so a pull that fails half-way changes nothing."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

import duckdb

from ingest.inbox.fileformat import FileFormat
from ingest.inbox.raw import ensure_raw_table
from ingest.warehouse import quote_identifier, transaction

log = logging.getLogger(__name__)


def new_pull_id() -> str:
    """An id for one API pull, stored as `_file_sha256` so a pull is traceable like a file."""
    return f"api-{uuid.uuid4().hex}"


def write_api_snapshot(
    con: duckdb.DuckDBPyConnection,
    pages: Iterable[list[dict[str, Any]]],
    *,
    fmt: FileFormat,
    mapping: dict[str, str],
    source: str,
    format_id: str,
    label: str,
    site: str,
    pull_id: str,
    snapshot_date: date,
) -> int:
    """Stage `pages` (API rows keyed by API field) and replace the site-day's API snapshot.

    Shared by the Ahrefs and Semrush writers: `mapping` is raw column <- API field; raw
    columns it leaves out stay null. Returns the number of rows written.
    """
    raw_columns = list(mapping)
    staging = quote_identifier(f"_pull_{uuid.uuid4().hex}")
    table = f"raw.{quote_identifier(fmt.table)}"
    columns_sql = ", ".join(f"{quote_identifier(c)} varchar" for c in raw_columns)
    con.execute(f"create temp table {staging} (_row_number bigint, {columns_sql})")
    try:
        total = 0
        unnests = ", ".join(
            f"unnest(?::varchar[]) as {quote_identifier(column)}" for column in raw_columns
        )
        for page in pages:
            if not page:
                continue
            values = [
                [text_value(row.get(mapping[column])) for row in page] for column in raw_columns
            ]
            con.execute(
                f"insert into {staging} select unnest(range(?, ?)) as _row_number, {unnests}",
                [total + 1, total + len(page) + 1, *values],
            )
            total += len(page)
        with transaction(con):
            ensure_raw_table(con, fmt)
            con.execute(f"alter table {table} add column if not exists _site varchar")
            con.execute(
                f"delete from {table} where _format = ? and _site = ? and _snapshot_date = ?",
                [format_id, site, snapshot_date],
            )
            selected = ", ".join(quote_identifier(c) for c in raw_columns)
            con.execute(
                f"""
                insert into {table} by name
                select {selected},
                    ? as _source, ? as _format, ? as _file, ? as _file_sha256,
                    _row_number,
                    now() at time zone 'UTC' as _loaded_at,
                    ? as _snapshot_date,
                    ? as _site
                from {staging}
                """,
                [source, format_id, label, pull_id, snapshot_date, site],
            )
    finally:
        con.execute(f"drop table if exists {staging}")
    log.info("%s pull for %s (%s): wrote %d rows", source, site, snapshot_date, total)
    return total


def text_value(value: Any) -> str | None:
    """A raw-table string: booleans as `true`/`false` (what the vendors' files say)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
