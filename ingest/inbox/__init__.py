"""Loading inbox files into `raw`: detect the format, stream rows through DuckDB, keep the ledger.

Each loaded file becomes one immutable table in the `raw_files` schema, written by a single
`create table ... as select ... from read_csv(...)` (DuckDB's fastest, compressed write path),
and `raw.<table>` is a view over those tables joined to the ledger for the lineage columns. A file
counts as loaded when its ledger row and the new view definition commit together: a crash before
that leaves the warehouse as it was (the half-written table is invisible and dropped on the next
load). Content is identified by SHA-256: the same bytes under another name are a `duplicate` and
load nothing. A file that cannot be parsed moves to `<kind>/_rejected/` next to a
`<name>.error.txt` saying why; the rest of the batch still loads.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb

from ingest.domains import HOST_PATTERN, has_public_suffix, registrable_domain
from ingest.inbox import values
from ingest.inbox.files import (
    CsvLayout,
    FileRejected,
    csv_relation_sql,
    detect_encoding,
    find_header,
    normalize_header,
    scan_file,
    snapshot_date_of,
    utf16_lines,
)
from ingest.inbox.formats import API_FORMATS, FORMATS_BY_KIND, ZIP_BUNDLES, FileFormat
from ingest.inbox.ledger import ensure_ops_tables
from ingest.settings import INBOX_KINDS
from ingest.sources.ga4 import api as ga4
from ingest.sources.gsc import api as gsc
from ingest.sources.rank_trackers.files import Reshaped

log = logging.getLogger(__name__)

REJECTED_DIR = "_rejected"
FILES_SCHEMA = "raw_files"
LOAD_ID = re.compile(r"^[0-9a-f]{32}$")
# Runs of characters a domain can hold; a domain ends where one of them does, or at a `-`, `_`
# or `.` (`acme.com-backlinks.csv`, `acme.co.uk_export.csv`).
NAME_TOKEN = re.compile(r"[a-z0-9][a-z0-9.-]*")
DOMAIN_END = re.compile(r"(?<=[a-z])(?=[-.]|$)")
# The file's fault, so it goes to _rejected/. Anything else (a full disk, a bug) fails the load
# and leaves the file in place to be retried.
FILE_PROBLEMS = (
    FileRejected,
    duckdb.InvalidInputException,
    duckdb.ConversionException,
    UnicodeError,
    zipfile.BadZipFile,
)
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
TRANSCODE_CHUNK = 1 << 20


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


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# Names a browser or a spreadsheet gives a file it is still writing, or holds open.
PARTIAL_SUFFIXES = (".crdownload", ".part", ".partial", ".download", ".tmp")
SETTLE_SECONDS = 3.0


def shown(name: object) -> str:
    """A file name fit for one log line: control characters (a newline in a name would forge a
    line) escaped as `\\n`, `\\x1b`, ..."""
    text = str(name)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _inbox_files(folder: Path) -> Iterator[Path]:
    """Files under one inbox folder, in date-named (or any) subfolders too; dotfiles, symbolic
    links, `_rejected/` (and other `_` folders), partial downloads and lock files skipped."""
    if not folder.is_dir():
        return
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        log.warning("inbox folder %s cannot be listed: %s", shown(folder), error)
        return
    for path in entries:
        name = path.name
        if name.startswith((".", "~$")) or path.is_symlink():
            continue
        if path.is_dir():
            if not name.startswith("_"):
                yield from _inbox_files(path)
        elif path.is_file() and not name.lower().endswith((".error.txt", *PARTIAL_SUFFIXES)):
            yield path


def scan_inbox(inbox: Path, kinds: Iterable[str] = INBOX_KINDS) -> list[tuple[str, Path]]:
    """Files waiting in the inbox folders, in name order (see `_inbox_files`)."""
    return [(kind, path) for kind in kinds for path in _inbox_files(inbox / kind)]


def file_signature(path: Path) -> tuple[int, float] | None:
    """(size, mtime), or None when the file is gone or cannot be looked at."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime


