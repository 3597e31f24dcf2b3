"""Runs that recover by themselves: a reader on the warehouse, a run waiting for the pool, and
`linkokr doctor` (README, "Troubleshooting"). A killed `linkokr run` and what the next run and
`linkokr doctor` make of it: tests/test_killed_runs.py.

Each test has a small home of its own (one site, two backlink exports from the corpus). Every
`linkokr run` that gets past its checks is a real process, and so is every process it meets (a
reader holding the warehouse, another live run); the quick ones (`linkokr doctor`, a run stopped
by a held lock) run in the test's process. Dagster's run storage in the home's DAGSTER_HOME is
what the tests watch and assert on.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest
import yaml

from orchestration.cli import main
from orchestration.instance import ensure_dagster_home
from orchestration.recovery import HOST_TAG, PID_TAG
from orchestration.resources import WAREHOUSE_POOL
from tests.conftest import REPO, use_home
from tests.corpus import CORPUS_DIR

pytestmark = pytest.mark.e2e

EXPORTS = ("acme-outdoor.com-backlinks.csv", "rival-gear.com-moz-inbound-links_2026-04-18.csv")
# Holds the warehouse open for writing, as a notebook pointed at the wrong file would, and keeps
# any further path open too (a temporary file some process is still writing).
HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
kept = [open(path, "ab") for path in sys.argv[2:]]
print("ready", flush=True)
time.sleep(300)
"""


def small_home(root: Path) -> Path:
    home = root / "home"
    backlinks = home / "data" / "inbox" / "backlinks"
    backlinks.mkdir(parents=True)
    sites = [{"domain": "acme-outdoor.com", "competitors": ["rival-gear.com"]}]
    (home / "linkokr.yml").write_text(yaml.safe_dump({"sites": sites}))
    for name in EXPORTS:
        shutil.copy(CORPUS_DIR / "backlinks" / name, backlinks / name)
        os.utime(backlinks / name, (time.time() - 3600, time.time() - 3600))  # settled
    (root / "tmp").mkdir()
    # Dagster's storage made now, so that the tests reading it while a run starts never race the
    # run creating it.
    ensure_dagster_home(home / ".dagster")
    instance(home).dispose()
    return home


def environment(home: Path) -> dict[str, str]:
    # Only this home, no API keys: the API sources are skipped. The system temporary folder is
    # the test's own, so that `linkokr doctor` neither sees nor touches anyone else's.
    unset = {"DAGSTER_HOME", "AHREFS_API_KEY", "SEMRUSH_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKOKR_") and k not in unset}
    return {**env, "LINKOKR_HOME": str(home), "TMPDIR": str(home.parent / "tmp")}


CLI = "from orchestration.cli import main; raise SystemExit(main({args!r}))"


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", CLI.format(args=list(args))]


def start(home: Path, log: Path, *args: str) -> subprocess.Popen:
    """`linkokr <args>` in the background, its output in `log` (read while it runs)."""
    with log.open("w") as out:
        return subprocess.Popen(
            command(*args), cwd=REPO, env=environment(home), stdout=out, stderr=subprocess.STDOUT
        )


def linkokr(home: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        command(*args),
        cwd=REPO,
        env=environment(home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def linkokr_here(home: Path, capsys, *args: str) -> subprocess.CompletedProcess:
    """`linkokr <args>` in this process (seconds faster than a new one), environment restored."""
    saved = dict(os.environ)
    try:
        with pytest.MonkeyPatch.context() as mp:
            use_home(mp, home)
            mp.setattr(tempfile, "tempdir", str(home.parent / "tmp"))
            capsys.readouterr()
            code = main(list(args))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out, err)


def instance(home: Path) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(home / ".dagster"))


def step_started(home: Path, step: str) -> str | None:
    """The id of the latest run once its `step` has started."""
    with instance(home) as dagster:
        runs = dagster.get_runs(limit=1)
        if not runs:
            return None
        records = dagster.get_records_for_run(
            runs[0].run_id, of_type=dg.DagsterEventType.STEP_START
        ).records
    return runs[0].run_id if any(r.event_log_entry.step_key == step for r in records) else None


