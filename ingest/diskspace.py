"""Telling a full disk from other failures.

When the disk fills, DuckDB says so (`No space left on device`), but Dagster's SQLite run storage
fails right after with `disk I/O error` tracebacks that bury it. A failed run's messages are
checked for the signs of a full disk, and the free space where linkokr writes is looked at, so
the one line a user reads says what happened and where.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

# What a full disk is called by the OS, SQLite and DuckDB...
SIGNS = ("no space left on device", "database or disk is full", "errno 28")
# ...and what else it causes, which other faults cause too: only with little space left.
SYMPTOMS = ("disk i/o error", "could not write")
# Below this a run cannot finish: dbt rewrites whole tables, the serving copy is a full copy.
LOW_SPACE_BYTES = 64 * 1024 * 1024


def _texts(error: BaseException) -> list[str]:
    """The messages of an exception and of those it was raised from."""
    texts, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            texts.append("errno 28")
        texts.append(str(error))
        error = error.__cause__ or error.__context__
    return texts


def diagnose(paths: Iterable[Path], texts: Iterable[str | BaseException]) -> str | None:
    """The one-line disk-full message when `texts` (failure messages or exceptions) show a full
    disk, else None."""
    paths = list(paths)
    lowered = []
    for text in texts:
        items = _texts(text) if isinstance(text, BaseException) else [text or ""]
        lowered += [item.lower() for item in items]
    explicit = any(sign in text for text in lowered for sign in SIGNS)
    symptom = any(sign in text for text in lowered for sign in SYMPTOMS)
    if explicit or (symptom and low_space(paths)):
        return message(paths)
    return None


def low_space(paths: Iterable[Path]) -> list[tuple[Path, int]]:
    """(mount point, free bytes) of each filesystem among `paths` with less than LOW_SPACE_BYTES
    free, once per filesystem."""
    found = {}
    for path in paths:
        existing = Path(path)
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        try:
            free = shutil.disk_usage(existing).free
            device = os.stat(existing).st_dev
        except OSError:
            continue
        if free < LOW_SPACE_BYTES and device not in found:
            found[device] = (_mount_point(existing), free)
    return list(found.values())


def _mount_point(path: Path) -> Path:
    path = path.resolve()
    while not os.path.ismount(path) and path != path.parent:
        path = path.parent
    return path


def message(paths: Iterable[Path]) -> str:
    """The one line: which filesystem is full, how much is free, what to do."""
    full = low_space(paths)
    where = ", ".join(f"{mount} has {free / 1e6:.0f} MB free" for mount, free in full)
    return (
        f"the disk is full ({where or 'no space left on device'}): free some space "
        "(the warehouse, its serving copy and Dagster's run storage live there) and run again"
    )
