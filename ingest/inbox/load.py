"""Loading one inbox file into `raw`: recognise it, stream its rows through DuckDB into a table
of its own, and make it visible with its ledger row in one commit.

Each loaded file is written by a single `create table ... as select ... from read_csv(...)`
(DuckDB's fastest, compressed write path) and `raw.<table>` is a view over those tables
(`ingest.inbox.raw`). A crash before the commit leaves the warehouse as it was (the half-written
table is invisible and dropped on the next load). Content is identified by SHA-256: the same bytes
under another name are a `duplicate` and load nothing. A file that cannot be parsed moves to
`<kind>/_rejected/` next to a `<name>.error.txt` saying why; the rest of the batch still loads.
"""

from __future__ import annotations

import logging
import os
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb

from ingest.inbox import values
from ingest.inbox.files import FileRejected, scan_file, snapshot_date_of, utf16_lines
from ingest.inbox.ledger import ensure_ops_tables, record_file
from ingest.inbox.raw import FILES_SCHEMA, drop_unfinished_loads, file_table, refresh_file_view
from ingest.inbox.rows import copy_rows, malformed_lines, read_rows
from ingest.inbox.scan import REJECTED_DIR, file_signature, reject_file, shown
from ingest.inbox.sniff import detect_format, detect_site, readable_copy, site_from_name
from ingest.warehouse import transaction

log = logging.getLogger(__name__)

# The file's fault, so it goes to _rejected/. Anything else (a full disk, a bug) fails the load
# and leaves the file in place to be retried.
FILE_PROBLEMS = (
    FileRejected,
    duckdb.InvalidInputException,
    duckdb.ConversionException,
    UnicodeError,
    zipfile.BadZipFile,
)


@dataclass(frozen=True)
class LoadResult:
    path: Path
    kind: str
    status: str  # loaded, duplicate, rejected, skipped (already loaded under this name)
    source: str | None = None
    site: str | None = None
    snapshot_date: date | None = None
    rows_loaded: int = 0
    rows_rejected: int = 0
    error: str | None = None  # why a file was rejected, or which of its rows were
    snapshot_date_source: str | None = None  # file_name, folder_name or modified_time
    duplicate_of: str | None = None  # a duplicate's original (the file name it loaded as)


def _already_seen(con: duckdb.DuckDBPyConnection, path: Path, stat) -> bool:
    """The ledger has this very file (path, size, mtime): loaded, a duplicate, forgotten (it
    loads again only when dropped again), or refused where it could not be moved aside."""
    return bool(
        con.execute(
            """select 1 from ops.ingested_files
               where file_path = ? and file_size = ? and file_mtime = ?
                 and status in ('loaded', 'duplicate', 'forgotten', 'rejected')""",
            [str(path), stat.st_size, stat.st_mtime],
        ).fetchone()
    )