def is_settled(signature: tuple[int, float], settle_seconds: float, now: float) -> bool:
    """Unchanged for `settle_seconds`: the modification time is that far in the past (a write
    moves it, so the size cannot have changed since). The sensor and the inbox asset agree."""
    return now - signature[1] >= settle_seconds


@dataclass(frozen=True)
class Settled:
    ready: list[tuple[str, Path]]
    changing: list[tuple[str, Path]]  # still being written: left for the next run


def settle(
    files: list[tuple[str, Path]],
    settle_seconds: float = SETTLE_SECONDS,
    *,
    clock=time.time,
    sleep=time.sleep,
) -> Settled:
    """Split `files` into those whose size and modification time have been stable for
    `settle_seconds` and those still changing. A file modified within the interval is watched
    until the interval has passed since its last change (at most `settle_seconds`): unchanged,
    it is ready; changed, it waits for the next run (an export still downloading)."""
    now = clock()
    signatures = {path: file_signature(path) for _, path in files}
    fresh = [
        path
        for path, sig in signatures.items()
        if sig is not None and not is_settled(sig, settle_seconds, now)
    ]
    if fresh:
        newest = max(signatures[path][1] for path in fresh)
        sleep(min(settle_seconds, max(0.0, newest + settle_seconds - now)))
    ready, changing = [], []
    for kind, path in files:
        before = signatures[path]
        if path in fresh and file_signature(path) != before:
            changing.append((kind, path))
        else:
            # gone or unreadable files go on to the load, which records why
            ready.append((kind, path))
    return Settled(ready, changing)


def detect_format(path: Path, kind: str) -> tuple[CsvLayout, FileFormat]:
    formats = FORMATS_BY_KIND.get(kind)
    if not formats:
        raise FileRejected(f"no file formats are known for inbox folder {kind!r}")
    layout = find_header(path, lambda names: any(f.matches(names) for f in formats))
    names = [normalize_header(h) for h in layout.header]
    return layout, next(f for f in formats if f.matches(names))


@contextmanager
def readable_copy(
    path: Path, *, transcode: bool = False, scratch: Path | None = None
) -> Iterator[Path]:
    """The CSV DuckDB should read: zips extracted, non-UTF encodings transcoded (streamed;
    `transcode`: whatever the first bytes say), in a folder under `scratch` (ingest.scratch).

    A zip holds one CSV, or several that one of `ZIP_BUNDLES` combines into one (a Search
    Console export)."""
    if scratch is not None:
        scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="linkokr-", dir=scratch) as tmp:
        current = path
        if path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    members = [
                        m
                        for m in archive.infolist()
                        if not m.is_dir() and not Path(m.filename).name.startswith(".")
                    ]
                    if not members:
                        raise FileRejected("zip must hold exactly one CSV file, found 0")
                    folder = Path(tmp) / "members" if len(members) > 1 else Path(tmp)
                    folder.mkdir(exist_ok=True)
                    extracted = []
                    for member in members:
                        extracted.append(folder / Path(member.filename).name)
                        with archive.open(member) as src, extracted[-1].open("wb") as dst:
                            shutil.copyfileobj(src, dst, TRANSCODE_CHUNK)
            except zipfile.BadZipFile as error:
                raise FileRejected(f"not a readable zip file: {error}") from None
            # a re-saved export inside a zip is as likely to be Windows-1252 as a loose one
            extracted = [
                _as_utf(member, Path(tmp) / "utf8", transcode=not scan_file(member).utf8_valid)
                for member in extracted
            ]
            if len(extracted) == 1:
                current = extracted[0]
            else:
                bundled = (bundle(extracted, Path(tmp)) for bundle in ZIP_BUNDLES)
                current = next((c for c in bundled if c is not None), None)
                if current is None:
                    raise FileRejected(f"zip must hold exactly one CSV file, found {len(members)}")
        current = _as_utf(current, Path(tmp) / "utf8", transcode=transcode and current == path)
        yield current


