"""Watch the inbox: a new or changed file starts a run of the inbox asset and everything
downstream of it (staging, marts, key-result checks).

The sensor never opens the warehouse (a reader would collide with a running writer): its cursor
is the path, size and modification time of every file it has seen. A file still changing (its
modification time within the settle interval) is not seen yet: the inbox asset would leave it
for the next run too (ingest.inbox.is_settled).
"""

import hashlib
import json
import time
from pathlib import Path

import dagster as dg

from ingest.inbox import SETTLE_SECONDS, file_signature, is_settled, scan_inbox

INBOX_JOB = "inbox_job"


def inbox_signature(inbox: Path, settle_seconds: float = SETTLE_SECONDS) -> dict[str, list[float]]:
    """Size and modification time of every settled file under the inbox."""
    signature = {}
    now = time.time()
    for _, path in scan_inbox(inbox):
        found = file_signature(path)
        if found is not None and is_settled(found, settle_seconds, now):
            signature[str(path.relative_to(inbox))] = list(found)
    return signature


def build_inbox_sensor(
    inbox: Path, job, settle_seconds: float = SETTLE_SECONDS
) -> dg.SensorDefinition:
    @dg.sensor(
        name="inbox_sensor",
        job=job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def inbox_sensor(context: dg.SensorEvaluationContext):
        """Start an inbox run when a file appears in (or changes under) the inbox folders."""
        seen = json.loads(context.cursor) if context.cursor else {}
        current = inbox_signature(inbox, settle_seconds)
        changed = sorted(name for name, sig in current.items() if seen.get(name) != sig)
        context.update_cursor(json.dumps(current, sort_keys=True))
        if not changed:
            return dg.SkipReason(f"no new files under {inbox}")
        run_key = hashlib.sha256(
            json.dumps({name: current[name] for name in changed}, sort_keys=True).encode()
        ).hexdigest()[:16]
        return dg.RunRequest(
            run_key=run_key,
            tags={"linkokr/new_files": str(len(changed))},
        )

    return inbox_sensor
