"""The inbox folders: which files wait there, whether they are still being written, and moving
a refused file aside to `<kind>/_rejected/` next to a `<name>.error.txt` saying why."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.settings import INBOX_KINDS

log = logging.getLogger(__name__)

REJECTED_DIR = "_rejected"
# Names a browser or a spreadsheet gives a file it is still writing, or holds open.
PARTIAL_SUFFIXES = (".crdownload", ".part", ".partial", ".download", ".tmp")
SETTLE_SECONDS = 3.0


def shown(name: object) -> str:
    """A file name fit for one log line: control characters (a newline in a name would forge a
    line) escaped as `\\n`, `\\x1b`, ..."""
    text = str(name)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _inbox_files(folder: Path) -> Iterator[Path]:
    """Files under one inbox folder, in date-named (or any) subfolders too; dotfiles, symbolic
    links, `_rejected/` (and other `_` folders), partial downloads and lock files skipped."""
    if not folder.is_dir():
        return
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        log.warning("inbox folder %s cannot be listed: %s", shown(folder), error)
        return
    for path in entries:
        name = path.name
        if name.startswith((".", "~$")) or path.is_symlink():
            continue
        if path.is_dir():
            if not name.startswith("_"):
                yield from _inbox_files(path)
        elif path.is_file() and not name.lower().endswith((".error.txt", *PARTIAL_SUFFIXES)):
            yield path


def scan_inbox(inbox: Path, kinds: Iterable[str] = INBOX_KINDS) -> list[tuple[str, Path]]:
    """Files waiting in the inbox folders, in name order (see `_inbox_files`)."""
    return [(kind, path) for kind in kinds for path in _inbox_files(inbox / kind)]


def file_signature(path: Path) -> tuple[int, float] | None:
    """(size, mtime), or None when the file is gone or cannot be looked at."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime


def is_settled(signature: tuple[int, float], settle_seconds: float, now: float) -> bool:
    """Unchanged for `settle_seconds`: the modification time is that far in the past (a write
    moves it, so the size cannot have changed since). The sensor and the inbox asset agree."""
    return now - signature[1] >= settle_seconds


@dataclass(frozen=True)
class Settled:
    ready: list[tuple[str, Path]]
    changing: list[tuple[str, Path]]  # still being written: left for the next run


def settle(
    files: list[tuple[str, Path]],
    settle_seconds: float = SETTLE_SECONDS,
    *,
    clock=time.time,
    sleep=time.sleep,
) -> Settled:
    """Split `files` into those whose size and modification time have been stable for
    `settle_seconds` and those still changing. A file modified within the interval is watched
    until the interval has passed since its last change (at most `settle_seconds`): unchanged,
    it is ready; changed, it waits for the next run (an export still downloading)."""
    now = clock()
    signatures = {path: file_signature(path) for _, path in files}
    fresh = [
        path
        for path, sig in signatures.items()
        if sig is not None and not is_settled(sig, settle_seconds, now)
    ]
    if fresh:
        newest = max(signatures[path][1] for path in fresh)
        sleep(min(settle_seconds, max(0.0, newest + settle_seconds - now)))
    ready, changing = [], []
    for kind, path in files:
        before = signatures[path]
        if path in fresh and file_signature(path) != before:
            changing.append((kind, path))
        else:
            # gone or unreadable files go on to the load, which records why
            ready.append((kind, path))
    return Settled(ready, changing)


# Most file systems allow 255 bytes per name: room for a counter and `.error.txt`.
MAX_NAME_BYTES = 255


def _fit(name: str, suffix: str) -> str:
    """`name` + `suffix`, the name shortened (keeping its end: the extension, the stamp) when
    the whole would be longer than a file name may be."""
    room = MAX_NAME_BYTES - len(suffix.encode())
    if len(name.encode()) <= room:
        return name + suffix
    tail = name[-40:]
    head = name.encode()[: room - len(tail.encode()) - 3].decode(errors="ignore")
    return f"{head}...{tail}{suffix}"


def reject_file(path: Path, kind_dir: Path, reason: str) -> Path:
    """Move a file to `_rejected/` beside a `.error.txt`; never overwrite an earlier rejection.

    The error file is written first, so a file is never moved without its reason. A name too
    long to take `.error.txt` gets a shortened error file name (the full name is inside)."""
    target_dir = kind_dir / REJECTED_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / _fit(path.name, "")
    counter = 1
    while target.exists():
        target = target_dir / _fit(path.stem, f".{counter}{path.suffix}")
        counter += 1
    (target_dir / _fit(target.name, ".error.txt")).write_text(
        f"{path.name} was not loaded.\n\n{reason}\n", encoding="utf-8"
    )
    shutil.move(str(path), target)
    return target
