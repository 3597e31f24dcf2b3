"""Loading inbox files into `raw`: detect the format, stream rows through DuckDB, keep the ledger.

Every file is loaded in one transaction (rows + ledger entry), so a crash mid-load leaves the
warehouse as it was. Content is identified by SHA-256: the same bytes under another name are a
`duplicate` and load nothing. A file that cannot be parsed moves to `<kind>/_rejected/` next to a
`<name>.error.txt` saying why; the rest of the batch still loads.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from ingest.domains import HOST_PATTERN, has_public_suffix, registrable_domain
from ingest.files import (
    REJECTS_SCAN,
    REJECTS_TABLE,
    CsvLayout,
    FileRejected,
    csv_relation_sql,
    detect_encoding,
    find_header,
    normalize_header,
    scan_file,
    snapshot_date_of,
)
from ingest.formats import API_FORMATS, FORMATS_BY_KIND, FileFormat
from ingest.ledger import ensure_ops_tables
from ingest.settings import INBOX_KINDS

log = logging.getLogger(__name__)

REJECTED_DIR = "_rejected"
DOMAIN_IN_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}")
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


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def scan_inbox(inbox: Path, kinds: Iterable[str] = INBOX_KINDS) -> list[tuple[str, Path]]:
    """Files waiting in the inbox folders, oldest name first; dotfiles, folders, links skipped."""
    found: list[tuple[str, Path]] = []
    for kind in kinds:
        folder = inbox / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            if path.name.endswith(".error.txt"):
                continue
            found.append((kind, path))
    return found


def detect_format(path: Path, kind: str) -> tuple[CsvLayout, FileFormat]:
    formats = FORMATS_BY_KIND.get(kind)
    if not formats:
        raise FileRejected(f"no file formats are known for inbox folder {kind!r}")
    layout = find_header(path, lambda names: any(f.matches(names) for f in formats))
    names = [normalize_header(h) for h in layout.header]
    return layout, next(f for f in formats if f.matches(names))


@contextmanager
def readable_copy(path: Path) -> Iterator[Path]:
    """The CSV DuckDB should read: zips extracted, non-UTF encodings transcoded (streamed)."""
    with tempfile.TemporaryDirectory(prefix="linkokr-") as tmp:
        current = path
        if path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    members = [
                        m
                        for m in archive.infolist()
                        if not m.is_dir() and not Path(m.filename).name.startswith(".")
                    ]
                    if len(members) != 1:
                        raise FileRejected(
                            f"zip must hold exactly one CSV file, found {len(members)}"
                        )
                    current = Path(tmp) / Path(members[0].filename).name
                    with archive.open(members[0]) as src, current.open("wb") as dst:
                        shutil.copyfileobj(src, dst, TRANSCODE_CHUNK)
            except zipfile.BadZipFile as error:
                raise FileRejected(f"not a readable zip file: {error}") from None
        try:
            detect_encoding(current.open("rb").read(4096))
        except FileRejected:
            # Windows-1252 is what Excel writes on most Western machines; DuckDB cannot read it
            # (its encodings extension cannot be downloaded here), so transcode in chunks.
            transcoded = Path(tmp) / (current.stem + ".utf8.csv")
            with (
                current.open("r", encoding="cp1252", errors="replace", newline="") as src,
                transcoded.open("w", encoding="utf-8", newline="") as dst,
            ):
                shutil.copyfileobj(src, dst, TRANSCODE_CHUNK)
            current = transcoded
        yield current


def ensure_raw_table(con: duckdb.DuckDBPyConnection, fmt: FileFormat) -> None:
    table = f"raw.{quote_ident(fmt.table)}"
    con.execute("create schema if not exists raw")
    columns = [f"{quote_ident(c)} varchar" for c in fmt.columns]
    columns += [f"{quote_ident(c)} {t}" for c, t in LINEAGE_COLUMNS.items()]
    con.execute(f"create table if not exists {table} ({', '.join(columns)})")
    # Formats grow columns over time; an older raw table gains them instead of failing.
    for column in fmt.columns:
        con.execute(f"alter table {table} add column if not exists {quote_ident(column)} varchar")


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create every raw table of files and API pulls (empty until data comes), so the dbt sources
    exist on a fresh warehouse. Returns the table names."""
    ensure_ops_tables(con)
    tables: dict[str, FileFormat] = {}
    for formats in (*FORMATS_BY_KIND.values(), API_FORMATS):
        for fmt in formats:
            tables.setdefault(fmt.table, fmt)
    for fmt in tables.values():
        ensure_raw_table(con, fmt)
    return list(tables)


def site_from_name(name: str) -> str | None:
    """The registrable domain of the first domain-like token in a file name (`acme.com-...csv`)."""
    for match in DOMAIN_IN_NAME.finditer(name.lower()):
        if has_public_suffix(match[0]):
            return registrable_domain(match[0].removeprefix("www."))
    return None


