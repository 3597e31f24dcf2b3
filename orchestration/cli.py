"""The `linkokr` command: demo, run, status, emulators (product.md, "Commands")."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date, timedelta

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


def run_pipeline(paths: Paths, start: date | None = None, end: date | None = None) -> int:
    """Materialize every asset in process as one run; 0 when every asset materialized.

    Day-partitioned assets cover [start, end] at once (a single-run backfill); by default
    yesterday and the lookback days, like the daily schedule."""
    import dagster as dg

    from ingest.config import load_config
    from orchestration.definitions import build_definitions
    from orchestration.resources import (
        RANGE_END_TAG,
        RANGE_START_TAG,
        ensure_dagster_home,
        lookback_range,
    )

    os.environ.update(paths.export())
    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(paths.dagster_home))
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
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            tags=tags,
            instance=instance,
            raise_on_error=False,
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
    if failed:
        print(f"failed steps: {', '.join(sorted(set(failed)))}", file=sys.stderr)
        return 1
    return 0 if result.success else 1


def _run_summary(result) -> str | None:
    """The inbox asset's summary of this run's files, as text (None when it did not run)."""
    from ingest import run_summary
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


def cmd_emulators(args: argparse.Namespace) -> int:
    from ingest.emulators.server import EmulatorServer

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
    from ingest.demo import generate_demo
    from ingest.emulators.server import EmulatorServer

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
        from ingest.dashboard import dashboard_path

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
