"""Publish the marts for analysts and BI tools: a read-only serving copy and Parquet files.

The warehouse has one writer (the pipeline), and a DuckDB reader holding the warehouse open would
block it. So after each dbt build the `marts` schema (and the `ops` ledger tables analysts use to
judge freshness) is published to a separate DuckDB file, `LINKOKR_SERVING`, and to one Parquet
file per mart. A reader never sees a half-built table: every file is made complete under another
name in its final directory and renamed over the old one (`os.replace`, atomic on one
filesystem). A reader that already has the old file open keeps reading a complete copy, and the
next open sees the new one.

Publishing costs what changed, not the size of the marts. The serving file replaced by a publish
is kept next to it as the standby (`.<name>.standby`, a hard link). The next publish brings the
standby up to date in place, deleting and inserting only the rows that differ from the warehouse
(found by comparing row hashes, so it does not matter how old the standby is), and swaps it in.
Only the Parquet files of marts that changed are rewritten. A standby that a reader still holds
open (DuckDB's file lock), or that is missing or unreadable, is never waited for: that publish
copies every table into a new file, as the first one does.

The serving file is written in DuckDB's v1.4 storage format: BI tools and CLIs bundle older
DuckDB versions than the pipeline, and a file in the pipeline's own newer format would not open
in them.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import struct
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest import scratch
from ingest.warehouse import quote_identifier, transaction
from serve.files import write_text_atomically

log = logging.getLogger(__name__)

# The oldest DuckDB release that must read the serving copy (README, "Reading the marts").
SERVING_STORAGE_VERSION = "v1.4.0"
# What DuckDB writes at byte 12 of a file in that format (DuckDB 1.4 reads versions 64-67).
SERVING_STORAGE_NUMBER = 67
# The pipeline's ledger, copied when present: when files and API days were loaded, what was
# rejected, which alerts went out. `alerts` is written by the alerts asset, which may run
# after this asset in the same run, so its serving copy can lag by one run.
OPS_TABLES = ("ingested_files", "api_pulls", "ga4_report_metadata", "alerts")
_NEW = "linkokr_publish_new"


@dataclass(frozen=True)
class PublishResult:
    serving_path: Path
    parquet_dir: Path
    # "schema.table" -> rows, for every table in the serving copy.
    row_counts: dict[str, int]
    serving_bytes: int
    parquet_files: dict[str, Path]
    parquet_bytes: int
    storage_version: str = SERVING_STORAGE_VERSION
    # "schema.table" -> rows deleted and rows inserted by this publish (a table copied whole
    # counts all its rows as inserted); tables absent did not change.
    changed_rows: dict[str, tuple[int, int]] = field(default_factory=dict)
    # "standby" when the standby copy was brought up to date, "copy" when every table was copied.
    method: str = "copy"
    parquet_rewritten: tuple[str, ...] = ()


def _literal(value: str) -> str:
    # ATTACH and COPY take no bound parameters; these are our own paths, quoted all the same.
    return "'" + value.replace("'", "''") + "'"


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[str]:
    rows = con.execute(
        """select table_name from duckdb_tables()
           where database_name = ? and schema_name = ? and not temporary
           order by table_name""",
        [catalog, schema],
    ).fetchall()
    return [name for (name,) in rows]


def _columns(
    con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str
) -> list[tuple[str, str]]:
    return con.execute(
        """select column_name, data_type from duckdb_columns()
           where database_name = ? and schema_name = ? and table_name = ?
           order by column_index""",
        [catalog, schema, table],
    ).fetchall()


def storage_number(path: Path) -> int:
    """The storage version number in a DuckDB file's header (what a reader checks first)."""
    with path.open("rb") as f:
        header = f.read(20)
    if header[8:12] != b"DUCK":
        raise ValueError(f"{path} is not a DuckDB database file")
    return struct.unpack("<Q", header[12:20])[0]


def standby_path(serving_path: Path) -> Path:
    """Where the previous serving file waits to become the next one."""
    return serving_path.with_name(f".{serving_path.name}.standby")


