"""`linkokr forget`: a loaded file's rows out of raw now, out of the marts on the next run."""

from __future__ import annotations

import argparse
import sys

from ingest.settings import Paths


def cmd_forget(args: argparse.Namespace) -> int:
    import duckdb

    from ingest.inbox import forget, shown

    paths = Paths.from_env()
    if not paths.warehouse.exists():
        print(f"linkokr: no warehouse at {paths.warehouse}: nothing was loaded", file=sys.stderr)
        return 1
    try:
        con = duckdb.connect(str(paths.warehouse))
    except duckdb.IOException as error:
        print(
            f"linkokr forget: the warehouse cannot be opened for writing ({error}); if a run is "
            "going, try again when it has finished",
            file=sys.stderr,
        )
        return 1
    with con:
        try:
            gone = forget(con, args.file)
        except ValueError as error:
            print(f"linkokr forget: {error}", file=sys.stderr)
            return 1
    print(
        f"forgot {shown(gone.file_name)} ({gone.file_sha256}): {gone.rows:,} rows out of "
        f"raw.{gone.raw_table}; the next `linkokr run` rebuilds the marts without them. "
        "The ledger keeps it as `forgotten`; drop the file again to load it again."
    )
    return 0
