"""`linkokr run`: every asset materialized in this process as one run, and what its end says."""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

from ingest import diskspace
from ingest.settings import Paths

# linkokr's console logger (orchestration/console.py) at INFO: DEBUG adds the per-day details
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _say(message: str, *, own_line: bool = False) -> None:
    """One `linkokr: ...` line on stderr. `own_line` starts it on a fresh line: after a failure,
    Dagster's threads may still be half-way through a line of their own."""
    start = "\n" if own_line else ""
    sys.stderr.flush()
    sys.stderr.write(f"{start}linkokr: {message}\n")
    sys.stderr.flush()


def run_pipeline(paths: Paths, start: date | None = None, end: date | None = None) -> int:
    """Materialize every asset in process as one run; 0 when every asset materialized.

    Day-partitioned assets cover [start, end] at once (a single-run backfill); by default
    yesterday and the lookback days, like the daily schedule. Runs left behind by a process that
    died are cleaned up first, and a warehouse another process holds stops the run at once. A
    run that fails on a full disk says so in one line."""
    from orchestration.instance import ensure_dagster_home

    os.environ.update(paths.export())
    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(paths.dagster_home))
    try:
        return _run(paths, start, end)
    except Exception as error:
        # a full disk breaks Dagster's own SQLite storage too, with tracebacks that hide it
        full = diskspace.diagnose(_written_paths(paths), [error])
        if full is None:
            raise
        _say(full, own_line=True)
        return 1


def _written_paths(paths: Paths) -> list[Path]:
    return [paths.warehouse, paths.serving, paths.dagster_home, paths.home]


def _failure_messages(result) -> list[str]:
    """Every message in the error chains of the run's failed steps."""
    messages = []
    for event in result.all_events:
        if not event.is_step_failure or event.step_failure_data is None:
            continue
        error = event.step_failure_data.error
        while error is not None:
            messages.append(error.message)
            error = error.cause or error.context
    return messages


def console_job(defs):
    """The job of every asset, logging to linkokr's console logger (orchestration/console.py)."""
    from orchestration.console import linkokr_console

    return defs.resolve_implicit_global_asset_job_def().with_logger_defs(
        {"console": linkokr_console}
    )


