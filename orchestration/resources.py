"""Resources shared by every asset: the warehouse and the pool that serializes its writers.

DuckDB allows one writing process per file (and a reader collides with a writer too), so every
asset and check that opens the warehouse runs in the `WAREHOUSE_POOL` concurrency pool, whose limit
`make dev` sets to 1 in `dagster.yaml`: parallel runs and backfills queue instead of failing.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dagster as dg
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


class PullWindow(dg.Config):
    """Days to pull from a day-based API (ISO dates). Default: yesterday and the `lookback_days`
    before it, because vendors revise recent days."""

    start_date: str | None = None
    end_date: str | None = None

    def days(self, lookback_days: int) -> tuple[date, date]:
        end = date.fromisoformat(self.end_date) if self.end_date else date.today() - timedelta(1)
        if self.start_date:
            return date.fromisoformat(self.start_date), end
        return end - timedelta(days=lookback_days), end


def site_targets(config) -> tuple[list[str], list[str]]:
    """The config's own sites, and every competitor once (in config order)."""
    own = [site.domain for site in config.sites]
    competitors = list(dict.fromkeys(c for site in config.sites for c in site.competitors))
    return own, [c for c in competitors if c not in own]