def wait_for(condition, timeout: float, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return value


def start_holder(home: Path, *keep_open: Path) -> subprocess.Popen:
    warehouse = home / "warehouse" / "linkokr.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse), *map(str, keep_open)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    return holder


def stop(process: subprocess.Popen) -> None:
    process.kill()
    process.wait(timeout=30)


def linkokr_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("linkokr")]


def lock_line(home: Path, pid: int) -> str:
    """The one line about a reader holding the warehouse (its script's arguments left out: they
    can hold secrets)."""
    warehouse = home / "warehouse"
    return (
        f"the warehouse {warehouse}/linkokr.duckdb is locked by PID {pid} ({sys.executable} -c "
        "...): only the pipeline may open it. Point notebooks, BI tools and the DuckDB CLI at the "
        f"serving copy {warehouse}/linkokr_serving.duckdb (LINKOKR_SERVING), close that "
        "connection, and run again"
    )


def test_a_reader_on_the_warehouse_fails_the_run_at_once_in_one_line(tmp_path, capsys):
    home = small_home(tmp_path)
    holder = start_holder(home)
    try:
        started = time.monotonic()
        run = linkokr_here(home, capsys, "run")
        elapsed = time.monotonic() - started
    finally:
        stop(holder)
    assert run.returncode == 1
    assert elapsed < 30
    assert run.stderr.splitlines() == ["linkokr: " + lock_line(home, holder.pid)]


def test_doctor_shows_the_lock_and_leftover_files_and_repairs_what_is_safe(tmp_path, capsys):
    home = small_home(tmp_path)
    warehouse = home / "warehouse"
    (warehouse / "parquet").mkdir(parents=True)
    two_hours_ago = time.time() - 7200
    serving_tmp = warehouse / ".linkokr_serving.duckdb.0a1b2c3d4e5f.tmp"
    parquet_tmp = warehouse / "parquet" / ".fct_backlinks.parquet.0a1b2c3d4e5f.tmp"
    unpacked = home / ".linkokr" / "tmp" / "linkokr-0a1b2c"
    old_unpacked = tmp_path / "tmp" / "linkokr-old"  # where an older linkokr unpacked
    fresh_unpacked = tmp_path / "tmp" / "linkokr-fresh"  # another home's run may be using it
    being_written = warehouse / ".linkokr_serving.duckdb.feedfacecafe.tmp"
    for path in (serving_tmp, parquet_tmp, being_written):
        path.write_bytes(b"\0" * 2_000_000)
    for folder in (unpacked, old_unpacked, fresh_unpacked):
        folder.mkdir(parents=True)
        (folder / "export.csv").write_text("unpacked from a zip\n")
    for path in (old_unpacked / "export.csv", old_unpacked):
        os.utime(path, (two_hours_ago, two_hours_ago))
    holder = start_holder(home, being_written)
    try:
        shown = linkokr_here(home, capsys, "doctor")
        repaired = linkokr_here(home, capsys, "doctor", "--repair")
        kept = [path for path in (being_written, fresh_unpacked) if path.exists()]
    finally:
        stop(holder)
    after = linkokr_here(home, capsys, "doctor", "--repair")

    assert shown.returncode == 1, shown.stdout + shown.stderr
    lines = [line.strip() for line in shown.stdout.splitlines()]
    assert [line for line in lines if line.startswith("LOCKED")] == [
        f"LOCKED by PID {holder.pid} ({sys.executable} -c ...)"
    ]
    verdicts = {
        line.split(" (")[0]: line.rsplit("): ", 1)[1] for line in lines if "modified" in line
    }
    another_home = "kept: may belong to a run of another linkokr home (touched < 1 h ago)"
    assert verdicts == {
        str(serving_tmp): "LEFT OVER",
        str(parquet_tmp): "LEFT OVER",
        str(unpacked): "LEFT OVER",
        str(old_unpacked): "LEFT OVER",
        str(fresh_unpacked): another_home,
        str(being_written): f"in use by PID {holder.pid}",
    }
    assert shown.stdout.splitlines()[-2:] == [
        "linkokr doctor: 4 thing(s) left by runs that ended uncleanly: "
        "`linkokr doctor --repair` cleans them up",
        "linkokr doctor: " + lock_line(home, holder.pid),
    ]

    # The repair removes what nobody uses, never the file held open, never the lock's holder.
    assert repaired.returncode == 1, repaired.stdout
    assert repaired.stdout.count("repaired: removed") == 4
    assert not any(p.exists() for p in (serving_tmp, parquet_tmp, unpacked, old_unpacked))
    assert kept == [being_written, fresh_unpacked]
    # Once the holder has gone, its file is a leftover too, and nothing else is left to fix.
    assert after.returncode == 0, after.stdout
    assert not being_written.exists() and fresh_unpacked.exists()
    assert after.stdout.splitlines()[-1] == "linkokr doctor: nothing to fix (1 repaired)"