def publish(
    warehouse: duckdb.DuckDBPyConnection,
    serving_path: Path,
    parquet_dir: Path,
    *,
    ops_tables: tuple[str, ...] = OPS_TABLES,
) -> PublishResult:
    """Bring the serving copy and `parquet_dir/<mart>.parquet` up to date with `marts` (and the
    `ops` tables present) of the open warehouse, swapping each file into place atomically."""
    catalog = warehouse.execute("select current_database()").fetchone()[0]
    marts = _tables(warehouse, catalog, "marts")
    if not marts:
        raise RuntimeError("the warehouse has no marts tables: nothing to publish (run dbt first)")
    present_ops = set(_tables(warehouse, catalog, "ops"))
    copied = [("marts", t) for t in marts] + [("ops", t) for t in ops_tables if t in present_ops]

    serving_path.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir.mkdir(parents=True, exist_ok=True)
    # Publishing runs alone (the warehouse pool): temporaries present now are a dead run's.
    scratch.remove(scratch.publish_leftovers(serving_path, parquet_dir))
    token = uuid.uuid4().hex[:12]
    standby = standby_path(serving_path)
    target, method = standby, "standby"
    if not (serving_path.exists() and _attach_standby(warehouse, standby)):
        target, method = serving_path.with_name(f".{serving_path.name}.{token}.tmp"), "copy"
        _attach(warehouse, target)
    temporaries = [] if method == "standby" else [target]
    temporaries.append(target.with_name(target.name + ".wal"))
    new_parquet: dict[str, Path] = {}
    try:
        try:
            counts, changed, fingerprints = _bring_up_to_date(warehouse, catalog, copied)
            warehouse.execute(f"checkpoint {_NEW}")
        finally:
            warehouse.execute(f"detach database if exists {_NEW}")
        if storage_number(target) != SERVING_STORAGE_NUMBER:
            raise RuntimeError(
                f"serving copy written with storage number {storage_number(target)}, "
                f"expected {SERVING_STORAGE_NUMBER} ({SERVING_STORAGE_VERSION})"
            )
        parquet_files = {t: parquet_dir / f"{t}.parquet" for t in marts}
        # The standby may be two publishes old: whether a mart's Parquet file is current is
        # told by the fingerprint of its rows when the file was written.
        written = _read_fingerprints(parquet_dir)
        rewrite = [
            t
            for t in marts
            if written.get(t) != fingerprints[f"marts.{t}"] or not parquet_files[t].exists()
        ]
        new_parquet = {t: parquet_dir / f".{t}.parquet.{token}.tmp" for t in rewrite}
        temporaries += new_parquet.values()
        for table, path in new_parquet.items():
            warehouse.execute(
                f"copy (select * from {quote_identifier(catalog)}.marts.{quote_identifier(table)}) "
                f"to {_literal(str(path))} (format parquet)"
            )
        _swap(target, serving_path, keep_old_as=standby)
        for table, path in new_parquet.items():
            os.replace(path, parquet_files[table])
        # after the files it describes: a fingerprint never vouches for a file not written
        _write_fingerprints(parquet_dir, {t: fingerprints[f"marts.{t}"] for t in marts})
    except BaseException:
        # Half brought up to date (the transaction rolls back, but a crash may not): the next
        # publish starts from a full copy rather than trust it.
        if method == "standby":
            scratch.remove([standby])
        raise
    finally:
        for path in temporaries:
            path.unlink(missing_ok=True)
    _drop_stale_parquet(parquet_dir, set(marts))

    result = PublishResult(
        serving_path=serving_path,
        parquet_dir=parquet_dir,
        row_counts=counts,
        serving_bytes=serving_path.stat().st_size,
        parquet_files=parquet_files,
        parquet_bytes=sum(p.stat().st_size for p in parquet_files.values()),
        changed_rows=changed,
        method=method,
        parquet_rewritten=tuple(new_parquet),
    )
    log.info(
        "published %d tables (%d rows; %s) to %s (%d bytes): %s; %d of %d Parquet files "
        "rewritten in %s",
        len(counts),
        sum(counts.values()),
        "brought the standby up to date" if method == "standby" else "copied every table",
        serving_path,
        result.serving_bytes,
        ", ".join(f"{t} -{d:,} +{i:,}" for t, (d, i) in changed.items()) or "nothing changed",
        len(new_parquet),
        len(parquet_files),
        parquet_dir,
    )
    return result


def _attach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    con.execute(f"detach database if exists {_NEW}")
    version = _literal(SERVING_STORAGE_VERSION)
    con.execute(f"attach {_literal(str(path))} as {_NEW} (storage_version {version})")


def _attach_standby(con: duckdb.DuckDBPyConnection, standby: Path) -> bool:
    """Attach the standby for writing, if it can be used without waiting for anyone."""
    if not standby.exists():
        return False
    try:
        if storage_number(standby) != SERVING_STORAGE_NUMBER:
            raise ValueError(f"storage number {storage_number(standby)}")
        _attach(con, standby)
    except (duckdb.Error, OSError, ValueError) as error:
        # Most often a reader that opened this file while it was the serving copy still has it.
        log.info("not updating the standby %s in place (%s): copying every table", standby, error)
        con.execute(f"detach database if exists {_NEW}")
        if "lock" not in str(error).lower():  # unreadable, not merely held: start afresh
            scratch.remove([standby, standby.with_name(standby.name + ".wal")])
        return False
    return True


