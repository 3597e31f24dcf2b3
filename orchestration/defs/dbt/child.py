"""`linkokr-dbt`: dbt, tied to the process that starts it.

dagster-dbt starts dbt as a plain subprocess. If linkokr were killed (`kill -9`, an
out-of-memory kill) or stopped by a signal, dbt would carry on building marts that no run checks
or publishes, holding the warehouse's lock while the next run starts. This command asks the
kernel to kill it when its parent dies (`PR_SET_PDEATHSIG`, which survives `exec`), then becomes
dbt.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1
PARENT_ENV = "LINKOKR_DBT_PARENT"  # the PID of the process meant to be dbt's parent


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
    dbt = Path(sys.executable).parent / "dbt"
    program = str(dbt) if dbt.exists() else "dbt"
    os.execvp(program, [program, *sys.argv[1:]])


if __name__ == "__main__":
    main()
