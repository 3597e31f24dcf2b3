"""Which engine builds the dbt models: DuckDB (the default, embedded) or Apache Spark
(`LINKOKR_ENGINE=spark`, dbt-spark's `spark` target; docs/scaling.md, "Past one machine").

On Spark the build reads the raw layer as Parquet (exported from the warehouse just before) and
writes its tables as Parquet under `<warehouse folder>/spark/tables/`. The marts are then copied
into the warehouse file's `marts` schema, so everything downstream (key-result checks, alerts,
dashboard, `linkokr status`, the serving copy, analysts' SQL) reads them where it always does."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from ingest.parquet_layer import export_raw_layer as export_parquet_raw_layer
from ingest.settings import Paths
from ingest.warehouse import quote_identifier

ENGINES = ("duckdb", "spark")
ENGINE_ENV = "LINKOKR_ENGINE"

# dbt types of the marts' array and struct columns, per engine (the marts' YAML reads these
# variables; DuckDB's spellings are their defaults there).
SPARK_TYPES = {
    "LINKOKR_TYPE_STRING_ARRAY": "array<string>",
    "LINKOKR_TYPE_INT_ARRAY": "array<int>",
    "LINKOKR_TYPE_DATE_VALUE_ARRAY": "array<struct<date:date,value:double>>",
}


def engine(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    value = (env.get(ENGINE_ENV) or "duckdb").strip().lower()
    if value not in ENGINES:
        raise dg.DagsterError(
            f"{ENGINE_ENV}={value!r} is not an engine linkokr knows: use duckdb or spark"
        )
    return value


def spark_dir(paths: Paths) -> Path:
    """Spark's side of a home: the raw Parquet layer, Spark's tables and its metastore."""
    return paths.warehouse.parent / "spark"


def engine_environment(paths: Paths) -> dict[str, str]:
    """What dbt must see to build on this home's engine."""
    if engine() != "spark":
        return {}
    return {"LINKOKR_SPARK_DIR": str(spark_dir(paths)), **SPARK_TYPES}


def dbt_target_args() -> list[str]:
    """dbt's target: the profile's `spark` (local), or the one LINKOKR_SPARK_TARGET names (a
    cluster's Thrift server, Databricks: docs/scaling.md)."""
    if engine() != "spark":
        return []
    return ["--target", os.environ.get("LINKOKR_SPARK_TARGET") or "spark"]


def check_spark_installed() -> None:
    """A clear error instead of a Java stack trace when Spark cannot start here."""
    missing = []
    try:
        import dbt.adapters.spark  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError:
        missing.append("pyspark and dbt-spark (pip install 'linkokr[spark]')")
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and (Path(java_home) / "bin" / "java").exists()):
        missing.append("Java 17 (Debian: apt-get install openjdk-17-jre-headless)")
    if missing:
        raise dg.Failure(
            description=f"{ENGINE_ENV}=spark needs " + " and ".join(missing) + "; not found here"
        )


def export_raw_layer(con: duckdb.DuckDBPyConnection, paths: Paths) -> int:
    """The warehouse's raw and ops relations as Parquet, where Spark's sources read them."""
    return len(export_parquet_raw_layer(con, spark_dir(paths) / "raw"))


# Beyond the marts, what the pipeline's own Python reads from the warehouse file (the backlink
# snapshot freshness check, orchestration/defs/okrs/freshness.py).
READ_BY_THE_PIPELINE = (("intermediate", "int_backlink_snapshots"),)


def copy_spark_marts(con: duckdb.DuckDBPyConnection, paths: Paths, marts: list[str]) -> list[str]:
    """Spark's tables of `marts` (names), and those in READ_BY_THE_PIPELINE, into the warehouse
    file's schemas of the same names, each replaced in one statement; a table Spark has not built
    (a failed model) keeps its previous rows. Returns the marts copied."""
    tables = spark_dir(paths) / "tables"
    copied = []
    for schema, name in [("marts", mart) for mart in sorted(marts)] + list(READ_BY_THE_PIPELINE):
        files = sorted((tables / f"{schema}.db" / name).glob("*.parquet"))
        if not files:
            continue
        con.execute(f"create schema if not exists {quote_identifier(schema)}")
        relation = f"{quote_identifier(schema)}.{quote_identifier(name)}"
        kind = con.execute(
            "select table_type from information_schema.tables"
            " where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
        if kind and kind[0][0] == "VIEW":
            con.execute(f"drop view {relation}")
        con.execute(
            f"create or replace table {relation} as select * from read_parquet(?)",
            [[str(path) for path in files]],
        )
        if schema == "marts":
            copied.append(name)
    return copied