def _as_utf(path: Path, folder: Path, *, transcode: bool = False) -> Path:
    """`path` if DuckDB can read it (UTF-8 or UTF-16), else a UTF-8 copy of it, transcoded from
    Windows-1252 in chunks: what Excel writes on most Western machines ("CSV"), and what DuckDB
    cannot read (its encodings extension cannot be downloaded here). Bytes Windows-1252 does not
    define refuse the file rather than turning into something else. `transcode`: the file's
    first bytes read as UTF-8 but later ones do not (an `é` after the first few kB)."""
    if not transcode:
        try:
            detect_encoding(path.open("rb").read(4096))
            return path
        except FileRejected:
            pass
    folder.mkdir(parents=True, exist_ok=True)
    transcoded = folder / path.name
    try:
        with (
            path.open("r", encoding="cp1252", newline="") as src,
            transcoded.open("w", encoding="utf-8", newline="") as dst,
        ):
            shutil.copyfileobj(src, dst, TRANSCODE_CHUNK)
    except UnicodeDecodeError as error:
        raise FileRejected(
            f"{path.name}: not UTF-8, UTF-16 or Windows-1252 (byte "
            f"0x{error.object[error.start]:02x} is none of them): save it again as CSV UTF-8"
        ) from None
    return transcoded


def ensure_raw_table(con: duckdb.DuckDBPyConnection, fmt: FileFormat) -> None:
    """A physical raw table with the format's columns and lineage (API pulls land here)."""
    table = f"raw.{quote_ident(fmt.table)}"
    con.execute("create schema if not exists raw")
    columns = [f"{quote_ident(c)} varchar" for c in fmt.columns]
    columns += [f"{quote_ident(c)} {t}" for c, t in LINEAGE_COLUMNS.items()]
    con.execute(f"create table if not exists {table} ({', '.join(columns)})")
    # Formats grow columns over time; an older raw table gains them instead of failing.
    for column in fmt.columns:
        con.execute(f"alter table {table} add column if not exists {quote_ident(column)} varchar")


def _file_formats() -> dict[str, list[FileFormat]]:
    tables: dict[str, list[FileFormat]] = {}
    for formats in FORMATS_BY_KIND.values():
        for fmt in formats:
            tables.setdefault(fmt.table, []).append(fmt)
    return tables


def _file_table(table: str, load_id: str) -> str:
    assert LOAD_ID.match(load_id), load_id
    return f"{FILES_SCHEMA}.{quote_ident(f'{table}__{load_id}')}"


def _typed_columns(
    con: duckdb.DuckDBPyConnection, relation: str, fmt: FileFormat
) -> dict[str, str]:
    """The format's typed columns this file has (users leave columns out of exports)."""
    present = {d[0] for d in con.execute(f"select * from {relation} limit 0").description}
    return {column: kind for column, kind in fmt.types.items() if column in present}


