"""The second engine: the demo's warehouse built again with `LINKOKR_ENGINE=spark linkokr run`
(dbt-spark, a local Spark session) gives every mart row for row as DuckDB built it.

Both builds read the same raw rows: the Spark home is a copy of the shared DuckDB demo, so the
ingest's own columns (load times, file names) are the same on both sides and any difference is
the engines'. Doubles are compared to 6 significant digits (the two engines sum in different
orders); every other value exactly, lists in their order."""

import io
import shutil
import subprocess
import sys

import duckdb
import pytest

from ingest.settings import Paths
from orchestration.defs.dbt.assets import spark_log_file
from tests.conftest import copy_demo_home, use_home

JAVA = shutil.which("java")
pytestmark = pytest.mark.skipif(
    JAVA is None,
    reason="Spark needs Java 17: .ci/run installs openjdk-17-jre-headless; "
    "on a machine without Java, `apt-get install openjdk-17-jre-headless`",
)


@pytest.fixture(scope="module")
def spark_home(demo_home, tmp_path_factory):
    home = copy_demo_home(demo_home, tmp_path_factory.mktemp("spark") / "home")
    # only what the ingest wrote stays: nothing DuckDB's build left may stand in for Spark's
    with duckdb.connect(str(home / "warehouse" / "linkokr.duckdb")) as con:
        for schema in ("staging", "intermediate", "marts"):
            con.execute(f"drop schema {schema} cascade")
    # nor any copy published from DuckDB's marts: the run must publish Spark's
    serving = Paths.from_env({"LINKOKR_HOME": str(home)}).serving
    serving.unlink()
    with pytest.MonkeyPatch.context() as mp:
        use_home(mp, home)
        mp.setenv("LINKOKR_ENGINE", "spark")
        result = subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "run"],
            capture_output=True,
            text=True,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    return home, output


def _marts(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            for (table,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }


def _comparable(column: str, data_type: str) -> str:
    quoted = '"' + column.replace('"', '""') + '"'
    if data_type in ("DOUBLE", "FLOAT") or data_type.startswith("DECIMAL"):
        return f"printf('%.6g', {quoted})"
    if "DOUBLE" in data_type:  # lists and structs of doubles
        return f"regexp_replace({quoted}::varchar, '(\\d+\\.\\d{{5}})\\d+', '\\1', 'g')"
    if data_type == "HUGEINT":
        return f"{quoted}::bigint"
    return quoted


def test_the_run_log_says_spark_built_the_marts(spark_home):
    _, output = spark_home
    assert "engine: Spark" in output
    assert "marts copied into the warehouse" in output


def test_every_mart_reaches_dagster_and_the_serving_copy(spark_home):
    """Each mart's materialization and each check's result reach Dagster through dbt's event
    stream, which Spark's JVM shares a process with: none may go missing, or Dagster skips the
    serving copy and the dashboard that depend on the mart."""
    home, output = spark_home
    assert "Skipping step" not in output
    assert "emitted no result" not in output
    paths = Paths.from_env({"LINKOKR_HOME": str(home)})
    warehouse, serving = _marts(paths.warehouse), _marts(paths.serving)
    assert sorted(serving) == sorted(warehouse)
    # the JVM's log went to its own file, not into dbt's events
    assert "WARN" in spark_log_file(paths).read_text()


def test_every_mart_is_equal_on_both_engines(demo_home, spark_home):
    home, _ = spark_home
    duck, spark = (
        Paths.from_env({"LINKOKR_HOME": str(demo_home)}),
        Paths.from_env({"LINKOKR_HOME": str(home)}),
    )
    duck_marts, spark_marts = _marts(duck.warehouse), _marts(spark.warehouse)
    assert sorted(spark_marts) == sorted(duck_marts)
    con = duckdb.connect()
    con.execute("attach ? as duck (read_only)", [str(duck.warehouse)])
    con.execute("attach ? as spark (read_only)", [str(spark.warehouse)])

    def count(sql):
        return con.execute(f"select count(*) from ({sql})").fetchall()[0][0]

    differences = {}
    for table, columns in sorted(duck_marts.items()):
        assert [name for name, _ in spark_marts[table]] == [name for name, _ in columns], table
        select = ", ".join(_comparable(name, data_type) for name, data_type in columns)
        duck_rows, spark_rows = (
            f'select {select} from {side}.marts."{table}"' for side in ("duck", "spark")
        )
        only_duck = count(f"{duck_rows} except all {spark_rows}")
        only_spark = count(f"{spark_rows} except all {duck_rows}")
        if only_duck or only_spark:
            example = con.execute(f"({duck_rows} except all {spark_rows}) limit 2").fetchall()
            differences[table] = (count(duck_rows), only_duck, only_spark, example)
    assert not differences, differences


def test_the_scoreboard_is_the_same_on_both_engines(demo_home, spark_home):
    from orchestration.cli.status import print_scoreboard, scoreboard

    home, _ = spark_home
    duck = scoreboard(Paths.from_env({"LINKOKR_HOME": str(demo_home)}))
    spark = scoreboard(Paths.from_env({"LINKOKR_HOME": str(home)}))
    assert len(duck) >= 10
    printed = []
    for rows in (duck, spark):
        out = io.StringIO()
        print_scoreboard(rows, "table", out)
        printed.append(out.getvalue())
    assert printed[1] == printed[0]

    # every value too, doubles to 6 significant digits as for the marts: the engines sum in
    # different orders, so the last bits of a ratio may differ from one Spark run to the next
    def rounded(rows):
        return [
            {k: float(f"{v:.6g}") if isinstance(v, float) else v for k, v in row.items()}
            for row in rows
        ]

    assert rounded(spark) == rounded(duck)
