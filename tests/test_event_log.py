"""`linkokr run` keeps Dagster's SQLite event log open while its run executes
(orchestration.instance.event_log_kept_open), so storing each event no longer checkpoints the
log. The run's events must be stored as before: readable by any other process while the run
goes on, and whole after it, with nothing held open once the run is over."""

import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import dagster as dg
import pytest

from orchestration.instance import ensure_dagster_home, event_log_kept_open

pytestmark = pytest.mark.unit

# Another process reading the run's events, as the Dagster UI or `linkokr status` would.
READ_EVENTS = """
import sys
import dagster as dg
with dg.DagsterInstance.from_config(sys.argv[1]) as instance:
    print(len(instance.all_logs(sys.argv[2])))
"""


def events_seen_elsewhere(dagster_home: Path, run_id: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", READ_EVENTS, str(dagster_home), run_id],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(result.stdout.strip())


@dg.asset
def pages() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset_check(asset=pages)
def pages_are_counted() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def run_in_process(instance: dg.DagsterInstance, run_id: str) -> None:
    """A materialization and its check, run in this process as `linkokr run` runs its job."""
    job = dg.Definitions(
        assets=[pages], asset_checks=[pages_are_counted]
    ).resolve_implicit_global_asset_job_def()
    assert job.execute_in_process(instance=instance, run_id=run_id).success


def wal_files(dagster_home: Path) -> list[str]:
    return sorted(p.name for p in (dagster_home / "history" / "runs").glob("*.db-wal"))


def test_every_event_is_stored_and_readable_while_the_log_is_held_open(tmp_path):
    dagster_home = ensure_dagster_home(tmp_path / ".dagster")
    run_id = str(uuid.uuid4())
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        with event_log_kept_open(instance, run_id):
            run_in_process(instance, run_id)
            stored = len(instance.all_logs(run_id))
            # the run's log and the cross-run index stay write-ahead logs between events:
            # nothing checkpointed them away
            assert wal_files(dagster_home) == sorted([f"{run_id}.db-wal", "index.db-wal"])
            assert events_seen_elsewhere(dagster_home, run_id) == stored
        # held no more: the last connection to close folds each log back into its database
        assert wal_files(dagster_home) == []
        records = instance.get_asset_records([pages.key])
        assert records[0].asset_entry.last_materialization.run_id == run_id
        check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [pages_are_counted.check_key]
        )[pages_are_counted.check_key]
        assert check.run_id == run_id
    with sqlite3.connect(dagster_home / "history" / "runs" / f"{run_id}.db") as con:
        assert con.execute("pragma integrity_check").fetchone() == ("ok",)
        assert con.execute("select count(*) from event_logs").fetchone() == (stored,)