def detect_site(con: duckdb.DuckDBPyConnection, fmt: FileFormat, sha: str) -> str | None:
    """The most common registrable domain of the format's site column (per distinct host)."""
    if fmt.site_column is None:
        return None
    rows = con.execute(
        f"""select lower(regexp_extract(trim({quote_ident(fmt.site_column)}), ?, 1)) as host,
                   count(*) as n
            from raw.{quote_ident(fmt.table)}
            where _file_sha256 = ? and {quote_ident(fmt.site_column)} is not null
            group by host""",
        [HOST_PATTERN, sha],
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


def _insert_rows(
    con: duckdb.DuckDBPyConnection,
    layout: CsvLayout,
    fmt: FileFormat,
    *,
    file_name: str,
    load_id: str,
    snapshot: date,
) -> int:
    """Stream the file into its raw table, tagged with `load_id` until its hash is known.
    Malformed rows are skipped (not failing the file); values stay as the vendor wrote them
    (staging trims and casts). Returns the rows read."""
    selected = []
    for canonical, aliases in fmt.columns.items():
        index = layout.index(aliases)
        if index is not None:
            selected.append(f"c{index} as {quote_ident(canonical)}")
    relation, params = csv_relation_sql(layout)
    return con.execute(
        f"""
        insert into raw.{quote_ident(fmt.table)} by name
        select {", ".join(selected)},
               ? as _source, ? as _format, ? as _file, ? as _file_sha256,
               now() at time zone 'UTC' as _loaded_at,
               ? as _snapshot_date
        from {relation}
        """,
        [fmt.source, fmt.format_id, file_name, load_id, snapshot, *params],
    ).fetchone()[0]


def _finish_rows(
    con: duckdb.DuckDBPyConnection,
    layout: CsvLayout,
    fmt: FileFormat,
    *,
    load_id: str,
    sha: str,
    read: int,
    expected_rows: int,
) -> RowCounts:
    """Stamp the loaded rows with the file's hash and row numbers, drop rows lacking a required
    column, and account for every data line that did not become a row."""
    table = f"raw.{quote_ident(fmt.table)}"
    # Rows are appended in file order (DuckDB preserves insertion order), so within this
    # transaction their rowids number them: a window or `with ordinality` would cost more than
    # the whole read.
    con.execute(
        f"""update {table}
            set _row_number = rowid - (
                    select min(rowid) from {table} where _file_sha256 = $load_id) + 1,
                _file_sha256 = $sha
            where _file_sha256 = $load_id""",
        {"load_id": load_id, "sha": sha},
    )
    malformed: list[tuple[int, str]] = []
    if read < expected_rows:
        # Fewer rows than lines: read again, this time recording why and where rows were skipped
        # (a quoted field spanning lines also lands here, and then nothing is reported).
        for temp in (REJECTS_TABLE, REJECTS_SCAN):
            con.execute(f"drop table if exists {temp}")
        detailed, detailed_params = csv_relation_sql(layout, store_rejects=True)
        con.execute(f"select count(*) from {detailed}", detailed_params).fetchone()
        malformed = con.execute(
            f"select line, error_message from {REJECTS_TABLE} order by line"
        ).fetchall()
    missing = " or ".join(f"{quote_ident(c)} is null" for c in fmt.required) or "false"
    incomplete = con.execute(
        f"select count(*) filter (where {missing}) from {table} where _file_sha256 = ?", [sha]
    ).fetchone()[0]
    if incomplete:
        con.execute(f"delete from {table} where _file_sha256 = ? and ({missing})", [sha])
    samples = [f"line {line}: {message}" for line, message in malformed[:5]]
    if incomplete:
        samples.append(
            f"{incomplete} row(s) without a value in a required column ({', '.join(fmt.required)})"
        )
    rejected = len({line for line, _ in malformed}) + incomplete
    return RowCounts(read - incomplete, rejected, tuple(samples))


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
    rows=0,
    rejected=0,
    error=None,
    stat=None,
) -> None:
    con.execute(
        """insert into ops.ingested_files
           (file_sha256, file_name, file_path, file_size, file_mtime, kind, source, format, site,
            snapshot_date, status, rows_loaded, rows_rejected, error, loaded_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now() at time zone 'UTC')""",
        [
            sha,
            path.name,
            str(path),
            stat.st_size if stat else None,
            stat.st_mtime if stat else None,
            kind,
            fmt.source if fmt else None,
            fmt.format_id if fmt else None,
            site,
            snapshot,
            status,
            rows,
            rejected,
            error,
        ],
    )


def reject_file(path: Path, kind_dir: Path, reason: str) -> Path:
    """Move a file to `_rejected/` beside a `.error.txt`; never overwrite an earlier rejection."""
    target_dir = kind_dir / REJECTED_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / path.name
    counter = 1
    while target.exists():
        target = target_dir / f"{path.stem}.{counter}{path.suffix}"
        counter += 1
    shutil.move(str(path), target)
    (target_dir / f"{target.name}.error.txt").write_text(
        f"{path.name} was not loaded.\n\n{reason}\n", encoding="utf-8"
    )
    return target


