"""The serving copy analysts and BI tools read: complete, swapped atomically, readable by
DuckDB 1.4, reachable the way BI tools connect (SQLAlchemy + duckdb-engine), and never in the
pipeline's way."""

import json
import subprocess
import sys
import venv
from pathlib import Path

import duckdb
import pytest

from ingest.settings import Paths
from serve.publish import SERVING_STORAGE_NUMBER, publish, standby_path, storage_number
from tests.conftest import copy_demo_home

pytestmark = pytest.mark.e2e


def table_counts(path: Path) -> dict[str, int]:
    """Rows of every table in a DuckDB file, read in one statement (one snapshot)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() order by all"
        ).fetchall()
        union = " union all ".join(
            f'select \'{s}.{t}\', count(*) from "{s}"."{t}"' for s, t in tables
        )
        return dict(con.execute(union).fetchall())
    finally:
        con.close()


@pytest.fixture(scope="module")
def published(demo_home, tmp_path_factory) -> Paths:
    """A copy of the demo home, published once more by calling `publish` directly."""
    home = copy_demo_home(demo_home, tmp_path_factory.mktemp("publish") / "home")
    paths = Paths.from_env({"LINKOKR_HOME": str(home)})
    # A mart dbt no longer builds: its Parquet file must not linger.
    stale = paths.warehouse.parent / "parquet" / "dropped_mart.parquet"
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"stale")
    con = duckdb.connect(str(paths.warehouse))
    try:
        publish(con, paths.serving, paths.warehouse.parent / "parquet")
    finally:
        con.close()
    return paths


def test_serving_copy_and_parquet_hold_every_mart(published: Paths):
    con = duckdb.connect(str(published.warehouse), read_only=True)
    marts = [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall()
    ]
    expected = {
        f"marts.{t}": con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for t in marts
    }
    con.close()
    assert "fct_key_result_progress" in marts and "fct_backlinks" in marts

    served = table_counts(published.serving)
    assert {k: v for k, v in served.items() if k.startswith("marts.")} == expected
    assert "ops.ingested_files" in served and served["ops.ingested_files"] > 0

    parquet = published.warehouse.parent / "parquet"
    assert sorted(p.stem for p in parquet.glob("*.parquet")) == marts  # stale file removed
    reader = duckdb.connect()
    for table in marts:
        rows = reader.execute(
            "select count(*) from read_parquet(?)", [str(parquet / f"{table}.parquet")]
        ).fetchone()[0]
        assert rows == expected[f"marts.{table}"], table
    # Nothing half-written is left behind next to the published files.
    leftovers = [p.name for d in (published.serving.parent, parquet) for p in d.glob(".*tmp*")]
    assert leftovers == []
    assert not published.serving.with_name(published.serving.name + ".wal").exists()


def test_serving_copy_is_in_the_duckdb_1_4_storage_format(published: Paths):
    # 67 is the newest storage number DuckDB 1.4 accepts ("can only read versions between 64
    # and 67"); the pipeline's own DuckDB would otherwise write its newer default format.
    assert storage_number(published.serving) == SERVING_STORAGE_NUMBER == 67


READ_WITH_DUCKDB_1_4 = """
import json, sys
import duckdb
serving, parquet_dir = sys.argv[1], sys.argv[2]
con = duckdb.connect(serving, read_only=True)
tables = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
counts = {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]
          for s, t in tables}
latest = con.execute(
    "select count(*) from marts.fct_key_result_progress as p"
    " inner join marts.dim_key_results as d using (kr_id) where p.is_latest").fetchone()[0]
parquet = con.execute(
    "select count(*) from read_parquet(?)", [parquet_dir + "/fct_backlinks.parquet"]).fetchone()[0]
print(json.dumps({"version": duckdb.__version__, "counts": counts, "latest": latest,
                  "parquet": parquet}))