def _decide_old_load(
    con: duckdb.DuckDBPyConnection, table: str, load_id: str, fmt: FileFormat
) -> str:
    """Column formats for a file loaded before they were recorded: decided now from its values
    (ISO-only reading where its dates cannot be decided), and stored in the ledger."""
    relation = _file_table(table, load_id)
    columns = _typed_columns(con, relation, fmt)
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
    formats = _file_formats()[table]
    columns = list(dict.fromkeys(c for fmt in formats for c in fmt.columns))
    con.execute(f"create schema if not exists {FILES_SCHEMA}")
    con.execute("create schema if not exists raw")
    empty = f"{FILES_SCHEMA}.{quote_ident(f'{table}__columns')}"
    typed = ", ".join(f"{quote_ident(c)} varchar" for c in columns)
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
            con.execute(f"alter table {empty} add column {quote_ident(column)} varchar")
    lineage = ", ".join(f"cast(null as {kind}) as {name}" for name, kind in LINEAGE_COLUMNS.items())
    parts = [f"select *, {lineage} from {empty}"]
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
        complete = " and ".join(f"files.{quote_ident(c)} is not null" for c in required) or "true"
        if column_formats is None and fmt is not None:
            column_formats = _decide_old_load(con, table, load_id, fmt)
        # typed columns in canonical text (ingest.inbox.values), as this file's values read
        normalized = ", ".join(
            f"{values.normalize_sql('files.' + quote_ident(column), column_format)} "
            f"as {quote_ident(column)}"
            for column, column_format in values.loads(column_formats).items()
        )
        star = f"files.* replace ({normalized})" if normalized else "files.*"
        if load_id in with_rejects:
            complete += (
                " and files.rowid not in (select row_index from ops.rejected_rows "
                f"where load_id = '{load_id}')"
            )
        parts.append(
            f"""select {star},
                   ledger.source as _source,
                   ledger.format as _format,
                   ledger.file_name as _file,
                   ledger.file_sha256 as _file_sha256,
                   files.rowid + 1 as _row_number,
                   ledger.loaded_at as _loaded_at,
                   ledger.snapshot_date as _snapshot_date,
                   cast(null as varchar) as _site,
            from {_file_table(table, load_id)} as files
            inner join ops.ingested_files as ledger on ledger.load_id = '{load_id}'
            where {complete}"""
        )
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
        f"create or replace view raw.{quote_ident(table)} as\n"
        + "\nunion all by name\n".join(parts)
    )


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
        con.execute(f"drop table {FILES_SCHEMA}.{quote_ident(name)}")
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


def site_from_name(name: str) -> str | None:
    """The registrable domain of the first domain in a file name (`acme.com-backlinks.csv`,
    `ga4_acme.co.uk-landing-pages.csv`): the longest head of a name token that ends a label and
    has a public suffix (`acme.com-landing-pages.csv` is not a domain, `acme.com` is)."""
    # `.zip` and friends are top-level domains too: the extension is not part of the name
    stem = re.sub(r"(\.(csv|tsv|txt|zip|xlsx?))+$", "", name.lower())
    for token in NAME_TOKEN.finditer(stem):
        text = token[0]
        heads = [text[: end.start()] for end in DOMAIN_END.finditer(text)]
        for head in sorted(heads, key=len, reverse=True):
            if "." in head and not head.startswith("-") and has_public_suffix(head):
                domain = registrable_domain(head.removeprefix("www."))
                if domain:
                    return domain
    return None


def detect_site(con: duckdb.DuckDBPyConnection, fmt: FileFormat, relation: str) -> str | None:
    """The most common registrable domain of the format's site column (per distinct host)."""
    if fmt.site_column is None:
        return None
    # An optional column the user left out of the export is not in the file's table.
    present = [d[0] for d in con.execute(f"select * from {relation} limit 0").description]
    if fmt.site_column not in present:
        return None
    column = quote_ident(fmt.site_column)
    rows = con.execute(
        f"""select lower(regexp_extract(trim({column}), ?, 1)) as host, count(*) as n
            from {relation}
            where {column} is not null
            group by host""",
        [HOST_PATTERN],
    ).fetchall()
    counts: Counter[str] = Counter()
    for host, n in rows:
        if host:
            counts[registrable_domain(host.removeprefix("www."))] += n
    return counts.most_common(1)[0][0] if counts else None


@dataclass(frozen=True)
class RowCounts:
    loaded: int
    rejected: int
    samples: tuple[str, ...]  # a few "line N: why" lines for the report


