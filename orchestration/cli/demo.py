"""`linkokr demo` (demo data, emulators, a run, the scoreboard) and `linkokr emulators`."""

from __future__ import annotations

import argparse
import sys

from ingest.settings import Paths
from orchestration.cli.run import run_pipeline
from orchestration.cli.status import print_scoreboard, scoreboard
from orchestration.environ import environ_set


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
    print(f"linkokr: writing {args.days} days of demo data under {paths.home}…", file=sys.stderr)
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
        with environ_set(demo_env):
            code = run_pipeline(paths, manifest.start_date, manifest.end_date)
    if code == 0:
        print_scoreboard(scoreboard(paths), "table")
        from serve.dashboard import dashboard_path

        print(f"dashboard: {dashboard_path(paths.warehouse)}", file=sys.stderr)
        print(f"serving copy for SQL and BI tools: {paths.serving}", file=sys.stderr)
    return code
