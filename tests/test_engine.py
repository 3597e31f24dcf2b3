"""The pieces around the second engine that need no Spark: the raw layer written as Parquet for
Spark to read, the engine setting, and Spark's marts copied into the warehouse file."""

import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from ingest.inbox import load_file
from ingest.inbox.forgetting import forget
from ingest.parquet_layer import export_raw_layer, export_schemas
from ingest.settings import Paths
from orchestration.defs.dbt.engine import copy_spark_marts, engine, spark_dir

pytestmark = pytest.mark.unit


def _warehouse(path):
    con = duckdb.connect(str(path))
    con.execute("create schema raw; create schema ops")
    con.execute(
        "create table raw.files_a as select 'https://a.org/' as url, 1::hugeint as n,"
        " '{}'::json as doc"
    )
    con.execute("create view raw.a as select * from raw.files_a")
    con.execute("create table ops.ingested_files as select 'f.csv' as file_name")
    return con


def test_the_raw_layer_is_written_as_parquet_with_the_same_rows(tmp_path):
    con = _warehouse(tmp_path / "w.duckdb")
    root = tmp_path / "raw"
    written = export_schemas(con, root)
    assert written == ["raw.a", "raw.files_a", "ops.ingested_files"]
    rows = duckdb.sql(f"select * from read_parquet('{root}/raw/a/*.parquet')").fetchall()
    assert rows == [("https://a.org/", 1, "{}")]
    # types another engine reads: no HUGEINT or JSON in the files
    types = duckdb.sql(f"describe select * from read_parquet('{root}/raw/a/*.parquet')").fetchall()
    assert [t[1] for t in types] == ["VARCHAR", "BIGINT", "VARCHAR"]


def test_an_unfinished_export_and_a_dropped_table_leave_no_files(tmp_path):
    con = _warehouse(tmp_path / "w.duckdb")
    root = tmp_path / "raw"
    export_schemas(con, root)
    orphan = root / "raw" / ".a.0123.tmp"
    orphan.mkdir()
    (orphan / "data.parquet").write_bytes(b"half")
    con.execute("drop view raw.a")
    export_schemas(con, root)
    assert sorted(p.name for p in (root / "raw").iterdir()) == ["files_a"]


def test_each_loaded_file_is_one_parquet_file_and_a_forgotten_one_leaves(tmp_path):
    from tests.test_inbox import ahrefs_row, write_ahrefs_utf16

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    files = [
        write_ahrefs_utf16(
            tmp_path / "inbox" / f"acme.com-backlinks-subdomains_2026-04-{day}_10-00-00.csv",
            [ahrefs_row(f"https://a{day}.example.org/", "https://acme.com/")],
        )
        for day in (17, 18)
    ]
    for path in files:
        assert load_file(con, path, "backlinks").status == "loaded"
    root = tmp_path / "parquet"
    export_raw_layer(con, root)
    folder = root / "raw" / "backlinks_ahrefs"
    first = sorted(p.name for p in folder.glob("*.parquet"))
    assert len(first) == 3  # one per load, and the empty one that carries every column

    def rows(sql):
        return sorted(duckdb.sql(sql).fetchall())

    view = "select _file, referring_page_url from raw.backlinks_ahrefs"
    parquet = f"select _file, referring_page_url from read_parquet('{folder}/*.parquet',"
    parquet += " union_by_name = true)"
    assert rows(parquet) == sorted(con.execute(view).fetchall())
    assert len(rows(parquet)) == 2

    # nothing new: nothing rewritten; a forgotten file's rows leave with its Parquet file
    mtimes = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.parquet")}
    export_raw_layer(con, root)
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.parquet")} == mtimes
    forget(con, files[0].name)
    export_raw_layer(con, root)
    assert len(list(folder.glob("*.parquet"))) == 2
    assert [url for _, url in rows(parquet)] == ["https://a18.example.org/"]


def test_the_engine_setting(monkeypatch):
    assert engine({}) == "duckdb"
    assert engine({"LINKOKR_ENGINE": " Spark "}) == "spark"
    with pytest.raises(dg.DagsterError, match="use duckdb or spark"):
        engine({"LINKOKR_ENGINE": "oracle"})


def test_spark_marts_replace_the_warehouse_marts(tmp_path):
    paths = Paths.from_env({"LINKOKR_HOME": str(tmp_path)})
    paths.warehouse.parent.mkdir(parents=True)
    folder = spark_dir(paths) / "tables" / "marts.db" / "fct_x"
    folder.mkdir(parents=True)
    duckdb.sql(f"copy (select 2 as n, ['a'] as l) to '{folder}/part-0.parquet' (format parquet)")
    con = duckdb.connect(str(paths.warehouse))
    con.execute("create schema marts; create view marts.fct_x as select 1 as n")
    con.execute("create table marts.fct_y as select 7 as n")
    copied = copy_spark_marts(con, paths, ["fct_x", "fct_y"])
    assert copied == ["fct_x"]  # fct_y: Spark built nothing, the warehouse keeps its rows
    assert con.execute("select * from marts.fct_x").fetchall() == [(2, ["a"])]
    assert con.execute("select * from marts.fct_y").fetchall() == [(7,)]


def test_a_child_process_output_never_enters_dbts_event_stream(tmp_path):
    """On Spark, dbt's child (the JVM) writes progress bars without line ends and log lines at
    any moment; dagster-dbt reads dbt's JSON events from the same pipe. With the streams
    separated, only dbt's own lines reach the pipe, whole, and the child's go to the log."""
    log = tmp_path / "logs" / "spark.log"
    script = (
        "import subprocess, sys\n"
        "from pathlib import Path\n"
        "from orchestration.defs.dbt.child import separate_child_output\n"
        "separate_child_output(Path(sys.argv[1]))\n"
        "print('{\"event\": 1}')\n"
        "subprocess.run(['sh', '-c', 'printf \"[Stage 1:>  (0 + 1) / 2]\\\\r\"; echo warn >&2'])\n"
        "print('{\"event\": 2}')\n"
        "print('dbt error', file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(log)], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ['{"event": 1}', '{"event": 2}']
    assert result.stderr == "dbt error\n"
    assert log.read_bytes() == b"[Stage 1:>  (0 + 1) / 2]\rwarn\n"
