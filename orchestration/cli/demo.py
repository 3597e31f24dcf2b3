"""`linkokr demo` (demo data, emulators, a run, the scoreboard) and `linkokr emulators`, and the
environment that points the API sources at the emulators."""

from __future__ import annotations

import argparse
import errno
import sys

from ingest.settings import Paths
from orchestration.cli.run import run_pipeline
from orchestration.cli.status import print_scoreboard, scoreboard
from orchestration.environ import environ_set


def emulator_environment(url: str) -> dict[str, str]:
    """The environment that points every API source at the emulators on `url`, with the
    placeholder keys they accept: `linkokr demo`'s run and `linkokr dev`'s Dagster use it."""
    return {
        "LINKOKR_GA4_ENDPOINT": url,
        "LINKOKR_GSC_ENDPOINT": url,
        "LINKOKR_AHREFS_ENDPOINT": url,
        "LINKOKR_SEMRUSH_ENDPOINT": url,
        "AHREFS_API_KEY": "demo-key",
        "SEMRUSH_API_KEY": "demo-key",
    }


def port_in_use(host: str, port: int, option: str) -> str:
    return (
        f"linkokr: port {port} on {host} is already in use (a `linkokr emulators` or `make dev` "
        f"still running?): stop it, or choose another port with {option}"
    )


def open_emulators(data_dir, host: str, port: int):
    """The emulators bound to `host:port` (not serving yet), or None after saying on stderr that
    the port is taken."""
    from demo.emulators.server import EmulatorServer

    try:
        return EmulatorServer(data_dir, host=host, port=port)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        print(port_in_use(host, port, "--port"), file=sys.stderr)
        return None


def cmd_emulators(args: argparse.Namespace) -> int:
    paths = Paths.from_env()
    server = open_emulators(paths.home / "data" / "emulator", args.host, args.port)
    if server is None:
        return 2
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
    # Offline: every API source talks to the local emulators, with placeholder keys, for this
    # run only (the emulators stop with it).
    with (
        EmulatorServer(paths.home / "data" / "emulator") as server,
        environ_set(emulator_environment(server.url)),
    ):
        code = run_pipeline(paths, manifest.start_date, manifest.end_date)
    if code == 0:
        print_scoreboard(scoreboard(paths), "table")
        from serve.dashboard import dashboard_path

        print(f"dashboard: {dashboard_path(paths.warehouse)}", file=sys.stderr)
        print(f"serving copy for SQL and BI tools: {paths.serving}", file=sys.stderr)
    return code
