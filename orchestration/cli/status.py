"""`linkokr status`: the key-result scoreboard, from the serving copy (else the warehouse)."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import date
from pathlib import Path

from ingest.settings import Paths

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


def _open_for_reading(paths: Paths):
    import duckdb

    source = paths.serving if paths.serving.exists() else paths.warehouse
    if not source.exists():
        raise SystemExit(_no_warehouse_message(paths))
    return duckdb.connect(str(source), read_only=True)


def open_marts(paths: Paths, tables: tuple[str, ...], what: str):
    """The serving copy (else the warehouse) read-only, once `tables` of `marts` are built; else
    exits with one line naming `what` is not built yet."""
    con = _open_for_reading(paths)
    built = con.execute(
        """select count(*) from information_schema.tables
           where table_schema = 'marts' and list_contains(?, table_name)""",
        [list(tables)],
    ).fetchone()[0]
    if built < len(tables):
        con.close()
        raise SystemExit(f"linkokr: {what} not built yet: run `linkokr run` first")
    return con


# Where `make demo` writes its home (the repo's .demo/), relative to the working directory.
DEMO_HOME = Path(".demo")


def _no_warehouse_message(paths: Paths) -> str:
    """Why there is nothing to read; when no home was chosen but the working directory holds the
    demo's (`make demo` from the repo root), which home to use instead."""
    demo_warehouse = DEMO_HOME / "warehouse" / "linkokr.duckdb"
    chosen = any(os.environ.get(name) for name in ("LINKOKR_HOME", "LINKOKR_WAREHOUSE"))
    if not chosen and demo_warehouse.is_file():
        return (
            f"linkokr: no warehouse at {paths.warehouse}. The demo's is in {DEMO_HOME}/: "
            f"run LINKOKR_HOME={DEMO_HOME} linkokr status"
        )
    return f"linkokr: no warehouse at {paths.warehouse}: run `linkokr run` first"


def scoreboard(paths: Paths, on: date | None = None) -> list[dict]:
    """Each key result's row on `on` (its latest row on or before that day), else its latest row.

    Exits with a one-line message when the warehouse or its key-result marts are not built yet."""
    con = open_marts(
        paths, ("fct_key_result_progress", "dim_key_results"), "the key-result marts are"
    )
    try:
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
        last = max(row["date"] for row in rows)  # the marts' last day: some KR's latest row
        if args.date and args.date > last:
            print(f"linkokr: no data after {last}; the scoreboard is as of {last}", file=sys.stderr)
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
