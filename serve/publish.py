"""Publish the marts for analysts and BI tools: a read-only serving copy and Parquet files.

The warehouse has one writer (the pipeline), and a DuckDB reader holding the warehouse open would
block it. So after each dbt build the `marts` schema (and the `ops` ledger tables analysts use to
judge freshness) is copied into a separate DuckDB file, `LINKOKR_SERVING`, and into one Parquet
file per mart. Every file is written under a temporary name in its final directory and renamed
over the old one (`os.replace`, atomic on one filesystem): a reader that already has the old file
open keeps reading a complete copy, and the next open sees the new one. Nobody ever sees a
half-built table.

The serving file is written in DuckDB's v1.4 storage format: BI tools and CLIs bundle older
DuckDB versions than the pipeline, and a file in the pipeline's own newer format would not open
in them.
"""

from __future__ import annotations

import logging
import os
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest import scratch
from ingest.warehouse import quote_identifier, transaction

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


def storage_number(path: Path) -> int:
    """The storage version number in a DuckDB file's header (what a reader checks first)."""
    with path.open("rb") as f:
        header = f.read(20)
    if header[8:12] != b"DUCK":
        raise ValueError(f"{path} is not a DuckDB database file")
    return struct.unpack("<Q", header[12:20])[0]


def publish(
    warehouse: duckdb.DuckDBPyConnection,
    serving_path: Path,
    parquet_dir: Path,
    *,
    ops_tables: tuple[str, ...] = OPS_TABLES,
) -> PublishResult:
    """Copy `marts` (and the `ops` tables present) from the open warehouse into a new serving file
    and `parquet_dir/<mart>.parquet`, then swap each into place atomically."""
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
    new_serving = serving_path.with_name(f".{serving_path.name}.{token}.tmp")
    new_parquet = {t: parquet_dir / f".{t}.parquet.{token}.tmp" for t in marts}
    temporaries = [new_serving, new_serving.with_name(new_serving.name + ".wal")]
    temporaries += new_parquet.values()
    try:
        warehouse.execute(f"detach database if exists {_NEW}")
        warehouse.execute(
            f"attach {_literal(str(new_serving))} as {_NEW} "
            f"(storage_version {_literal(SERVING_STORAGE_VERSION)})"
        )
        try:
            counts = _copy_tables(warehouse, catalog, copied)
            for table, path in new_parquet.items():
                warehouse.execute(
                    f"copy (select * from {_NEW}.marts.{quote_identifier(table)}) "
                    f"to {_literal(str(path))} (format parquet)"
                )
            warehouse.execute(f"checkpoint {_NEW}")
        finally:
            warehouse.execute(f"detach database if exists {_NEW}")
        if storage_number(new_serving) != SERVING_STORAGE_NUMBER:
            raise RuntimeError(
                f"serving copy written with storage number {storage_number(new_serving)}, "
                f"expected {SERVING_STORAGE_NUMBER} ({SERVING_STORAGE_VERSION})"
            )
        _swap(new_serving, serving_path)
        parquet_files = {}
        for table, path in new_parquet.items():
            parquet_files[table] = parquet_dir / f"{table}.parquet"
            os.replace(path, parquet_files[table])
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
    )
    log.info(
        "published %d tables (%d rows) to %s (%d bytes) and %d Parquet files to %s",
        len(counts),
        sum(counts.values()),
        serving_path,
        result.serving_bytes,
        len(parquet_files),
        parquet_dir,
    )
    return result


def _copy_tables(
    con: duckdb.DuckDBPyConnection, catalog: str, tables: list[tuple[str, str]]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    q = quote_identifier
    with transaction(con):
        for schema in dict.fromkeys(s for s, _ in tables):
            con.execute(f"create schema {_NEW}.{q(schema)}")
        for schema, table in tables:
            con.execute(
                f"create table {_NEW}.{q(schema)}.{q(table)} as "
                f"select * from {q(catalog)}.{q(schema)}.{q(table)}"
            )
            counts[f"{schema}.{table}"] = con.execute(
                f"select count(*) from {_NEW}.{q(schema)}.{q(table)}"
            ).fetchone()[0]
            log.info("serving copy: %s.%s, %d rows", schema, table, counts[f"{schema}.{table}"])
    return counts


def _swap(new_serving: Path, serving_path: Path) -> None:
    # A WAL next to the serving copy would belong to the old file (someone opened it read-write);
    # replayed onto the new file it would corrupt it.
    stale_wal = serving_path.with_name(serving_path.name + ".wal")
    if stale_wal.exists():
        log.warning("removing %s: the serving copy is read-only, its WAL is stale", stale_wal)
        stale_wal.unlink()
    os.replace(new_serving, serving_path)


def _drop_stale_parquet(parquet_dir: Path, marts: set[str]) -> None:
    for path in parquet_dir.glob("*.parquet"):
        if path.stem not in marts:
            log.info("removing %s: no such mart any more", path)
            path.unlink()
