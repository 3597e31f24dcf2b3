"""`linkokr forget FILE|SHA256`: take a loaded file's rows out of `raw` (docs/sources.md,
section 6), keeping its ledger rows as `forgotten`."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.inbox.ledger import ensure_ops_tables
from ingest.inbox.raw import file_table, refresh_file_view
from ingest.inbox.scan import shown
from ingest.warehouse import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Forgotten:
    file_name: str
    file_sha256: str
    raw_table: str
    rows: int


def forget(con: duckdb.DuckDBPyConnection, file: str) -> Forgotten:
    """`linkokr forget FILE|SHA256`: take a loaded file's rows out of `raw` (docs/sources.md,
    section 6). The ledger keeps its rows as `forgotten`; the file, if still in the inbox, is not
    read again unless it changes; the same bytes dropped again load again. The next dbt build is a
    full refresh, so the marts lose the rows too. Raises ValueError when nothing (or more than
    one file) matches."""
    ensure_ops_tables(con)
    wanted = file.strip()
    is_hash = re.fullmatch(r"[0-9a-fA-F]{8,64}", wanted) is not None
    rows = con.execute(
        """select file_sha256, file_name, file_path, load_id, raw_table, rows_loaded
           from ops.ingested_files
           where status = 'loaded'
             and (starts_with(file_sha256, ?) or file_name = ? or file_path = ?)""",
        [wanted.lower() if is_hash else "\x00", Path(wanted).name, str(Path(wanted).resolve())],
    ).fetchall()
    if not rows:
        others = con.execute(
            """select status, count(*) from ops.ingested_files
               where starts_with(file_sha256, ?) or file_name = ? group by status""",
            [wanted.lower() if is_hash else "\x00", Path(wanted).name],
        ).fetchall()
        known = ", ".join(f"{n} {status}" for status, n in others)
        raise ValueError(
            f"no loaded file matches {shown(wanted)!r}"
            + (f" (the ledger has it only as: {known})" if known else "")
            + "; `select file_name, file_sha256, status from ops.ingested_files` lists them"
        )
    if len({row[0] for row in rows}) > 1:
        listed = "\n".join(f"  {row[0]}  {shown(row[2])}" for row in rows)
        raise ValueError(
            f"{shown(wanted)!r} matches several loaded files; give the SHA-256:\n{listed}"
        )
    sha, name, _, load_id, raw_table, loaded_rows = rows[0]
    with transaction(con):
        con.execute(
            """update ops.ingested_files
               set status = 'forgotten', forgotten_at = now() at time zone 'UTC'
               where file_sha256 = ? and status in ('loaded', 'duplicate')""",
            [sha],
        )
        con.execute("delete from ops.rejected_rows where load_id = ?", [load_id])
        con.execute(
            "insert into ops.full_refresh_requests values (?, now() at time zone 'UTC')",
            [f"forgot {name} ({sha})"],
        )
        if raw_table:
            refresh_file_view(con, raw_table)
            con.execute(f"drop table if exists {file_table(raw_table, load_id)}")
    log.info("forgot %s (%s): %d rows out of raw.%s", shown(name), sha, loaded_rows, raw_table)
    return Forgotten(name, sha, raw_table, loaded_rows or 0)