def already_loaded(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """The ledger has this very file, unchanged (see `_already_seen`): `load_file` skips it
    unread. False for a file that is gone, so that `load_file` says so."""
    ensure_ops_tables(con)
    try:
        return _already_seen(con, path, path.stat())
    except OSError:
        return False


def _record_duplicate(con, path: Path, kind: str, sha: str, stat, seen: list[tuple]) -> LoadResult:
    if any(name == path.name for name, status in seen if status == "loaded"):
        return LoadResult(path, kind, "skipped")
    original = next(name for name, status in seen if status == "loaded")
    record_file(
        con,
        sha=sha,
        path=path,
        kind=kind,
        status="duplicate",
        stat=stat,
        error=f"same content already loaded as {original}",
    )
    log.info("%s: duplicate of %s, nothing loaded", shown(path.name), shown(original))
    return LoadResult(path, kind, "duplicate", duplicate_of=original)


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    *,
    kind_dir: Path | None = None,
    date_order: str = "auto",
    scratch: Path | None = None,
) -> LoadResult:
    """Load one inbox file (idempotent). Rejections are moved aside and recorded, not raised.

    `kind_dir` is the inbox folder of `kind` (default: the file's folder; a file may sit in a
    date-named folder below it); `date_order` is `settings.date_order`; `scratch` holds the
    temporary copies of zips and transcoded files (default: the system temp directory).

    An unchanged file already in the ledger (same path, size and mtime) is skipped unread. A new
    one is hashed on a second thread while DuckDB streams it into its own table; content already
    loaded under another name is dropped again and recorded as a duplicate.

    A file that vanishes while it is read is `vanished` (nothing recorded: it is gone); one that
    cannot be read (permissions) is `unreadable`, recorded once in the ledger, and tried again on
    every run. Neither fails the run; any other error (a full disk) does."""
    ensure_ops_tables(con)
    kind_dir = kind_dir or path.parent
    try:
        return _load_file(con, path, kind, kind_dir, date_order, scratch=scratch)
    except (FileNotFoundError, PermissionError, duckdb.IOException) as error:
        if isinstance(error, duckdb.IOException) and path.exists() and os.access(path, os.R_OK):
            raise
        if not path.exists():
            log.info("%s vanished before it was read: skipped", shown(path.name))
            return LoadResult(
                path, kind, "vanished", error="the file disappeared while it was read"
            )
        reason = f"cannot be read: {getattr(error, 'strerror', None) or error}"
        _record_unreadable(con, path, kind, reason)
        log.info("%s %s: skipped, tried again on the next run", shown(path.name), reason)
        return LoadResult(path, kind, "unreadable", error=reason)


def _record_unreadable(con, path: Path, kind: str, reason: str) -> None:
    signature = file_signature(path)
    size, mtime = signature if signature else (None, None)
    known = con.execute(
        """select 1 from ops.ingested_files where status = 'unreadable' and file_path = ?
           and file_size is not distinct from ? and file_mtime is not distinct from ?""",
        [str(path), size, mtime],
    ).fetchone()
    if not known:
        con.execute(
            """insert into ops.ingested_files (file_name, file_path, file_size, file_mtime, kind,
               status, error, loaded_at) values (?, ?, ?, ?, ?, 'unreadable', ?,
               now() at time zone 'UTC')""",
            [path.name, str(path), size, mtime, kind, reason],
        )


