"""The inbox: files users drop in `<inbox>/<kind>/` loaded into `raw`, with a ledger in `ops`.

- `scan`: which files wait in the inbox folders, whether they are still being written, and
  moving a refused file to `<kind>/_rejected/` beside the reason.
- `sniff`: recognising a file: the CSV to read (zips, encodings), its format, its site.
- `load`: loading one file (`load_file`): its own table, its ledger row, in one commit.
- `rows`: reading its rows and accounting for those that do not read.
- `raw`: the raw tables of API pulls and the `raw.<table>` views over the loaded files.
- `forgetting`: `linkokr forget`, taking a loaded file's rows out again.
- `files` (reading CSV headers), `values` (dates, numbers and booleans as files hold them),
  `fileformat` and `formats` (what a format is; the formats of every source), `ledger`,
  `run_summary`.

The names below are importable from `ingest.inbox` itself; each submodule is imported when one
of its names is first used, so that the source packages (`ingest.sources.<vendor>.formats`) can
import `ingest.inbox.files` and `ingest.inbox.fileformat` without loading the whole inbox.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "scan": (
        "PARTIAL_SUFFIXES",
        "REJECTED_DIR",
        "SETTLE_SECONDS",
        "Settled",
        "file_signature",
        "is_settled",
        "reject_file",
        "scan_inbox",
        "settle",
        "shown",
    ),
    "sniff": ("detect_format", "detect_site", "readable_copy", "site_from_name"),
    "load": ("FILE_PROBLEMS", "LoadResult", "load_file"),
    "rows": ("KIND_WORDS", "ReadRows", "RowCounts"),
    "raw": (
        "FILES_SCHEMA",
        "LINEAGE_COLUMNS",
        "LOAD_ID",
        "drop_unfinished_loads",
        "ensure_raw_table",
        "ensure_raw_tables",
        "refresh_file_view",
    ),
    "forgetting": ("Forgotten", "forget"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
