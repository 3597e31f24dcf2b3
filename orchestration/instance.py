"""The Dagster instance linkokr runs in: `DAGSTER_HOME` and the `dagster.yaml` linkokr writes there.

DuckDB allows one writing process per file, so every asset and check that opens the warehouse
runs in one concurrency pool (`orchestration.resources.WAREHOUSE_POOL`) whose limit this
`dagster.yaml` sets to 1: parallel runs and backfills queue instead of failing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import dagster as dg

# The first line marks the file as linkokr's: `ensure_dagster_home` brings such a file up to date
# and leaves any other dagster.yaml alone.
LINKOKR_WROTE_THIS = "# Written by linkokr"
DAGSTER_YAML = f"""\
{LINKOKR_WROTE_THIS} (and rewritten when linkokr changes it: remove this line to keep your edits).
# Every asset and check that opens the DuckDB warehouse is in one pool of 1.
concurrency:
  pools:
    granularity: op
    default_limit: 1
# For runs the daemon launches (schedule, sensor, the UI's launchpad; `dagster dev` starts the
# daemon): a run whose worker never came up fails after start_timeout_seconds; a run still going
# after max_runtime_seconds is stopped and failed (the default launcher cannot see that a worker
# died, so a killed run is caught here at the latest); the pool slots of a finished run are freed
# after free_slots_after_run_end_seconds. `linkokr run` and `linkokr doctor` do not wait: they
# fail a run whose process is gone at once, whoever launched it on this machine.
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  max_runtime_seconds: 21600
  free_slots_after_run_end_seconds: 60
  poll_interval_seconds: 60
telemetry:
  enabled: false
"""


def ensure_dagster_home(dagster_home: Path) -> Path:
    """Create `DAGSTER_HOME` with linkokr's `dagster.yaml` (the pool limit, run monitoring), or
    update one linkokr wrote before; a user's own dagster.yaml is left alone."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    current = config.read_text(encoding="utf-8") if config.exists() else None
    if current is None or (current.startswith(LINKOKR_WROTE_THIS) and current != DAGSTER_YAML):
        partial = config.with_name(f".dagster.yaml.{os.getpid()}.tmp")
        partial.write_text(DAGSTER_YAML, encoding="utf-8")
        partial.replace(config)  # a concurrent reader sees the old file or the new, whole
    return dagster_home


def _event_log_files(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """The SQLite files of the run's event log and of the cross-run index, the run's created now
    (as storing its first event would); none for another event log storage (a dagster.yaml of the
    user's own, Postgres) or should Dagster move its module."""
    try:
        from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
            INDEX_SHARD_NAME,
            SqliteEventLogStorage,
        )
    except ImportError:
        return []
    storage = instance.event_log_storage
    if not isinstance(storage, SqliteEventLogStorage):
        return []
    storage.get_logs_for_run(run_id)
    return [storage.path_for_shard(shard) for shard in (run_id, INDEX_SHARD_NAME)]


@contextmanager
def event_log_kept_open(instance: dg.DagsterInstance, run_id: str) -> Iterator[None]:
    """Keep one idle SQLite connection open on the run's event log and on the cross-run index
    while the run executes in this process.

    Dagster's SQLite event log opens and closes a connection for every event it stores (a run of
    the demo stores about 1,200: one per dbt test, asset check and step). When the last connection
    to a WAL database closes, SQLite checkpoints the log into the database and deletes it, so
    every event paid for a checkpoint. With a connection held open, a close is only a close and
    SQLite checkpoints when its log reaches its usual size. The held connection never starts a
    transaction, so it blocks no writer, reader or checkpoint."""
    held: list[sqlite3.Connection] = []
    try:
        try:
            for path in _event_log_files(instance, run_id):
                connection = sqlite3.connect(path, timeout=15)
                held.append(connection)
                # a read makes the connection hold the file; the statement ends at once
                connection.execute("select count(*) from sqlite_master").fetchall()
        except Exception:  # an optimisation only: the run stores its events all the same
            pass
        yield
    finally:
        for connection in held:
            connection.close()