def add_live_run(home: Path, process: subprocess.Popen) -> str:
    """A run of this home, `STARTED`, whose process (`process`) is alive: as a second
    `linkokr run` would be."""
    run_id = str(uuid.uuid4())
    with instance(home) as dagster:
        dagster.add_run(
            dg.DagsterRun(
                job_name="__ASSET_JOB",
                run_id=run_id,
                status=dg.DagsterRunStatus.STARTED,
                tags={PID_TAG: str(process.pid), HOST_TAG: socket.gethostname()},
            )
        )
    return run_id


def test_a_run_waiting_for_the_pool_says_who_holds_it_and_stops_on_sigterm(tmp_path):
    home = small_home(tmp_path)
    log = tmp_path / "run.log"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    run = start(home, log, "run")
    try:
        wait_for(lambda: step_started(home, "linkokr_config"), 120, "the first step", run)
        # Another live run asks for the pool with a higher priority: it gets the slot as soon as
        # the linkokr run's step frees it, and the linkokr run waits for it inside Dagster.
        holder = add_live_run(home, other)
        with instance(home) as dagster:
            storage = dagster.event_log_storage
            wait_for(
                lambda: (
                    storage.claim_concurrency_slot(
                        WAREHOUSE_POOL, holder, "other_step", priority=100
                    ).is_claimed
                ),
                120,
                "the other run to take the pool",
                run,
            )
        waiting = f"linkokr: waiting for the warehouse pool: run {holder} (linkokr run, PID"
        wait_for(lambda: waiting in log.read_text(), 30, "the waiting line", run)
        run.send_signal(signal.SIGTERM)
        code = run.wait(timeout=30)
    finally:
        for process in (run, other):
            if process.poll() is None:
                stop(process)
    lines = linkokr_lines(log.read_text())
    assert code == 128 + signal.SIGTERM
    assert lines[-2].startswith(waiting) and lines[-2].endswith("(step other_step); Ctrl-C stops")
    held_by = (
        lines[-2]
        .removeprefix("linkokr: waiting for the warehouse pool: ")
        .removesuffix(" holds it (step other_step); Ctrl-C stops")
    )
    assert lines[-1].startswith(
        f"linkokr: stopped by SIGTERM while waiting for the warehouse pool, held by {held_by}; run "
    ), lines
    with instance(home) as dagster:
        [ours] = [r for r in dagster.get_runs() if r.run_id != holder]
        assert ours.status == dg.DagsterRunStatus.FAILURE
        assert lines[-1].endswith(f"; run {ours.run_id} failed")
        pool = dagster.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        assert {step.run_id for step in pool.pending_steps} == {holder}


def test_a_run_behind_a_live_run_waits_before_it_starts_and_stops_on_sigint(tmp_path):
    home = small_home(tmp_path)
    log = tmp_path / "run.log"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    holder = add_live_run(home, other)
    with instance(home) as dagster:
        storage = dagster.event_log_storage
        storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)  # as a first run does
        assert storage.claim_concurrency_slot(WAREHOUSE_POOL, holder, "step").is_claimed
    run = start(home, log, "run")
    try:
        waiting = f"linkokr: waiting for the warehouse pool: run {holder} (linkokr run, PID"
        wait_for(lambda: waiting in log.read_text(), 60, "the waiting line", run)
        run.send_signal(signal.SIGINT)
        code = run.wait(timeout=30)
    finally:
        for process in (run, other):
            if process.poll() is None:
                stop(process)
    assert code == 128 + signal.SIGINT
    assert linkokr_lines(log.read_text())[-1] == (
        "linkokr: stopped by SIGINT while waiting for the warehouse pool"
    )
    with instance(home) as dagster:
        assert [run.run_id for run in dagster.get_runs()] == [holder]  # it never started one