def _bring_up_to_date(
    con: duckdb.DuckDBPyConnection, catalog: str, tables: list[tuple[str, str]]
) -> tuple[dict[str, int], dict[str, tuple[int, int]], dict[str, str]]:
    """Make the tables of the attached serving file equal to `tables` of the warehouse, in one
    transaction; returns the rows of each table, the rows deleted and inserted where any were,
    and each table's fingerprint (its row count and the sum of its row hashes)."""
    counts: dict[str, int] = {}
    changed: dict[str, tuple[int, int]] = {}
    fingerprints: dict[str, str] = {}
    q = quote_identifier
    wanted = set(tables)
    with transaction(con):
        present = {
            (schema, table)
            for schema, table in con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = ?",
                [_NEW],
            ).fetchall()
        }
        for schema, table in sorted(present - wanted):
            con.execute(f"drop table {_NEW}.{q(schema)}.{q(table)}")
            log.info("serving copy: dropped %s.%s, no longer published", schema, table)
        for schema in dict.fromkeys(s for s, _ in tables):
            con.execute(f"create schema if not exists {_NEW}.{q(schema)}")
        for schema, table in tables:
            name = f"{schema}.{table}"
            source = f"{q(catalog)}.{q(schema)}.{q(table)}"
            served = f"{_NEW}.{q(schema)}.{q(table)}"
            columns = _columns(con, catalog, schema, table)
            row_hash = "hash(" + ", ".join(q(column) for column, _ in columns) + ")"
            if (schema, table) in present and _columns(con, _NEW, schema, table) == columns:
                rows, hash_sum, deleted, inserted = _apply_difference(con, source, served, row_hash)
            else:
                rows, hash_sum = con.execute(
                    f"select count(*), coalesce(sum({row_hash}::hugeint), 0) from {source}"
                ).fetchone()
                con.execute(f"create or replace table {served} as select * from {source}")
                deleted, inserted = 0, rows
            counts[name] = rows
            fingerprints[name] = f"{rows}:{hash_sum}:{columns}"
            if deleted or inserted:
                changed[name] = (deleted, inserted)
            log.info(
                "serving copy: %s, %d rows (%d deleted, %d inserted)",
                name,
                counts[name],
                deleted,
                inserted,
            )
    return counts, changed, fingerprints


def _apply_difference(
    con: duckdb.DuckDBPyConnection, source: str, served: str, row_hash: str
) -> tuple[int, int, int, int]:
    """Delete from `served` the rows `source` does not have and insert those it lacks, as
    multisets: rows are compared by a 64-bit hash of all their columns (`row_hash`), and every
    row whose hash occurs a different number of times on the two sides is replaced. Returns the
    source's row count and hash sum (its fingerprint), then the rows deleted and inserted."""
    temps = ("lk_publish_new", "lk_publish_old", "lk_publish_changed")
    try:
        for temp, table in (("lk_publish_new", source), ("lk_publish_old", served)):
            con.execute(
                f"create or replace temp table {temp} as "
                f"select rowid as row_id, {row_hash} as h from {table}"
            )
        rows, hash_sum = con.execute(
            "select count(*), coalesce(sum(h::hugeint), 0) from lk_publish_new"
        ).fetchone()
        con.execute(
            """create or replace temp table lk_publish_changed as
               select h
               from (select h, count(*) as n from lk_publish_old group by h) as old
               full join (select h, count(*) as n from lk_publish_new group by h) as new using (h)
               where old.n is distinct from new.n"""
        )
        deleted = con.execute(
            f"""delete from {served} where rowid in (
                    select row_id from lk_publish_old semi join lk_publish_changed using (h))"""
        ).fetchone()[0]
        inserted = con.execute(
            f"""insert into {served} select * from {source} where rowid in (
                    select row_id from lk_publish_new semi join lk_publish_changed using (h))"""
        ).fetchone()[0]
    finally:
        for temp in temps:
            con.execute(f"drop table if exists temp.{temp}")
    return rows, hash_sum, deleted, inserted


def _swap(new_serving: Path, serving_path: Path, *, keep_old_as: Path) -> None:
    """Put `new_serving` at `serving_path` in one rename; the file it replaces stays behind as
    `keep_old_as`, the next publish's standby."""
    # A WAL next to the serving copy would belong to the old file (someone opened it read-write);
    # replayed onto the new file it would corrupt it.
    stale_wal = serving_path.with_name(serving_path.name + ".wal")
    if stale_wal.exists():
        log.warning("removing %s: the serving copy is read-only, its WAL is stale", stale_wal)
        stale_wal.unlink()
    old = keep_old_as.with_name(keep_old_as.name + ".old")
    old.unlink(missing_ok=True)
    kept = False
    try:
        if serving_path.exists():
            os.link(serving_path, old)  # the replaced file itself: nothing is copied
        else:
            # the first publish: the next one starts from a byte copy of this one
            shutil.copyfile(new_serving, old)
        kept = True
    except OSError as error:  # no hard links here, or no room: the next publish copies tables
        log.info("no standby kept (%s)", error)
        old.unlink(missing_ok=True)
    os.replace(new_serving, serving_path)
    if kept:
        os.replace(old, keep_old_as)


def _fingerprints_file(parquet_dir: Path) -> Path:
    return parquet_dir / ".fingerprints.json"


def _read_fingerprints(parquet_dir: Path) -> dict[str, str]:
    try:
        return json.loads(_fingerprints_file(parquet_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every Parquet file is written


def _write_fingerprints(parquet_dir: Path, fingerprints: dict[str, str]) -> None:
    write_text_atomically(_fingerprints_file(parquet_dir), json.dumps(fingerprints, indent=1))


def _drop_stale_parquet(parquet_dir: Path, marts: set[str]) -> None:
    for path in parquet_dir.glob("*.parquet"):
        if path.stem not in marts:
            log.info("removing %s: no such mart any more", path)
            path.unlink()
