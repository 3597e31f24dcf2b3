"""Resources shared by every asset: the warehouse and the pool that serializes its writers.

DuckDB allows one writing process per file (and a reader collides with a writer too), so every
asset and check that opens the warehouse runs in the `WAREHOUSE_POOL` concurrency pool, whose limit
`make dev` sets to 1 in `dagster.yaml`: parallel runs and backfills queue instead of failing.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.api_pulls import new_pull_id
from ingest.ledger import record_api_pull

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
    """The warehouse for every asset and check. Memory is capped like dbt's (profiles.yml):
    DuckDB spills to disk beyond `LINKOKR_DUCKDB_MEMORY_LIMIT` instead of growing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return DuckDBResource(
        database=str(path),
        connection_config={"memory_limit": os.environ.get("LINKOKR_DUCKDB_MEMORY_LIMIT", "2GB")},
    )


def ensure_dagster_home(dagster_home: Path) -> Path:
    """Create `DAGSTER_HOME` with the pool limit, leaving a user's own dagster.yaml alone."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    return dagster_home


# API sources that report per day (GA4, Search Console, Domain Rating history) are partitioned by
# day: a backfill of a date range runs as one run (single-run backfill policy). Partitions end
# yesterday, the last complete day.
DAILY_PARTITIONS = dg.DailyPartitionsDefinition(start_date="2024-01-01")
SINGLE_RUN = dg.BackfillPolicy.single_run()
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def partition_days(context: dg.AssetExecutionContext) -> list[date]:
    """Every day of the partitions this run materializes."""
    window = context.partition_time_window
    start, end = window.start.date(), window.end.date()
    return [start + timedelta(days=n) for n in range((end - start).days)]


def lookback_range(yesterday: date, lookback_days: int) -> dict[str, str]:
    """Run tags for yesterday and the `lookback_days` before it, which vendors still revise."""
    return {
        RANGE_START_TAG: (yesterday - timedelta(days=lookback_days)).isoformat(),
        RANGE_END_TAG: yesterday.isoformat(),
    }


def site_targets(config) -> tuple[list[str], list[str]]:
    """The config's own sites, and every competitor once (in config order)."""
    own = [site.domain for site in config.sites]
    competitors = list(dict.fromkeys(c for site in config.sites for c in site.competitors))
    return own, [c for c in competitors if c not in own]


def pull_each(context, con, targets, *, source, day, pull):
    """Run `pull(target) -> (rows, requests)` for every target, record each in `ops.api_pulls`,
    and fail after all were tried if any failed (each target's write is its own transaction)."""
    total, failures = 0, []
    for target in targets:
        try:
            rows, requests = pull(target)
        except Exception as error:  # recorded, then the asset fails below
            failures.append(f"{target}: {error}")
            record_api_pull(
                con,
                source=source,
                subject=target,
                partition_date=day,
                status="failed",
                rows=None,
                requests=None,
                error=str(error)[:1000],
            )
            continue
        total += rows
        record_api_pull(
            con,
            source=source,
            subject=target,
            partition_date=day,
            status="loaded",
            rows=rows,
            requests=requests,
        )
        context.log.info("%s %s: %d rows in %d requests", source, target, rows, requests)
    if failures:
        raise dg.Failure(f"{source} pulls failed:\n" + "\n".join(failures))
    return total


def pull_backlink_snapshots(context, con, resource, write, targets, *, source, vendor, key_name):
    """Every backlink of each target from a vendor API, landed as a snapshot dated today with
    `write` (the vendor's writer); skipped with a log line when the API key is not set."""
    if not resource.api_key:
        context.log.info("%s API skipped: %s is not set", vendor, key_name)
        return 0
    today = date.today()
    with resource.get_client() as client:

        def pull(target):
            before = client.requests
            pages = client.iter_backlink_pages(target, max_rows=resource.max_rows_per_pull)
            rows = write(
                con, pages, target=target, site=target, pull_id=new_pull_id(), snapshot_date=today
            )
            return rows, client.requests - before

        return pull_each(context, con, targets, source=source, day=today, pull=pull)