def _copy_rows(
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
            selected.append(f"c{index} as {quote_ident(canonical)}")
    return con.execute(
        f"create table {target} as select {', '.join(selected)} from {relation}", params
    ).fetchone()[0]


def _malformed_lines(con: duckdb.DuckDBPyConnection, layout: CsvLayout) -> list[tuple[int, str]]:
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


def _read_rows(
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
    missing = " or ".join(f"{quote_ident(c)} is null" for c in fmt.required) or "false"
    incomplete = con.execute(f"select count(*) from {target} where {missing}").fetchone()[0]
    headers = {c: _header_name(layout, fmt, c) for c in fmt.types}
    decided = values.decide_formats(
        con,
        target,
        _typed_columns(con, target, fmt),
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


def _ledger(
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


# Most file systems allow 255 bytes per name: room for a counter and `.error.txt`.
MAX_NAME_BYTES = 255


def _fit(name: str, suffix: str) -> str:
    """`name` + `suffix`, the name shortened (keeping its end: the extension, the stamp) when
    the whole would be longer than a file name may be."""
    room = MAX_NAME_BYTES - len(suffix.encode())
    if len(name.encode()) <= room:
        return name + suffix
    tail = name[-40:]
    head = name.encode()[: room - len(tail.encode()) - 3].decode(errors="ignore")
    return f"{head}...{tail}{suffix}"


def reject_file(path: Path, kind_dir: Path, reason: str) -> Path:
    """Move a file to `_rejected/` beside a `.error.txt`; never overwrite an earlier rejection.

    The error file is written first, so a file is never moved without its reason. A name too
    long to take `.error.txt` gets a shortened error file name (the full name is inside)."""
    target_dir = kind_dir / REJECTED_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / _fit(path.name, "")
    counter = 1
    while target.exists():
        target = target_dir / _fit(path.stem, f".{counter}{path.suffix}")
        counter += 1
    (target_dir / _fit(target.name, ".error.txt")).write_text(
        f"{path.name} was not loaded.\n\n{reason}\n", encoding="utf-8"
    )
    shutil.move(str(path), target)
    return target


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


def _record_duplicate(con, path: Path, kind: str, sha: str, stat, seen: list[tuple]) -> LoadResult:
    if any(name == path.name for name, status in seen if status == "loaded"):
        return LoadResult(path, kind, "skipped")
    original = next(name for name, status in seen if status == "loaded")
    _ledger(
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
            log.warning("%s vanished before it was read: skipped", shown(path.name))
            return LoadResult(
                path, kind, "vanished", error="the file disappeared while it was read"
            )
        reason = f"cannot be read: {getattr(error, 'strerror', None) or error}"
        _record_unreadable(con, path, kind, reason)
        log.warning("%s %s: skipped, tried again on the next run", shown(path.name), reason)
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
                target = _file_table(fmt.table, load_id)
                con.execute(f"create schema if not exists {FILES_SCHEMA}")
                shaped = fmt.reshape(layout) if fmt.reshape else None
                read = _copy_rows(con, layout, fmt, target, shaped)
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
                malformed = _malformed_lines(con, layout) if read < expected else []
                if any("line size" in message.lower() for _, message in malformed):
                    # lines longer than DuckDB's default limit: read again with a larger one
                    con.execute(f"drop table {target}")
                    layout = replace(layout, long_lines=True)
                    read = _copy_rows(con, layout, fmt, target, shaped)
                    malformed = _malformed_lines(con, layout) if read < expected else []
                result = _read_rows(
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
                con.execute("begin transaction")
                try:
                    _ledger(
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
                    con.execute("commit")
                except BaseException:
                    con.execute("rollback")
                    raise
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
            _ledger(
                con, sha=sha, path=moved, kind=kind, status="rejected", error=reason[:2000],
                stat=kept,
            )  # fmt: skip
            log.warning(
                "%s rejected: %s", shown(path.name), reason.splitlines()[0] if reason else ""
            )
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
    con.execute("begin transaction")
    try:
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
            con.execute(f"drop table if exists {_file_table(raw_table, load_id)}")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    log.info("forgot %s (%s): %d rows out of raw.%s", shown(name), sha, loaded_rows, raw_table)
    return Forgotten(name, sha, raw_table, loaded_rows or 0)