def _load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    kind_dir: Path,
    date_order: str,
    transcode: bool = False,
    scratch: Path | None = None,
) -> LoadResult:
    stat = path.stat()
    if _already_seen(con, path, stat):
        return LoadResult(path, kind, "skipped")
    drop_unfinished_loads(con)
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanning = pool.submit(scan_file, path)

        def loaded_before() -> tuple[str, list[tuple]]:
            sha = scanning.result().sha256
            seen = con.execute(
                "select file_name, status from ops.ingested_files where file_sha256 = ?", [sha]
            ).fetchall()
            return sha, seen

        target = None
        try:
            with readable_copy(path, transcode=transcode, scratch=scratch) as readable:
                layout, fmt = detect_format(readable, kind)
                snapshot, snapshot_source = snapshot_date_of(path, root=kind_dir)
                load_id = uuid.uuid4().hex
                target = file_table(fmt.table, load_id)
                con.execute(f"create schema if not exists {FILES_SCHEMA}")
                shaped = fmt.reshape(layout) if fmt.reshape else None
                read = copy_rows(con, layout, fmt, target, shaped)
                sha, seen = loaded_before()
                if any(status == "loaded" for _, status in seen):
                    con.execute(f"drop table {target}")
                    return _record_duplicate(con, path, kind, sha, stat, seen)
                scan = scanning.result() if readable == path else scan_file(readable)
                if readable == path and not scan.utf8_valid:
                    # UTF-8 at first, Windows-1252 further down: read it again, transcoded
                    con.execute(f"drop table {target}")
                    return _load_file(
                        con, path, kind, kind_dir, date_order, transcode=True, scratch=scratch
                    )
                rows_per_line = shaped.rows_per_line if shaped else 1

                def expected_rows(lines: int) -> int:
                    return (lines - layout.header_line - 1) * rows_per_line

                expected = expected_rows(scan.max_lines)
                if read < expected and layout.encoding == "utf-16":
                    expected = expected_rows(utf16_lines(readable))
                malformed = malformed_lines(con, layout) if read < expected else []
                if any("line size" in message.lower() for _, message in malformed):
                    # lines longer than DuckDB's default limit: read again with a larger one
                    con.execute(f"drop table {target}")
                    layout = replace(layout, long_lines=True)
                    read = copy_rows(con, layout, fmt, target, shaped)
                    malformed = malformed_lines(con, layout) if read < expected else []
                result = read_rows(
                    con,
                    layout,
                    fmt,
                    target,
                    read=read,
                    malformed=malformed,
                    rows_per_line=rows_per_line,
                    date_order=date_order,
                )
                counts = result.counts
                if counts.loaded == 0 and counts.rejected:
                    raise FileRejected(
                        f"none of the {counts.rejected} data rows could be read (wrong "
                        "delimiter or a broken export?):\n" + "\n".join(counts.samples)
                    )
                site = site_from_name(path.name) if fmt.site_from_name else None
                site = site or (shaped.site if shaped else None) or detect_site(con, fmt, target)
                if site is None and fmt.site_required:
                    site = site_from_name(path.name)
                    if site is None:
                        column = (fmt.columns.get(fmt.site_column) or [fmt.site_column])[0]
                        raise FileRejected(
                            f"cannot tell which site the file is for: no {column} values with "
                            "a domain, and no domain in the file name (name it like "
                            f"acme.com-{kind}.csv)"
                        )
                report = "\n".join(counts.samples) or None
                # The file becomes visible (ledger row + view over its table) in one commit.
                with transaction(con):
                    record_file(
                        con,
                        sha=sha,
                        path=path,
                        kind=kind,
                        status="loaded",
                        fmt=fmt,
                        site=site,
                        snapshot=snapshot,
                        snapshot_source=snapshot_source,
                        rows=counts.loaded,
                        rejected=counts.rejected,
                        error=report,
                        stat=stat,
                        load_id=load_id,
                        column_formats=values.dumps(result.formats),
                    )
                    if result.held_out:
                        con.executemany(
                            "insert into ops.rejected_rows values (?, ?, ?, ?, ?, ?, ?, ?)",
                            [[load_id, sha, path.name, *row] for row in result.held_out],
                        )
                    refresh_file_view(con, fmt.table)
        except FILE_PROBLEMS as error:
            if target:
                con.execute(f"drop table if exists {target}")
            sha, seen = loaded_before()
            if any(status == "loaded" for _, status in seen):
                return _record_duplicate(con, path, kind, sha, stat, seen)
            reason = str(error)
            try:
                moved, kept = reject_file(path, kind_dir, reason), None
            except (PermissionError, FileNotFoundError, IsADirectoryError) as move_error:
                # left in place: recorded with its size and mtime, so it is not read again
                # until it changes
                moved, kept = path, stat
                reason += (
                    f"\n(it could not be moved to {REJECTED_DIR}/: {move_error.strerror}; it "
                    "stays where it is and is not read again until it changes)"
                )
            record_file(
                con, sha=sha, path=moved, kind=kind, status="rejected", error=reason[:2000],
                stat=kept,
            )  # fmt: skip
            # the caller reports it (the inbox asset, once): a warning here would say it twice
            log.info("%s rejected: %s", shown(path.name), reason.splitlines()[0] if reason else "")
            return LoadResult(path, kind, "rejected", error=reason)
    if counts.rejected:
        log.warning("%s: %d row(s) left out:\n%s", shown(path.name), counts.rejected, report)
    log.info(
        "%s: %d rows from %s (%s, snapshot %s from the %s)",
        shown(path.name),
        counts.loaded,
        fmt.source,
        site,
        snapshot,
        snapshot_source.replace("_", " "),
    )
    return LoadResult(
        path,
        kind,
        "loaded",
        fmt.source,
        site,
        snapshot,
        counts.loaded,
        counts.rejected,
        report,
        snapshot_date_source=snapshot_source,
    )
