"""`kill -9` of `linkokr run` in each phase (ingest, dbt, publish), and the next plain run
finishes by itself with the marts of a clean run and no temporary file left.

A copy of the demo home (a clean run: its marts are the reference) forgets one of its exports
with `linkokr forget` and drops it again under another name, so a run has work in every phase:
load the file, rebuild the marts in full, publish. Three runs are killed, one per phase; each
next run must get past the dead one by itself; the fourth finishes. dbt dies with the run that
started it: when `linkokr run` is killed during dbt, so is dbt. `linkokr doctor` lists the
first dead run while it still holds its pool slot, and each next run says which run it cleaned.
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
from orchestration.instance import ensure_dagster_home
from orchestration.resources import WAREHOUSE_POOL
from serve.publish import standby_path
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


def environment(home: Path) -> dict[str, str]:
    unset = {"DAGSTER_HOME", "AHREFS_API_KEY", "SEMRUSH_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKOKR_") and k not in unset}
    return {**env, "LINKOKR_HOME": str(home)}


def start_run(home: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RUN],
        cwd=REPO,
        env=environment(home),
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


def instance(home: Path) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(home / ".dagster"))


def latest_run(home: Path) -> str:
    with instance(home) as dagster:
        return dagster.get_runs(limit=1)[0].run_id


def step_started(home: Path, step: str) -> str | None:
    """The id of the latest run once its `step` has started (read from Dagster's run storage)."""
    with instance(home) as dagster:
        runs = dagster.get_runs(limit=1)
        if not runs:
            return None
        records = dagster.get_records_for_run(
            runs[0].run_id, of_type=dg.DagsterEventType.STEP_START
        ).records
    return runs[0].run_id if any(r.event_log_entry.step_key == step for r in records) else None


def wait_for(condition, timeout: float, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the run ended before {what}:\n{process.stdout.read()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def kill(process: subprocess.Popen) -> str:
    """SIGKILL: nothing of the run's own cleanup happens. Returns what it printed."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return process.stdout.read()


def doctor(home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from orchestration.cli import main; raise SystemExit(main(['doctor']))",
        ],
        cwd=REPO,
        env=environment(home),
        capture_output=True,
        text=True,
        timeout=120,
    )


def cleaned_up(output: str, run_id: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("linkokr") and run_id in line]


def temporaries(home: Path) -> list[Path]:
    """What a run leaves only when it dies; the standby (the previous serving file, which the
    next publish brings up to date) is there between runs by design."""
    warehouse = home / "warehouse"
    standby = standby_path(warehouse / "linkokr_serving.duckdb")
    return sorted(
        [
            *(p for p in warehouse.glob(".linkokr_serving.duckdb.*") if p != standby),
            *(warehouse / "parquet").glob(".*.tmp"),
            *(home / ".linkokr" / "tmp").glob("linkokr-*"),
        ]
    )


# A BI tool that opened the serving copy two publishes ago and still holds it: the next publish
# cannot update that file in place, and writes a new copy under a temporary name instead.
HOLD_OPEN = """
import sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("open", flush=True)
sys.stdin.read()
"""


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
    seen["run_ids"] = []
    wait_for(lambda: step_started(home, "inbox_files"), 180, "the inbox step", run)
    seen["run_ids"].append(step_started(home, "inbox_files"))
    kill(run)
    seen["doctor"] = doctor(home)

    # 2. killed while dbt builds: dbt goes with it
    run = start_run(home)

    def dbt_running() -> bool:
        seen["dbt"] = [p for p in children(run.pid) if "dbt" in command_line(p) and alive(p)]
        return bool(seen["dbt"])

    wait_for(dbt_running, 300, "dbt to start", run)
    seen["run_ids"].append(latest_run(home))
    time.sleep(2)  # well into the build
    seen["outputs"] = [kill(run)]
    deadline = time.monotonic() + 10
    while any(alive(p) for p in seen["dbt"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    seen["dbt_alive_after_kill"] = [p for p in seen["dbt"] if alive(p)]

    # 3. killed while publishing the serving copy: its temporary copy is left behind (a reader
    # holds the standby, so the publish copies every table into a new file)
    standby = standby_path(home / "warehouse" / "linkokr_serving.duckdb")
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(standby)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert reader.stdout.readline().strip() == "open"
        run = start_run(home)
        wait_for(lambda: temporaries(home), 600, "the serving copy to be written", run)
        # killed at once: the demo's copy is written in well under a second
        seen["outputs"].append(kill(run))
    finally:
        reader.stdin.close()
        reader.wait(timeout=60)
    seen["left_by_publish"] = temporaries(home)
    seen["run_ids"].append(latest_run(home))  # still the killed run: no other has started

    # 4. a plain run
    final = start_run(home)
    output, _ = final.communicate(timeout=900)
    seen["outputs"].append(output)
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


def test_each_run_says_which_dead_run_it_cleaned_up(killed_three_times):
    home, _, _, _, seen = killed_three_times
    for dead, output in zip(seen["run_ids"], seen["outputs"], strict=True):
        cleaned = cleaned_up(output, dead)
        assert len(cleaned) == 1, output[-4000:]
        assert cleaned[0].startswith(f"linkokr: cleaned up run {dead} (linkokr run, PID ")
        assert "its process is gone; marked it failed" in cleaned[0]
    # the run killed while loading held the pool slot of its inbox step
    assert cleaned_up(seen["outputs"][0], seen["run_ids"][0])[0].endswith(
        f"its process is gone; marked it failed, freed its pool slot ({WAREHOUSE_POOL}/inbox_files)"
    )
    with instance(home) as dagster:
        for dead in seen["run_ids"]:
            assert dagster.get_run_by_id(dead).status == dg.DagsterRunStatus.FAILURE
        pool = dagster.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        assert pool.claimed_slots == [] and pool.pending_steps == []


def test_doctor_lists_the_killed_run_before_the_repair(killed_three_times):
    _, _, _, _, seen = killed_three_times
    doctor, run_id = seen["doctor"], seen["run_ids"][0]
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    about_it = [line.strip() for line in doctor.stdout.splitlines() if run_id in line]
    assert about_it[0].startswith(f"STALE  run {run_id} (linkokr run, PID ")
    assert about_it[0].endswith(f"its process is gone; holds {WAREHOUSE_POOL}/inbox_files")
    assert about_it[1] == f"held by run {run_id} (step inbox_files)"
    assert doctor.stdout.splitlines()[-1] == (
        "linkokr doctor: 1 thing(s) left by runs that ended uncleanly: "
        "`linkokr doctor --repair` cleans them up"
    )