"""


def test_serving_copy_opens_in_a_real_duckdb_1_4(published: Paths, tmp_path):
    """BI tools bundle older DuckDB versions: install DuckDB 1.4 in a throwaway venv and read."""
    env_dir = tmp_path / "duckdb14"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        + ["--only-binary=:all:", "duckdb>=1.4,<1.5"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if install.returncode != 0:
        pytest.skip(f"cannot install duckdb 1.4 from the package index: {install.stderr[-300:]}")
    read = subprocess.run(
        [str(python), "-c", READ_WITH_DUCKDB_1_4]
        + [str(published.serving), str(published.warehouse.parent / "parquet")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert read.returncode == 0, read.stderr
    seen = json.loads(read.stdout)
    assert seen["version"].startswith("1.4.")
    assert seen["counts"] == table_counts(published.serving)
    assert seen["latest"] > 0
    assert seen["parquet"] == seen["counts"]["marts.fct_backlinks"]


def test_bi_tools_connect_through_sqlalchemy(published: Paths):
    """What Superset (and pandas / a notebook) does: a `duckdb:///` URL, read-only, reflection."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"duckdb:///{published.serving}", connect_args={"read_only": True})
    try:
        inspector = sa.inspect(engine)
        assert "marts" in {name.split(".")[-1] for name in inspector.get_schema_names()}
        tables = inspector.get_table_names(schema="marts")
        assert {"fct_key_result_progress", "dim_key_results", "fct_backlinks"} <= set(tables)
        columns = {c["name"] for c in inspector.get_columns("fct_key_result_progress", "marts")}
        assert {"kr_id", "date", "value", "target", "progress", "status"} <= columns

        progress = sa.Table(
            "fct_key_result_progress", sa.MetaData(), schema="marts", autoload_with=engine
        )
        with engine.connect() as conn:
            latest = conn.execute(
                sa.select(progress.c.kr_id, progress.c.status).where(progress.c.is_latest)
            ).fetchall()
            key_results = conn.execute(
                sa.text("select count(*) from marts.dim_key_results")
            ).scalar_one()
            # Read-only really is read-only: a BI tool cannot damage the copy.
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                conn.execute(sa.text("delete from marts.dim_key_results"))
    finally:
        engine.dispose()
    assert len(latest) == key_results > 0
    assert {status for _, status in latest} <= {
        "achieved",
        "on_track",
        "at_risk",
        "behind",
        "missed",
        "no_data",
    }


# A BI tool: reads every table's count in one statement, again and again, until told to stop.
# `reopen` opens the file for each query (a new dashboard load); `hold` keeps one connection.
READER = """
import json, sys, time
from pathlib import Path
import duckdb
serving, mode, out, stop = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])

def counts(con):
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() order by all").fetchall()
    union = " union all ".join(
        f"select '{s}.{t}', count(*) from \\"{s}\\".\\"{t}\\"" for s, t in tables)
    return dict(con.execute(union).fetchall())

held = duckdb.connect(serving, read_only=True) if mode == "hold" else None
with out.open("w") as log:
    while not stop.exists():
        try:
            if held is not None:
                seen = counts(held)
            else:
                con = duckdb.connect(serving, read_only=True)
                try:
                    seen = counts(con)
                finally:
                    con.close()
            log.write(json.dumps({"counts": seen}) + "\\n")
        except Exception as error:
            log.write(json.dumps({"error": repr(error)}) + "\\n")
        log.flush()
        time.sleep(0.05)
"""


def differences(warehouse: Path, serving: Path) -> dict[str, tuple[int, int]]:
    """Per table of the serving copy: rows only in the warehouse, rows only in the copy."""
    con = duckdb.connect()
    try:
        con.execute("attach ? as w (read_only)", [str(warehouse)])
        con.execute("attach ? as s (read_only)", [str(serving)])
        found = {}
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 's'"
        ).fetchall()
        for schema, table in tables:
            name = f'"{schema}"."{table}"'
            only_w, only_s = (
                con.execute(
                    f"select count(*) from (select * from {a}.{name} except all "
                    f"select * from {b}.{name})"
                ).fetchone()[0]
                for a, b in (("w", "s"), ("s", "w"))
            )
            if only_w or only_s:
                found[f"{schema}.{table}"] = (only_w, only_s)
        return found
    finally:
        con.close()