def _run(paths: Paths, start: date | None, end: date | None) -> int:
    import dagster as dg

    from ingest.config import load_config
    from orchestration import recovery
    from orchestration.definitions import build_definitions
    from orchestration.defs.not_configured import not_configured_reasons
    from orchestration.instance import event_log_kept_open
    from orchestration.partitions import (
        RANGE_END_TAG,
        RANGE_START_TAG,
        history_start,
        lookback_range,
    )

    with dg.DagsterInstance.get() as instance:
        stopped = _before_run(instance, paths)
        if stopped is not None:
            return stopped
        _say("loading the pipeline's definitions (linkokr.yml, the dbt project)…")
        defs = build_definitions(paths)
        config = load_config(paths.config)
        yesterday = date.today() - timedelta(days=1)
        tags = lookback_range(yesterday, config.settings.lookback_days)
        if start or end:
            tags = {
                RANGE_START_TAG: (start or end).isoformat(),
                RANGE_END_TAG: (end or yesterday).isoformat(),
            }
        for reason in not_configured_reasons(defs):
            _say(f"not pulled: {reason}")
        first = history_start(config)
        if date.fromisoformat(tags[RANGE_START_TAG]) < first:
            _say(
                f"--from {tags[RANGE_START_TAG]} is before {first}, the first day partition of "
                "the day-based API sources: set settings.history_start in linkokr.yml to pull "
                "earlier days (docs/config.md)"
            )
            return 2
        job = console_job(defs)
        run_id = str(uuid.uuid4())
        _say(
            f"run {run_id}: the inbox, the API pulls for {tags[RANGE_START_TAG]}.."
            f"{tags[RANGE_END_TAG]}, then the marts (dbt), the dashboard and the serving copy"
        )
        with (
            event_log_kept_open(instance, run_id),
            recovery.RunWatch(instance, run_id, paths.warehouse, paths.serving, _say) as watch,
        ):
            result = job.execute_in_process(
                run_config=RUN_CONFIG,
                tags={**tags, **recovery.process_tags()},
                instance=instance,
                raise_on_error=False,
                run_id=run_id,
            )
    summary = _run_summary(result)
    if summary:
        print(summary, file=sys.stderr)
    failed = [event.step_key for event in result.all_events if event.is_step_failure]
    checks = [
        event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    failing = [c for c in checks if not c.passed]
    print(
        f"run {result.run_id}: {'success' if result.success else 'FAILED'}; "
        f"{len(checks)} checks evaluated, {len(failing)} not passing",
        file=sys.stderr,
    )
    lock_line = watch.collision_message() if watch.collision else _lock_failure(result, paths)
    full = diskspace.diagnose(_written_paths(paths), _failure_messages(result)) if failed else None
    if full:
        _say(full, own_line=True)
    elif lock_line:
        _say(lock_line)
    elif watch.stopped_while_waiting and not result.success:
        _say(f"{watch.stopped_while_waiting}; run {result.run_id} failed")
    elif watch.stop_reason:
        _say(f"run {result.run_id} {watch.stop_reason}")
    if failed:
        print(f"failed steps: {', '.join(sorted(set(failed)))}", file=sys.stderr)
    if watch.signal_received:
        return 128 + watch.signal_received
    if failed:
        return 1
    return 0 if result.success else 1


def _before_run(instance, paths: Paths) -> int | None:
    """Clean up after runs that died, wait for a live run holding the pool, and check that no
    other process holds the warehouse: the exit code when the run must not start, else None."""
    import signal

    from ingest import locks
    from orchestration import recovery

    recovery.recover(instance, _say)
    with recovery.signals_interrupt() as received:
        try:
            recovery.wait_for_pool(instance, _say)
        except KeyboardInterrupt:
            signum = received["signal"] or signal.SIGINT
            _say(f"stopped by {signal.Signals(signum).name} while waiting for the warehouse pool")
            return 128 + signum
    holder = _foreign_lock(instance, paths)
    if holder is not None:
        holders = recovery.foreign_holders(paths.warehouse, instance) or [holder]
        _say(locks.held_lock_message(paths.warehouse, holders, paths.serving))
        return 1
    return None


def _foreign_lock(instance, paths: Paths, attempts: int = 3, pause: float = 0.5):
    """The process other than a live run of this instance holding the warehouse, if one keeps
    it over a few seconds (a `linkokr doctor`, or a killed run's dbt on its way out, lets go)."""
    import time

    from ingest import locks
    from orchestration import recovery

    for attempt in range(attempts):
        holder = locks.probe_lock(paths.warehouse)
        if holder is None or locks.descends_from(holder.pid, recovery.live_pids(instance)):
            return None
        if attempt < attempts - 1:
            time.sleep(pause)
    return holder


def _lock_failure(result, paths: Paths) -> str | None:
    """The one line for a step that failed on the warehouse lock, from its error chain."""
    from ingest import locks

    for event in result.all_events:
        if not event.is_step_failure or event.step_failure_data is None:
            continue
        error = event.step_failure_data.error
        while error is not None:
            holder = locks.holder_from_error(error.message)
            if holder is not None:
                return locks.held_lock_message(paths.warehouse, [holder], paths.serving)
            error = error.cause or error.context
    return None


def _run_summary(result) -> str | None:
    """The inbox asset's summary of this run's files, as text (None when it did not run)."""
    from ingest.inbox import run_summary
    from orchestration.defs.inbox.assets import LEDGER_KEY, RUN_SUMMARY

    for event in result.all_events:
        if not event.is_step_materialization:
            continue
        materialization = event.event_specific_data.materialization
        if materialization.asset_key != LEDGER_KEY or RUN_SUMMARY not in materialization.metadata:
            continue
        data = materialization.metadata[RUN_SUMMARY].value
        fates = [run_summary.FileFate(**fate) for fate in data["files"]]
        return run_summary.as_text(fates, data.get("already_loaded", 0))
    return None


def cmd_run(args: argparse.Namespace) -> int:
    return run_pipeline(Paths.from_env(), args.start, args.end)
