"""The `linkokr` command: demo, run, status, emulators (README, "The `linkokr` command")."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from ingest import diskspace
from ingest.settings import Paths

log = logging.getLogger("linkokr")

STATUS_COLUMNS = (
    "kr_id",
    "objective_id",
    "site",
    "metric",
    "date",
    "value",
    "baseline",
    "target",
    "progress",
    "expected_progress",
    "pace",
    "status",
    "projected_value",
    "projected_status",
)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


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
    from orchestration.resources import ensure_dagster_home

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


def _run(paths: Paths, start: date | None, end: date | None) -> int:
    import dagster as dg

    from ingest.config import load_config
    from orchestration import recovery
    from orchestration.definitions import build_definitions
    from orchestration.resources import RANGE_END_TAG, RANGE_START_TAG, lookback_range

    with dg.DagsterInstance.get() as instance:
        stopped = _before_run(instance, paths)
        if stopped is not None:
            return stopped
        defs = build_definitions(paths)
        config = load_config(paths.config)
        yesterday = date.today() - timedelta(days=1)
        tags = lookback_range(yesterday, config.settings.lookback_days)
        if start or end:
            tags = {
                RANGE_START_TAG: (start or end).isoformat(),
                RANGE_END_TAG: (end or yesterday).isoformat(),
            }
        job = defs.resolve_implicit_global_asset_job_def()
        run_id = str(uuid.uuid4())
        with recovery.RunWatch(instance, run_id, paths.warehouse, paths.serving, _say) as watch:
            result = job.execute_in_process(
                run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
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


def _temp_files(paths: Paths):
    from ingest import locks

    return locks.leftover_temp_files(locks.temp_kinds(paths))


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


def _open_for_reading(paths: Paths):
    import duckdb

    source = paths.serving if paths.serving.exists() else paths.warehouse
    if not source.exists():
        raise SystemExit(f"linkokr: no warehouse at {paths.warehouse}: run `linkokr run` first")
    return duckdb.connect(str(source), read_only=True)


def scoreboard(paths: Paths, on: date | None = None) -> list[dict]:
    """Each key result's row on `on` (its latest row on or before that day), else its latest row.

    Exits with a one-line message when the warehouse or its key-result marts are not built yet."""
    con = _open_for_reading(paths)
    try:
        built = con.execute(
            """select count(*) from information_schema.tables
               where table_schema = 'marts'
                 and table_name in ('fct_key_result_progress', 'dim_key_results')"""
        ).fetchone()[0]
        if built < 2:
            raise SystemExit(
                "linkokr: the key-result marts are not built yet: run `linkokr run` first"
            )
        rows = con.execute(
            f"""
            select {", ".join("p." + c for c in STATUS_COLUMNS)}, d.title
            from marts.fct_key_result_progress as p
            inner join marts.dim_key_results as d using (kr_id)
            where case when ?::date is null then p.is_latest else p.date <= ?::date end
            qualify row_number() over (partition by p.kr_id order by p.date desc) = 1
            order by p.objective_id, p.kr_id
            """,
            [on, on],
        ).fetchall()
        names = [d[0] for d in con.description]
    finally:
        con.close()
    return [dict(zip(names, row, strict=True)) for row in rows]


def _fmt(value, pct: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value * 100:.0f}%" if pct else f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def print_scoreboard(rows: list[dict], fmt: str, out=None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        out.write(
            json.dumps([{c: row[c] for c in STATUS_COLUMNS} for row in rows], default=str, indent=2)
            + "\n"
        )
        return
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(STATUS_COLUMNS)
        for row in rows:
            writer.writerow(["" if row[c] is None else row[c] for c in STATUS_COLUMNS])
        return
    header = ("objective", "kr", "value", "target", "progress", "expected", "status")
    table = [header] + [
        (
            row["objective_id"],
            row["kr_id"].split(".", 1)[-1],
            _fmt(row["value"]),
            _fmt(row["target"]),
            _fmt(row["progress"], pct=True),
            _fmt(row["expected_progress"], pct=True),
            row["status"],
        )
        for row in rows
    ]
    widths = [max(len(str(r[i])) for r in table) for i in range(len(header))]
    numeric = {2, 3, 4, 5}
    for number, line in enumerate(table):
        cells = [
            str(cell).rjust(widths[i]) if i in numeric else str(cell).ljust(widths[i])
            for i, cell in enumerate(line)
        ]
        out.write("  ".join(cells).rstrip() + "\n")
        if number == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")
    if rows:
        out.write(
            f"\nas of {max(r['date'] for r in rows)}; "
            f"{sum(r['status'] not in ('on_track', 'achieved') for r in rows)} of "
            f"{len(rows)} key results not on track\n"
        )


def cmd_status(args: argparse.Namespace) -> int:
    """The scoreboard; 0 when it is shown, even empty (a config with sites only), 1 when there is
    nothing to show yet: no warehouse, no marts, or key results the marts have not built."""
    paths = Paths.from_env()
    rows = scoreboard(paths, args.date)
    if rows:
        print_scoreboard(rows, args.format)
        return 0
    if args.date and scoreboard(paths):
        print_scoreboard(rows, args.format)
        print(f"linkokr: no key result has a row on or before {args.date}", file=sys.stderr)
        return 0
    from ingest.config import ADD_KEY_RESULTS_HINT, load_config

    configured = len(load_config(paths.config).key_results()) if paths.config.exists() else 0
    if configured:
        print(
            f"linkokr: the key results of {paths.config.name} ({configured}) are not built yet: "
            "run `linkokr run` first",
            file=sys.stderr,
        )
        return 1
    print_scoreboard(rows, args.format)
    print(
        f"linkokr: no key results in {paths.config.name} yet: {ADD_KEY_RESULTS_HINT}",
        file=sys.stderr,
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    return run_pipeline(Paths.from_env(), args.start, args.end)


def cmd_forget(args: argparse.Namespace) -> int:
    import duckdb

    from ingest.inbox import forget, shown

    paths = Paths.from_env()
    if not paths.warehouse.exists():
        print(f"linkokr: no warehouse at {paths.warehouse}: nothing was loaded", file=sys.stderr)
        return 1
    try:
        con = duckdb.connect(str(paths.warehouse))
    except duckdb.IOException as error:
        print(
            f"linkokr forget: the warehouse cannot be opened for writing ({error}); if a run is "
            "going, try again when it has finished",
            file=sys.stderr,
        )
        return 1
    with con:
        try:
            gone = forget(con, args.file)
        except ValueError as error:
            print(f"linkokr forget: {error}", file=sys.stderr)
            return 1
    print(
        f"forgot {shown(gone.file_name)} ({gone.file_sha256}): {gone.rows:,} rows out of "
        f"raw.{gone.raw_table}; the next `linkokr run` rebuilds the marts without them. "
        "The ledger keeps it as `forgotten`; drop the file again to load it again."
    )
    return 0


def doctor(paths: Paths, repair: bool = False, out=None) -> int:
    """What a run that ended uncleanly left behind, and, with `repair`, clean it up: runs whose
    process is gone (marked failed, their pool slots freed), pool slots of finished runs,
    leftover temporary files. A process holding the warehouse is reported, never touched.
    0 when nothing is left to fix."""
    import dagster as dg

    from ingest import locks
    from orchestration import recovery
    from orchestration.resources import WAREHOUSE_POOL, ensure_dagster_home

    out = out or sys.stdout

    def say(line: str = "") -> None:
        print(line, file=out, flush=True)

    os.environ.update(paths.export())
    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(paths.dagster_home))
    problems: list[str] = []  # what still needs a hand once this command ends
    fixable = 0
    say(f"linkokr doctor: home {paths.home} (Dagster instance {paths.dagster_home})")
    with dg.DagsterInstance.get() as instance:
        runs = recovery.in_progress_runs(instance)
        slot_owner = {
            slot: run_id
            for run_id in {r.run_id for r in runs}
            for slot in recovery.slots_of(instance, run_id)
        }
        say(f"\nruns in progress: {len(runs) or 'none'}")
        for state in runs:
            slots = [slot for slot, run_id in slot_owner.items() if run_id == state.run_id]
            held = f"; holds {', '.join(slots)}" if slots else ""
            if state.stale:
                fixable += 1
                say(f"  STALE  {state}: {state.why}{held}")
                if repair:
                    recovery.fail_stale(instance, state)
                    say("         repaired: marked failed, pool slots freed")
            elif state.alive is None:
                say(f"  ?      {state}: cannot tell whether it runs: {state.why}{held}")
            else:
                say(f"  alive  {state}{held}")

        orphans = recovery.orphan_slots(instance)
        info = recovery.pools(instance).get(WAREHOUSE_POOL)
        say(f"\npool {WAREHOUSE_POOL}: limit {info.limit if info else 'not set'}")
        if info is not None and info.limit != 1:
            problems.append(
                f"the pool {WAREHOUSE_POOL} has limit {info.limit}, not 1: steps of parallel "
                f"runs collide on the warehouse (see {paths.dagster_home / 'dagster.yaml'})"
            )
        if info is not None:
            for slot in info.claimed_slots:
                say(f"  held by run {slot.run_id} (step {slot.step_key})")
            queued: dict[str, list[str]] = {}
            for step in info.pending_steps:
                if step.assigned_timestamp is None:
                    queued.setdefault(step.run_id, []).append(step.step_key)
            for run_id, steps in queued.items():
                say(f"  queued: run {run_id} ({len(steps)} step(s): {', '.join(sorted(steps))})")
            if not info.claimed_slots and not queued:
                say("  free")
        for orphan in orphans:
            fixable += 1
            say(
                f"  ORPHAN run {orphan.run_id} ({orphan.status}) still holds "
                f"{', '.join(orphan.slots) or 'a queued step'}"
            )
            if repair:
                instance.event_log_storage.free_concurrency_slots_for_run(orphan.run_id)
                say("         repaired: freed")

        live = {s.pid for s in runs if s.pid and s.alive is not False}
        say(f"\nwarehouse {paths.warehouse}:")
        holders_now = recovery.foreign_holders(paths.warehouse, instance)
        if holders_now is None and not live:
            probed = locks.probe_lock(paths.warehouse)
            holders_now = [probed] if probed else []
        if not paths.warehouse.exists():
            say("  not created yet")
        elif holders_now:
            for holder in holders_now:
                say(f"  LOCKED by {holder}")
            problems.append(locks.held_lock_message(paths.warehouse, holders_now, paths.serving))
        else:
            ours = locks.lock_holders(paths.warehouse) or []
            ours = [h for h in ours if locks.descends_from(h.pid, live)]
            say("  open by a run in progress" if ours else "  no other process holds it")

        temps = _temp_files(paths)
        runs_alive = any(s.alive is not False for s in runs if not (repair and s.stale))
        say(f"\ntemporary files: {len(temps) or 'none'}")
        for temp in temps:
            size = f"{temp.bytes / 1e6:.1f} MB"
            age = datetime.fromtimestamp(temp.modified).strftime("%Y-%m-%d %H:%M")
            if temp.open_by:
                verdict = f"in use by PID {', '.join(map(str, temp.open_by))}"
            elif runs_alive:
                verdict = "kept: a run is in progress"
            elif not temp.removable():
                verdict = "kept: may belong to a run of another linkokr home (touched < 1 h ago)"
            else:
                verdict = "LEFT OVER"
                fixable += 1
            say(f"  {temp.path} ({temp.what}, {size}, modified {age}): {verdict}")
            if verdict == "LEFT OVER" and repair:
                locks.remove(temp)
                say("         repaired: removed")

    say()
    if fixable and not repair:
        problems.insert(
            0,
            f"{fixable} thing(s) left by runs that ended uncleanly: "
            "`linkokr doctor --repair` cleans them up",
        )
    for problem in problems:
        say(f"linkokr doctor: {problem}")
    if not problems:
        say("linkokr doctor: nothing to fix" + (f" ({fixable} repaired)" if fixable else ""))
    return 1 if problems else 0


def cmd_doctor(args: argparse.Namespace) -> int:
    return doctor(Paths.from_env(), repair=args.repair)


def cmd_emulators(args: argparse.Namespace) -> int:
    from demo.emulators.server import EmulatorServer

    paths = Paths.from_env()
    server = EmulatorServer(paths.home / "data" / "emulator", host=args.host, port=args.port)
    server.start()
    print(f"linkokr emulators on {server.url} (data: {paths.home / 'data' / 'emulator'})")
    for name in ("GA4", "GSC", "AHREFS", "SEMRUSH"):
        print(f"  export LINKOKR_{name}_ENDPOINT={server.url}")
    print("  (the Ahrefs and Semrush emulators accept any API key but `invalid`)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from demo import generate_demo
    from demo.emulators.server import EmulatorServer

    paths = Paths.from_env()
    manifest = generate_demo(paths.home, days=args.days)
    print(
        f"demo data: {len(manifest.files)} files under {paths.home} "
        f"({manifest.start_date}..{manifest.end_date})",
        file=sys.stderr,
    )
    with EmulatorServer(paths.home / "data" / "emulator") as server:
        # Offline: every API source talks to the local emulators, with placeholder keys, for
        # this run only (the emulators stop with it).
        demo_env = {
            "LINKOKR_GA4_ENDPOINT": server.url,
            "LINKOKR_GSC_ENDPOINT": server.url,
            "LINKOKR_AHREFS_ENDPOINT": server.url,
            "LINKOKR_SEMRUSH_ENDPOINT": server.url,
            "AHREFS_API_KEY": "demo-key",
            "SEMRUSH_API_KEY": "demo-key",
        }
        previous = {name: os.environ.get(name) for name in demo_env}
        os.environ.update(demo_env)
        try:
            code = run_pipeline(paths, manifest.start_date, manifest.end_date)
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    if code == 0:
        print_scoreboard(scoreboard(paths), "table")
        from serve.dashboard import dashboard_path

        print(f"dashboard: {dashboard_path(paths.warehouse)}", file=sys.stderr)
        print(f"serving copy for SQL and BI tools: {paths.serving}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="linkokr", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="write demo inputs under LINKOKR_HOME, start emulators, run")
    demo.add_argument("--days", type=int, default=180, help="days of history (default 180)")
    demo.set_defaults(func=cmd_demo)

    run = sub.add_parser("run", help="materialize every asset, in process, as one run")
    run.add_argument("--from", dest="start", type=_date, help="first day for day-based API pulls")
    run.add_argument("--to", dest="end", type=_date, help="last day (default yesterday)")
    run.set_defaults(func=cmd_run)

    status = sub.add_parser("status", help="the key-result scoreboard")
    status.add_argument("--date", type=_date, help="the scoreboard as of this day")
    status.add_argument("--format", choices=("table", "json", "csv"), default="table")
    status.set_defaults(func=cmd_status)

    forget = sub.add_parser(
        "forget", help="unload a loaded file: its rows leave raw now and the marts on the next run"
    )
    forget.add_argument(
        "file", metavar="FILE|SHA256", help="the file (path or name) or its SHA-256"
    )
    forget.set_defaults(func=cmd_forget)

    doctor_cmd = sub.add_parser(
        "doctor",
        help="show (and with --repair clean up) what runs that ended uncleanly left behind",
    )
    doctor_cmd.add_argument(
        "--repair",
        action="store_true",
        help="fail stale runs and free their pool slots, remove leftover temporary files",
    )
    doctor_cmd.set_defaults(func=cmd_doctor)

    emulators = sub.add_parser("emulators", help="serve the local API emulators")
    emulators.add_argument("--host", default="127.0.0.1")
    emulators.add_argument("--port", type=int, default=8765)
    emulators.set_defaults(func=cmd_emulators)

    args = parser.parse_args(argv)
    # Dagster's console logger reports the run; other libraries speak up only for warnings.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)
    if args.command == "run" and args.start and args.end and args.start > args.end:
        parser.error("--from is after --to")
    try:
        return args.func(args)
    except Exception as error:  # a clear one-line error, not a traceback, for config problems
        from ingest.config import ConfigError

        if isinstance(error, ConfigError):
            print(f"linkokr: invalid config:\n{error}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
