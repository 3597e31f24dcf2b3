"""What holds the warehouse, and what a run that ended uncleanly leaves behind.

A run killed with `kill -9`, or dying when the disk filled, cannot clean up after itself: its
process is gone, but the temporary files it was writing stay, and a reader that someone pointed at
`linkokr.duckdb` instead of the serving copy keeps DuckDB's file lock. This module answers, from
outside any run and without Dagster: is a process still the one that started a run (PID plus its
start time, as PIDs are reused), which processes hold a lock on a DuckDB file (DuckDB's own error
message, and `/proc/locks` on Linux), and which leftover temporary files may be removed.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest import scratch
from ingest.settings import Paths, dashboard_path

PROC = Path("/proc")
# What DuckDB says when another process holds the file (DuckDB 1.x and 2.x):
#   Could not set lock on file "...": Conflicting lock is held in /usr/bin/python3 (PID 12345)
#   by user root. ...
LOCK_ERROR = "Could not set lock on file"
_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)")


# -- processes ---------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces and ")")."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError, NotADirectoryError):
        return None
    return text[text.rindex(")") + 2 :].split()


def _boot_id() -> str:
    try:
        return (PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def process_start(pid: int) -> str | None:
    """An identity for the process with this PID that a later process reusing the PID does not
    share: the boot id and the start time in clock ticks since boot (None without /proc)."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    return f"{_boot_id()}:{fields[19]}"


def started_at(pid: int) -> float | None:
    """When the process started, as a Unix timestamp (about a second's precision), or None."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    try:
        boot = next(
            int(line.split()[1])
            for line in (PROC / "stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, StopIteration):
        return None
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def is_alive(pid: int, start: str | None = None) -> bool:
    """Whether the process `pid` runs, and, when `start` (from `process_start`) is given, whether
    it is still that same process. A zombie (killed, not yet reaped) is not alive."""
    if pid <= 0:
        return False
    fields = _stat_fields(pid)
    if fields is None:
        if PROC.joinpath("self").exists():
            return False
        try:  # no /proc (macOS): the PID alone
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    if fields[0] in ("Z", "X"):
        return False
    return start is None or process_start(pid) == start


def parent_pid(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def descends_from(pid: int, ancestors: Iterable[int]) -> bool:
    """Whether `pid` is one of `ancestors` or a child, grandchild ... of one (dbt under a run)."""
    wanted = set(ancestors)
    seen: set[int] = set()
    current: int | None = pid
    while current and current not in seen:
        if current in wanted:
            return True
        seen.add(current)
        current = parent_pid(current)
    return False


def command_line(pid: int) -> str | None:
    """What the process runs, for one line of output: the program and the script, module or
    subcommand it was given, the other arguments elided (they can hold passwords and tokens).
    None when unreadable."""
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    args = [arg for arg in raw.decode(errors="replace").split("\0") if arg]
    if not args:
        return None
    shown = [args[0]]
    for arg in args[1:4]:
        if arg in ("-m", "-c") and len(shown) == 1:  # python's module, or its inline script
            shown.append(arg)
            if arg == "-c":
                break
        elif arg.startswith("-") or any(c in arg for c in "=:@ \n") or len(arg) > 80:
            break
        else:
            shown.append(arg)
    if len(shown) < len(args):
        shown.append("...")
    return " ".join(shown)


def this_process() -> dict[str, str]:
    """How a run names the process that runs it: PID, host and the process's start identity."""
    pid = os.getpid()
    return {"pid": str(pid), "host": socket.gethostname(), "start": process_start(pid) or ""}


# -- locks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LockHolder:
    pid: int
    command: str

    def __str__(self) -> str:
        return f"PID {self.pid} ({self.command})" if self.pid else self.command


def _holder(pid: int, fallback: str = "unknown command") -> LockHolder:
    return LockHolder(pid, command_line(pid) or fallback)


def is_lock_error(message: str) -> bool:
    return LOCK_ERROR in message


def holder_from_error(message: str) -> LockHolder | None:
    """The process DuckDB names in a lock conflict error, with its command line when this machine
    can see it (else the executable DuckDB names); None when `message` is no lock conflict."""
    if not is_lock_error(message):
        return None
    match = _HOLDER.search(message)
    if match is None:
        return LockHolder(0, "another process")
    return _holder(int(match["pid"]), match["exe"])


def lock_holders(path: Path) -> list[LockHolder] | None:
    """Every other process holding a lock on `path`, from /proc/locks, without opening the file;
    None when this system has no /proc/locks (then `probe_lock` is the way to know)."""
    try:
        lines = (PROC / "locks").read_text().splitlines()
        stat = path.stat()
    except FileNotFoundError:
        return [] if PROC.joinpath("locks").exists() else None
    except OSError:
        return None
    device = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    pids = []
    for line in lines:
        fields = line.split()
        if "->" in fields:  # a process waiting for the lock, not holding it
            continue
        if len(fields) >= 6 and fields[5] == device and fields[4].isdigit():
            pids.append(int(fields[4]))
    return [_holder(pid) for pid in dict.fromkeys(pids) if pid != os.getpid()]