def _already_seen(con: duckdb.DuckDBPyConnection, path: Path, stat) -> bool:
    return bool(
        con.execute(
            """select 1 from ops.ingested_files
           where file_path = ? and file_size = ? and file_mtime = ?
             and status in ('loaded', 'duplicate')""",
            [str(path), stat.st_size, stat.st_mtime],
        ).fetchone()
    )


def _record_duplicate(con, path: Path, kind: str, sha: str, stat, seen: list[tuple]) -> LoadResult:
    if any(name == path.name for name, status in seen if status == "loaded"):
        return LoadResult(path, kind, "skipped")
    original = next(name for name, status in seen if status == "loaded")
    con.execute("begin transaction")
    _ledger(
        con,
        sha=sha,
        path=path,
        kind=kind,
        status="duplicate",
        stat=stat,
        error=f"same content already loaded as {original}",
    )
    con.execute("commit")
    log.info("%s: duplicate of %s, nothing loaded", path.name, original)
    return LoadResult(path, kind, "duplicate")


def load_file(con: duckdb.DuckDBPyConnection, path: Path, kind: str) -> LoadResult:
    """Load one inbox file (idempotent). Rejections are moved aside and recorded, not raised.

    An unchanged file already in the ledger (same path, size and mtime) is skipped unread. A new
    one is hashed on a second thread while DuckDB streams it in; content already loaded under
    another name is rolled back and recorded as a duplicate."""
    ensure_ops_tables(con)
    stat = path.stat()
    if _already_seen(con, path, stat):
        return LoadResult(path, kind, "skipped")
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanning = pool.submit(scan_file, path)

        def loaded_before() -> tuple[str, list[tuple]]:
            sha = scanning.result().sha256
            seen = con.execute(
                "select file_name, status from ops.ingested_files where file_sha256 = ?", [sha]
            ).fetchall()
            return sha, seen

        try:
            with readable_copy(path) as readable:
                layout, fmt = detect_format(readable, kind)
                snapshot = snapshot_date_of(path)
                ensure_raw_table(con, fmt)
                load_id = f"loading-{uuid.uuid4().hex}"
                con.execute("begin transaction")
                try:
                    read = _insert_rows(
                        con, layout, fmt, file_name=path.name, load_id=load_id, snapshot=snapshot
                    )
                    sha, seen = loaded_before()
                    if any(status == "loaded" for _, status in seen):
                        con.execute("rollback")
                        return _record_duplicate(con, path, kind, sha, stat, seen)
                    scan = scanning.result() if readable == path else scan_file(readable)
                    counts = _finish_rows(
                        con,
                        layout,
                        fmt,
                        load_id=load_id,
                        sha=sha,
                        read=read,
                        expected_rows=scan.lines(layout.encoding) - layout.header_line - 1,
                    )
                    if counts.loaded == 0 and counts.rejected:
                        raise FileRejected(
                            f"none of the {counts.rejected} data rows could be read (wrong "
                            "delimiter or a broken export?):\n" + "\n".join(counts.samples)
                        )
                    site = site_from_name(path.name) if fmt.site_from_name else None
                    site = site or detect_site(con, fmt, sha)
                    report = "\n".join(counts.samples) or None
                    _ledger(
                        con,
                        sha=sha,
                        path=path,
                        kind=kind,
                        status="loaded",
                        fmt=fmt,
                        site=site,
                        snapshot=snapshot,
                        rows=counts.loaded,
                        rejected=counts.rejected,
                        error=report,
                        stat=stat,
                    )
                    con.execute("commit")
                except BaseException:
                    con.execute("rollback")
                    raise
        except FILE_PROBLEMS as error:
            sha, seen = loaded_before()
            if any(status == "loaded" for _, status in seen):
                return _record_duplicate(con, path, kind, sha, stat, seen)
            reason = str(error)
            moved = reject_file(path, path.parent, reason)
            con.execute("begin transaction")
            _ledger(con, sha=sha, path=moved, kind=kind, status="rejected", error=reason[:2000])
            con.execute("commit")
            log.warning("%s rejected: %s", path.name, reason.splitlines()[0] if reason else "")
            return LoadResult(path, kind, "rejected", error=reason)
    if counts.rejected:
        log.warning("%s: %d malformed row(s) left out:\n%s", path.name, counts.rejected, report)
    log.info(
        "%s: %d rows from %s (%s, snapshot %s)",
        path.name,
        counts.loaded,
        fmt.source,
        site,
        snapshot,
    )
    return LoadResult(
        path, kind, "loaded", fmt.source, site, snapshot, counts.loaded, counts.rejected, report
    )

