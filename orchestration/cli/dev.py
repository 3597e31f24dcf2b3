"""`linkokr dev` (what `make dev` runs): the Dagster UI on a demo home, its API sources served by
the local emulators, and Ctrl-C stopping both.

The emulators run in this process; `dagster dev` (webserver, daemon, code server) runs as a child
in its own session, so the terminal's Ctrl-C reaches only this process, which passes it on once,
waits for Dagster to shut down, stops whatever is left of the child's process group, then stops
the emulators. No process stays behind holding a port.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from ingest.settings import Paths
from orchestration.cli.demo import emulator_environment, open_emulators, port_in_use

WORKSPACE_YAML = """\
# Written by `linkokr dev`: the linkokr code location, loaded from the installed package.
load_from:
  - python_module:
      module_name: orchestration.definitions
      location_name: linkokr
"""
# How long Dagster gets to shut its processes down after Ctrl-C before they are terminated.
SHUTDOWN_SECONDS = 20.0


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def _stop_group(child: subprocess.Popen, timeout: float) -> None:
    """SIGINT to `dagster dev` (it stops its webserver, daemon and code server), then SIGTERM
    and SIGKILL to whatever of its process group is still there."""
    if child.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout)
    for signum, pause in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(child.pid, signum)
        except (ProcessLookupError, PermissionError):
            break  # the group is empty
        deadline = time.monotonic() + pause
        while time.monotonic() < deadline and _group_alive(child.pid):
            time.sleep(0.1)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(5)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def cmd_dev(args: argparse.Namespace) -> int:
    from orchestration.instance import ensure_dagster_home

    paths = Paths.from_env()
    data = paths.home / "data" / "emulator"
    if not data.is_dir():
        print(
            f"linkokr: no demo data under {paths.home}: run `linkokr demo` (or `make demo`) first",
            file=sys.stderr,
        )
        return 2
    if not _port_free(args.host, args.ui_port):
        print(port_in_use(args.host, args.ui_port, "--ui-port"), file=sys.stderr)
        return 2
    server = open_emulators(data, args.host, args.port)
    if server is None:
        return 2
    dagster_home = ensure_dagster_home(paths.dagster_home)
    workspace = dagster_home / "workspace.yaml"
    workspace.write_text(WORKSPACE_YAML, encoding="utf-8")
    env = {
        **os.environ,
        **paths.export(),
        "DAGSTER_HOME": str(dagster_home),
        **emulator_environment(server.url),
    }
    command = [
        *_dagster(),
        "dev",
        "-w",
        str(workspace),
        "-h",
        args.host,
        "-p",
        str(args.ui_port),
    ]
    stop = threading.Event()

    def on_signal(signum, frame) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    server.start()
    print(
        f"linkokr dev: emulators on {server.url}, Dagster UI on http://{args.host}:{args.ui_port}"
    )
    print("  Ctrl-C stops both", flush=True)
    child = None
    try:
        child = subprocess.Popen(command, env=env, start_new_session=True)
        while child.poll() is None and not stop.wait(0.5):
            pass
    finally:
        if child is not None:
            _stop_group(child, SHUTDOWN_SECONDS)
        server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if stop.is_set():
        print("linkokr dev: stopped", file=sys.stderr)
        return 0
    return child.returncode or 0


def _dagster() -> list[str]:
    """The `dagster` command next to this Python (a venv's), else `python -m dagster`."""
    beside = Path(sys.executable).parent / "dagster"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "dagster"]
