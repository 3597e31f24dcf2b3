"""Watch the inbox: a new or changed file starts a run of the inbox asset and everything
downstream of it (staging, marts, key-result checks).

The sensor's cursor is the path, size and modification time of every file it has seen. A file
still changing (its modification time within the settle interval) is not seen yet: the inbox
asset would leave it for the next run too (ingest.inbox.is_settled).

A file the sensor has not seen before may still be one the pipeline loaded: the first tick after
`make dev` sees the whole inbox, and a copied or moved home has every file at a new path. Such
files are looked up in the ledger (`ops.ingested_files`) as the inbox asset would: the same path,
size and modification time, or the same content (SHA-256) already loaded. Only files the ledger
does not have start a run. The ledger is read through a read-only connection held for one query,
and only while no run is queued or running (a run holds the warehouse, and loads the inbox
itself); meanwhile the sensor waits and looks again on its next tick.
"""

import hashlib
import json
import time
from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import duckdb

from ingest.inbox import SETTLE_SECONDS, file_signature, is_settled, scan_inbox

INBOX_JOB = "inbox_job"
# The ledger statuses the inbox asset skips a file with unread (same path, size and mtime):
# loaded, a duplicate, forgotten (loads again only when dropped again), refused, unreadable
# (tried again by the next run, but nothing about it changed to start one for).
KNOWN_STATUSES = ("loaded", "duplicate", "forgotten", "rejected", "unreadable")
WAITING_FOR_RUNS = (
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
)


def inbox_signature(inbox: Path, settle_seconds: float = SETTLE_SECONDS) -> dict[str, list[float]]:
    """Size and modification time of every settled file under the inbox."""
    signature = {}
    now = time.time()
    for _, path in scan_inbox(inbox):
        found = file_signature(path)
        if found is not None and is_settled(found, settle_seconds, now):
            signature[str(path.relative_to(inbox))] = list(found)
    return signature


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def already_loaded(warehouse: Path, inbox: Path, files: dict[str, list[float]]) -> set[str] | None:
    """The names (relative to `inbox`) among `files` that the ledger already has (see the module
    docstring); None when the warehouse is held by another process. Only a file whose size
    equals that of a loaded file is read to hash it."""
    if not files or not warehouse.exists():
        return set()
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            return None
        raise
    try:
        if not con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'ops' and table_name = 'ingested_files'"
        ).fetchone()[0]:
            return set()
        by_path = {str(inbox / name): name for name in files}
        same_file = con.execute(
            """select file_path, file_size, file_mtime from ops.ingested_files
               where status in (select unnest(?::varchar[]))
                 and file_path in (select unnest(?::varchar[]))""",
            [list(KNOWN_STATUSES), list(by_path)],
        ).fetchall()
        known = {
            by_path[path]
            for path, size, mtime in same_file
            if [size, mtime] == files[by_path[path]]
        }
        others = {name: sig for name, sig in files.items() if name not in known}
        loaded = con.execute(
            """select distinct file_sha256 from ops.ingested_files
               where status = 'loaded' and file_sha256 is not null
                 and file_size in (select unnest(?::bigint[]))""",
            [sorted({int(size) for size, _ in others.values()})],
        ).fetchall()
    finally:
        con.close()
    contents = {sha for (sha,) in loaded}
    if contents:
        known |= {name for name in others if _sha256(inbox / name) in contents}
    return known


def _waiting_for(instance: dg.DagsterInstance) -> Iterable[str]:
    runs = instance.get_run_records(filters=dg.RunsFilter(statuses=list(WAITING_FOR_RUNS)), limit=1)
    return [record.dagster_run.run_id for record in runs]


def build_inbox_sensor(
    inbox: Path, warehouse: Path, job, settle_seconds: float = SETTLE_SECONDS
) -> dg.SensorDefinition:
    @dg.sensor(
        name="inbox_sensor",
        job=job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def inbox_sensor(context: dg.SensorEvaluationContext):
        """Start an inbox run when a file appears in (or changes under) the inbox folders and
        the ledger does not have it yet (a file already loaded, also under another path, starts
        no run)."""
        seen = json.loads(context.cursor) if context.cursor else {}
        current = inbox_signature(inbox, settle_seconds)
        changed = sorted(name for name, sig in current.items() if seen.get(name) != sig)
        if not changed:
            context.update_cursor(json.dumps(current, sort_keys=True))
            return dg.SkipReason(f"no new files under {inbox}")
        busy = list(_waiting_for(context.instance))
        if busy:
            return dg.SkipReason(
                f"{len(changed)} new or changed file(s): waiting for run {busy[0]} to end"
            )
        known = already_loaded(warehouse, inbox, {name: current[name] for name in changed})
        if known is None:
            return dg.SkipReason(
                f"{len(changed)} new or changed file(s): the warehouse is held by another "
                "process, looking again on the next tick"
            )
        new = [name for name in changed if name not in known]
        context.update_cursor(json.dumps(current, sort_keys=True))
        if not new:
            return dg.SkipReason(
                f"no new files under {inbox}: {len(changed)} file(s) already in the ledger"
            )
        run_key = hashlib.sha256(
            json.dumps({name: current[name] for name in new}, sort_keys=True).encode()
        ).hexdigest()[:16]
        return dg.RunRequest(
            run_key=run_key,
            tags={"linkokr/new_files": str(len(new))},
        )

    return inbox_sensor
