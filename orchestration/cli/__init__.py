"""The `linkokr` command: demo, run, status, init, review, forget, disavow, doctor, emulators, dev
(README, "The `linkokr` command"). Each command is in its own module here; this one parses the
command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date

from orchestration.cli.demo import cmd_demo, cmd_emulators
from orchestration.cli.dev import cmd_dev
from orchestration.cli.disavow import cmd_disavow
from orchestration.cli.doctor import cmd_doctor, doctor
from orchestration.cli.forget import cmd_forget
from orchestration.cli.init import cmd_init
from orchestration.cli.review import add_review_parser
from orchestration.cli.run import cmd_run, run_pipeline
from orchestration.cli.status import STATUS_COLUMNS, cmd_status, print_scoreboard, scoreboard

__all__ = ["STATUS_COLUMNS", "doctor", "main", "print_scoreboard", "run_pipeline", "scoreboard"]

log = logging.getLogger("linkokr")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="linkokr",
        description="Every morning: are the link-building OKRs on track, and why. "
        "linkokr loads backlink, ranking and traffic data into DuckDB, builds the key-result "
        "marts with dbt and checks each key result against its target.",
        epilog="Configured by environment (LINKOKR_HOME, LINKOKR_CONFIG, ...): see the README.",
    )
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

    init = sub.add_parser(
        "init", help="write a commented starter linkokr.yml for one site and the inbox folders"
    )
    init.add_argument("domain", metavar="DOMAIN", help="the site's domain, e.g. acme.com")
    init.set_defaults(func=cmd_init)
    add_review_parser(sub, _date)

    forget = sub.add_parser(
        "forget", help="unload a loaded file: its rows leave raw now and the marts on the next run"
    )
    forget.add_argument(
        "file", metavar="FILE|SHA256", help="the file (path or name) or its SHA-256"
    )
    forget.set_defaults(func=cmd_forget)

    disavow = sub.add_parser(
        "disavow", help="write the site's toxic referring domains as a Google disavow file"
    )
    disavow.add_argument("--site", help="the own site (required when there are several)")
    disavow.add_argument(
        "--output",
        metavar="FILE",
        help="where to write (default $LINKOKR_HOME/disavow/<site>-disavow.txt; - for stdout)",
    )
    disavow.set_defaults(func=cmd_disavow)

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

    dev = sub.add_parser(
        "dev",
        help="the Dagster UI on a demo home, with the emulators serving its API sources "
        "(make dev); Ctrl-C stops both",
    )
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8765, help="the emulators' port (8765)")
    dev.add_argument("--ui-port", type=int, default=3000, help="the Dagster UI's port (3000)")
    dev.set_defaults(func=cmd_dev)

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
