"""Temporary files linkokr writes, kept where the next run finds them.

A run killed mid-way (`kill -9`, an out-of-memory kill, a reboot) leaves its temporary files
behind: the serving copy being written (`.linkokr_serving.duckdb.<token>.tmp` beside the serving
file), Parquet files being written (`parquet/.<mart>.parquet.<token>.tmp`), and the folders where
inbox zips are extracted and Windows-1252 files transcoded (`linkokr-*` under the home's
`.linkokr/tmp/`). Each step that writes them runs in the warehouse pool, one at a time, so the
ones present when such a step starts belong to a run that is gone: the step removes them first.
`linkokr doctor` lists them.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

log = logging.getLogger(__name__)


def scratch_dir(home: Path) -> Path:
    """Where the inbox extracts zips and transcodes files (not the system temp directory, which
    other programs share and nobody cleans for us)."""
    return home / ".linkokr" / "tmp"


def inbox_leftovers(scratch: Path) -> list[Path]:
    return sorted(scratch.glob("linkokr-*")) if scratch.is_dir() else []


def publish_leftovers(serving: Path, parquet_dir: Path) -> list[Path]:
    found = []
    if serving.parent.is_dir():
        found += serving.parent.glob(f".{serving.name}.*.tmp")
        found += serving.parent.glob(f".{serving.name}.*.tmp.wal")
        # a publish that died between keeping the old serving file and naming it the standby
        found += serving.parent.glob(f".{serving.name}.standby.old")
    if parquet_dir.is_dir():
        found += parquet_dir.glob(".*.parquet.*.tmp")
    return sorted(found)


def remove(paths: list[Path]) -> list[Path]:
    """Delete `paths` (files or folders); returns those removed, each logged."""
    removed = []
    for path in paths:
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            continue
        log.info("removed %s, left by a run that did not finish", path)
        removed.append(path)
    return removed
