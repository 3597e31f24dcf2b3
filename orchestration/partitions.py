"""How the API sources are partitioned, and the run tags that choose a range of days.

API sources that report per day (GA4, Search Console, Domain Rating history) are partitioned by
day: a backfill of a date range runs as one run (single-run backfill policy). Partitions end
yesterday, the last complete day.
"""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg

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
