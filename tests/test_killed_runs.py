"""`kill -9` of `linkokr run` in each phase (ingest, dbt, publish), and the next plain run
finishes by itself with the marts of a clean run and no temporary file left.

A copy of the demo home (a clean run: its marts are the reference) forgets one of its exports
with `linkokr forget` and drops it again under another name, so a run has work in every phase:
load the file, rebuild the marts in full, publish. Three runs are killed, one per phase; each
next run must get past the dead one by itself; the fourth finishes. dbt dies with the run that
started it: when `linkokr run` is killed during dbt, so is dbt.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.cli import main
from orchestration.resources import ensure_dagster_home
from tests.conftest import REPO, copy_demo_home, use_home

pytestmark = pytest.mark.e2e

RUN = "from orchestration.cli import main; raise SystemExit(main(['run']))"
# Columns that say when a row was (re)built, not what it holds.
BOOKKEEPING = {"loaded_at", "last_loaded_at"}


def mart_tables(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {}
        for (table,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall():
            # doubles summed in another order differ in their last bits
            columns = [
                f'round("{name}", 9)' if kind in ("DOUBLE", "FLOAT") else f'"{name}"'
                for name, kind in con.execute(
                    """select column_name, data_type from information_schema.columns
                       where table_schema = 'marts' and table_name = ?
                       order by ordinal_position""",
                    [table],
                ).fetchall()
                if name not in BOOKKEEPING
            ]
            tables[table] = con.execute(
                f'select {", ".join(columns)} from marts."{table}" order by all'
            ).fetchall()
    return tables


def start_run(home: Path) -> subprocess.Popen:
    unset = {"DAGSTER_HOME", "AHREFS_API_KEY", "SEMRUSH_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKOKR_") and k not in unset}
    env["LINKOKR_HOME"] = str(home)
    return subprocess.Popen(
        [sys.executable, "-c", RUN],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def children(pid: int) -> list[int]:
    """Every process below `pid` (from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == parent]
        found += kids
        frontier += kids
    return found


def alive(pid: int) -> bool:
    """Running: a killed process may stay a zombie until something reaps it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def step_started(home: Path, step: str) -> bool:
    """Whether the latest run's `step` has started (read from Dagster's run storage)."""
    with dg.DagsterInstance.from_config(str(home / ".dagster")) as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            return False
        records = instance.get_records_for_run(
            runs[0].run_id, of_type=dg.DagsterEventType.STEP_START
        ).records
    return any(record.event_log_entry.step_key == step for record in records)


def wait_for(condition, timeout: float, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the run ended before {what}:\n{process.stdout.read()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def temporaries(home: Path) -> list[Path]:
    warehouse = home / "warehouse"
    return sorted(
        [
            *warehouse.glob(".linkokr_serving.duckdb.*"),
            *(warehouse / "parquet").glob(".*.tmp"),
            *(home / ".linkokr" / "tmp").glob("linkokr-*"),
        ]
    )


@pytest.fixture(scope="module")
def killed_three_times(demo_home, tmp_path_factory):
    home = copy_demo_home(demo_home, tmp_path_factory.mktemp("killed") / "home")
    reference = mart_tables(home / "warehouse" / "linkokr.duckdb")
    # the run storage exists before the first run, so it can be watched from its first moment
    dg.DagsterInstance.from_config(str(ensure_dagster_home(home / ".dagster"))).dispose()
    backlinks = home / "data" / "inbox" / "backlinks"
    export = sorted(backlinks.glob("acme-outdoor.com-backlinks-subdomains_*.csv"))[-1]
    with pytest.MonkeyPatch.context() as mp:
        use_home(mp, home)
        assert main(["forget", str(export)]) == 0
    again = export.with_name(export.stem + "-again" + export.suffix)
    shutil.copy2(export, again)  # the same bytes, dropped again: they load again
    os.utime(again, (time.time() - 60, time.time() - 60))
    seen = {}

    # 1. killed while loading the inbox
    run = start_run(home)
    wait_for(lambda: step_started(home, "inbox_files"), 180, "the inbox step", run)
    kill(run)

    # 2. killed while dbt builds: dbt goes with it
    run = start_run(home)

    def dbt_running() -> bool:
        seen["dbt"] = [p for p in children(run.pid) if "dbt" in command_line(p) and alive(p)]
        return bool(seen["dbt"])

    wait_for(dbt_running, 300, "dbt to start", run)
    time.sleep(2)  # well into the build
    kill(run)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in seen["dbt"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    seen["dbt_alive_after_kill"] = [p for p in seen["dbt"] if alive(p)]

    # 3. killed while publishing the serving copy: its temporary copy is left behind
    run = start_run(home)
    wait_for(lambda: temporaries(home), 600, "the serving copy to be written", run)
    kill(run)
    seen["left_by_publish"] = temporaries(home)

    # 4. a plain run
    final = start_run(home)
    output, _ = final.communicate(timeout=900)
    return home, reference, final.returncode, output, seen


def test_the_run_after_three_killed_ones_finishes_by_itself(killed_three_times):
    _, _, code, output, _ = killed_three_times
    assert code == 0, output[-4000:]


def test_its_marts_equal_a_clean_runs(killed_three_times):
    home, reference, _, _, _ = killed_three_times
    assert mart_tables(home / "warehouse" / "linkokr.duckdb") == reference


def test_dbt_died_with_the_run_that_started_it(killed_three_times):
    _, _, _, _, seen = killed_three_times
    assert seen["dbt"] and seen["dbt_alive_after_kill"] == []


def test_no_temporary_file_is_left(killed_three_times):
    home, _, _, _, seen = killed_three_times
    assert seen["left_by_publish"], "the killed publish left its temporary copy"
    assert temporaries(home) == []
