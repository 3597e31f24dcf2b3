"""Resources shared by every asset: the warehouse and the pool that serializes its writers.

DuckDB allows one writing process per file (and a reader collides with a writer too), so every
asset and check that opens the warehouse runs in the `WAREHOUSE_POOL` concurrency pool, whose limit
`make dev` sets to 1 in `dagster.yaml`: parallel runs and backfills queue instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from dagster_duckdb import DuckDBResource

WAREHOUSE_POOL = "linkokr_warehouse"

DAGSTER_YAML = """\
# Written by linkokr: every asset that opens the DuckDB warehouse is in one pool of 1.
concurrency:
  pools:
    granularity: op
    default_limit: 1
telemetry:
  enabled: false
"""


def warehouse_resource(path: Path) -> DuckDBResource:
    path.parent.mkdir(parents=True, exist_ok=True)
    return DuckDBResource(database=str(path))


def ensure_dagster_home(dagster_home: Path) -> Path:
    """Create `DAGSTER_HOME` with the pool limit, leaving a user's own dagster.yaml alone."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    return dagster_home
