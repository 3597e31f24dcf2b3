"""`linkokr-dbt`: dbt, tied to the process that starts it.

dagster-dbt starts dbt as a plain subprocess. If linkokr were killed (`kill -9`, an
out-of-memory kill) or stopped by a signal, dbt would carry on building marts that no run checks
or publishes, holding the warehouse's lock while the next run starts. This command asks the
kernel to kill it when its parent dies (`PR_SET_PDEATHSIG`, which survives `exec`), then becomes
dbt.

On Spark (LINKOKR_SPARK_LOG set), dbt starts Spark's JVM as its own child, which writes its log
and stage progress bars to the standard output and error it inherits. dagster-dbt reads dbt's
events, one JSON line each, from that same pipe (stderr merged), and a JVM write landing inside
an event's line cost the event: a mart's materialization went missing and Dagster skipped the
serving copy. There the JVM gets the log file as its standard output and error, while dbt's
Python keeps writing to the pipe through duplicates of both.
"""

from __future__ import annotations

import ctypes
import io
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1
PARENT_ENV = "LINKOKR_DBT_PARENT"  # the PID of the process meant to be dbt's parent
SPARK_LOG_ENV = "LINKOKR_SPARK_LOG"  # where the output of dbt's children (Spark's JVM) goes


def separate_child_output(log: Path) -> None:
    """From now on, processes this one starts write their standard output and error to `log`
    (appended); this process's `sys.stdout` and `sys.stderr` still reach the original streams,
    line by line, through duplicates the children do not inherit."""
    log.parent.mkdir(parents=True, exist_ok=True)
    streams = []
    for fd in (1, 2):
        original = os.dup(fd)  # not inheritable: a child never gets it
        streams.append(
            io.TextIOWrapper(
                io.FileIO(original, "w"),
                encoding="utf-8",
                errors="backslashreplace",
                line_buffering=True,
            )
        )
    sys.stdout.flush()
    sys.stderr.flush()
    target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(target, 1)
    os.dup2(target, 2)
    os.close(target)
    sys.stdout, sys.stderr = streams


def main() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: dbt is not tied to its parent there
    parent = os.environ.get(PARENT_ENV)
    if parent and os.getppid() != int(parent):
        # the parent died between starting this process and the tie above
        sys.exit(f"linkokr-dbt: its parent (PID {parent}) is gone; not starting dbt")
    spark_log = os.environ.get(SPARK_LOG_ENV)
    if spark_log:
        separate_child_output(Path(spark_log))
        from dbt.cli.main import cli  # dbt in this process: its streams are the duplicates

        sys.argv = ["dbt", *sys.argv[1:]]
        sys.exit(cli())
    dbt = Path(sys.executable).parent / "dbt"
    program = str(dbt) if dbt.exists() else "dbt"
    os.execvp(program, [program, *sys.argv[1:]])


if __name__ == "__main__":
    main()