def probe_lock(path: Path) -> LockHolder | None:
    """Open the DuckDB file for writing for a moment, as a run would: the process holding it, or
    None when a run could open it (or it does not exist yet)."""
    if not path.exists():
        return None
    try:
        duckdb.connect(str(path)).close()
    except duckdb.Error as error:
        # Any other error (a damaged file, a newer storage version) is the run's to report.
        return holder_from_error(str(error))
    return None


def held_lock_message(warehouse: Path, holders: list[LockHolder], serving: Path) -> str:
    """The one line for a warehouse another process holds: who, and where readers belong."""
    who = ", ".join(str(holder) for holder in holders) or "another process"
    return (
        f"the warehouse {warehouse} is locked by {who}: only the pipeline may open it. Point "
        f"notebooks, BI tools and the DuckDB CLI at the serving copy {serving} (LINKOKR_SERVING), "
        "close that connection, and run again"
    )


# -- leftover temporary files ------------------------------------------------------------------


@dataclass(frozen=True)
class TempKind:
    what: str
    find: Callable[[], list[Path]]
    # True when runs of other linkokr homes on this machine write there too (the system
    # temporary folder): such a file is only removed once it has been left alone for a while.
    shared: bool = False


# A file in a shared folder untouched this long belongs to no run of any home.
SHARED_QUIET_SECONDS = 3600


def temp_kinds(paths: Paths) -> list[TempKind]:
    """Every kind of temporary file a run writes, and where: what a run that ended uncleanly can
    leave. Add a kind here when a new writer appears."""
    dashboard = dashboard_path(paths.warehouse)
    system_temp = Path(tempfile.gettempdir())
    return [
        TempKind(
            "serving copy or Parquet mart being written",
            lambda: scratch.publish_leftovers(paths.serving, paths.warehouse.parent / "parquet"),
        ),
        TempKind(
            "inbox file being unpacked",
            lambda: scratch.inbox_leftovers(scratch.scratch_dir(paths.home)),
        ),
        TempKind(
            "dashboard being written",
            lambda: sorted(dashboard.parent.glob(f".{dashboard.name}.*.tmp")),
        ),
        # where linkokr unpacked inbox files before it had its own scratch folder
        TempKind(
            "inbox file being unpacked",
            lambda: sorted(system_temp.glob("linkokr-*")),
            shared=True,
        ),
    ]


@dataclass(frozen=True)
class TempFile:
    path: Path
    what: str
    bytes: int
    modified: float
    shared: bool
    open_by: tuple[int, ...]  # PIDs with the file (or a file under the folder) open

    def removable(self, now: float | None = None) -> bool:
        """Once no run of this home is alive (the caller knows), safe to remove when nobody has
        it open and, in a folder other homes share, nobody has touched it for an hour."""
        if self.open_by:
            return False
        quiet = (now or time.time()) - self.modified
        return not self.shared or quiet > SHARED_QUIET_SECONDS


def _tree(path: Path) -> tuple[int, float, list[Path]]:
    """Total bytes, newest modification time and every path of a file or folder tree."""
    if not path.is_dir() or path.is_symlink():
        stat = path.lstat()
        return stat.st_size, stat.st_mtime, [path]
    size, newest, paths = 0, path.lstat().st_mtime, [path]
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            child = Path(root) / name
            try:
                stat = child.lstat()
            except FileNotFoundError:
                continue
            size += stat.st_size if name in files else 0
            newest = max(newest, stat.st_mtime)
            paths.append(child)
    return size, newest, paths


def _open_files() -> dict[str, set[int]]:
    """Every path some process has open or works in (its cwd), with their PIDs (Linux only; the
    processes of other users are invisible to a user that is not root)."""
    opened: dict[str, set[int]] = {}
    for entry in PROC.glob("[0-9]*"):
        pid = int(entry.name)
        if pid == os.getpid():
            continue
        try:
            links = [entry / "cwd", *(entry / "fd").iterdir()]
        except OSError:
            continue
        for link in links:
            try:
                opened.setdefault(os.readlink(link), set()).add(pid)
            except OSError:
                continue
    return opened


def leftover_temp_files(kinds: list[TempKind]) -> list[TempFile]:
    """The temporary files (and folders) of `kinds` present now, with who has them open."""
    opened = _open_files()
    found = []
    for kind in kinds:
        for path in kind.find():
            try:
                size, modified, tree = _tree(path)
            except FileNotFoundError:
                continue
            pids = sorted({pid for p in tree for pid in opened.get(str(p), ())})
            found.append(TempFile(path, kind.what, size, modified, kind.shared, tuple(pids)))
    return found


def remove(temp: TempFile) -> None:
    scratch.remove([temp.path])