@pytest.fixture
def home(demo_home, tmp_path) -> Paths:
    return Paths.from_env({"LINKOKR_HOME": str(copy_demo_home(demo_home, tmp_path / "home"))})


def publish_home(paths: Paths):
    con = duckdb.connect(str(paths.warehouse))
    try:
        return publish(con, paths.serving, paths.warehouse.parent / "parquet")
    finally:
        con.close()


def change_three_links(paths: Paths) -> None:
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute(
            """update marts.fct_backlinks set anchor = 'changed' where backlink_id in (
                   select backlink_id from marts.fct_backlinks order by backlink_id limit 3)"""
        )


def test_a_publish_writes_only_the_rows_that_changed(home: Paths):
    parquet = home.warehouse.parent / "parquet"
    # the first publish of a home copies every table (and keeps a byte copy as the standby)
    home.serving.unlink()
    standby_path(home.serving).unlink(missing_ok=True)
    assert publish_home(home).method == "copy"
    unchanged = publish_home(home)
    # the previous serving file, kept as the standby, brought up to date in place
    assert unchanged.method == "standby"
    assert unchanged.changed_rows == {} and unchanged.parquet_rewritten == ()
    progress_file = (parquet / "fct_key_result_progress.parquet").stat()

    change_three_links(home)
    changed = publish_home(home)
    assert changed.method == "standby"
    assert changed.changed_rows == {"marts.fct_backlinks": (3, 3)}
    assert changed.parquet_rewritten == ("fct_backlinks",)
    assert differences(home.warehouse, home.serving) == {}
    # a mart that did not change keeps its Parquet file; the changed one has the new rows
    assert (parquet / "fct_key_result_progress.parquet").stat().st_mtime_ns == (
        progress_file.st_mtime_ns
    )
    anchors = duckdb.execute(
        "select count(*) from read_parquet(?) where anchor = 'changed'",
        [str(parquet / "fct_backlinks.parquet")],
    ).fetchone()[0]
    assert anchors == 3
    assert storage_number(home.serving) == SERVING_STORAGE_NUMBER

    # the standby is two publishes old: it gets the change too, and no Parquet file is rewritten
    again = publish_home(home)
    assert again.changed_rows == {"marts.fct_backlinks": (3, 3)}
    assert again.parquet_rewritten == ()
    assert differences(home.warehouse, home.serving) == {}


HOLD = """
import sys, time
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("select count(*) from marts.fct_backlinks").fetchone()[0], flush=True)
sys.stdin.read()  # until the test closes our stdin
print(con.execute("select count(*) from marts.fct_backlinks").fetchone()[0], flush=True)
"""


def test_a_reader_holding_the_old_copy_open_never_blocks_a_publish(home: Paths):
    publish_home(home)
    publish_home(home)
    # a BI tool opens the serving copy and keeps it open across the next two publishes: the
    # first makes its file the standby, the second would update that file in place
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(home.serving)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        before = int(reader.stdout.readline())
        publish_home(home)
        with duckdb.connect(str(home.warehouse)) as con:
            con.execute("delete from marts.fct_backlinks where backlink_id in ("
                        "select backlink_id from marts.fct_backlinks limit 5)")  # fmt: skip
        blocked = publish_home(home)
        reader.stdin.close()
        after = int(reader.stdout.readline())
    finally:
        if reader.poll() is None:
            reader.kill()
        reader.wait(timeout=30)
    # the file it holds is not touched: copied whole instead, and complete
    assert blocked.method == "copy"
    assert before == after
    assert differences(home.warehouse, home.serving) == {}
    assert table_counts(home.serving)["marts.fct_backlinks"] == before - 5
    # once the reader is gone, publishing is back to writing only what changed
    assert publish_home(home).method == "standby"
