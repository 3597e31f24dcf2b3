"""How the API sources are partitioned, and the run tags that choose a range of days.

API sources that report per day (GA4, Search Console, Domain Rating history) are partitioned by
day: a backfill of a date range runs as one run (single-run backfill policy). Partitions end
yesterday, the last complete day, and start where the config says the data can start
(`history_start`), made when the definitions load.
"""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg

from ingest.config import LinkokrConfig

SINGLE_RUN = dg.BackfillPolicy.single_run()
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def history_start(config: LinkokrConfig, today: date | None = None) -> date:
    """The first day partition of the day-based API sources.

    `settings.history_start` when the config sets it; otherwise the earliest objective period
    start, less `lookback_days` and the longest attribution window (a link found on the first
    day of a period is measured against the traffic of that window before it); with no
    objectives yet, the first day of the month a year ago (stable for a month, where "a year
    before today" would move the first partition every day). Never later than the first day
    the daily run pulls (yesterday less `lookback_days`), so that range always exists."""
    today = today or date.today()
    settings = config.settings
    starts = [objective.period.start for site in config.sites for objective in site.objectives]
    if settings.history_start is not None:
        start = settings.history_start
    elif starts:
        longest_window = max(settings.attribution_windows)
        start = min(starts) - timedelta(days=settings.lookback_days + longest_window)
    else:
        start = date(today.year - 1, today.month, 1)
    return min(start, today - timedelta(days=1 + settings.lookback_days))


def daily_partitions(config: LinkokrConfig, today: date | None = None):
    """Day partitions from `history_start(config)` to yesterday."""
    return dg.DailyPartitionsDefinition(start_date=history_start(config, today).isoformat())


def partition_days(context: dg.AssetExecutionContext) -> list[date]:
    """Every day of the partitions this run materializes."""
    window = context.partition_time_window
    start, end = window.start.date(), window.end.date()
    return [start + timedelta(days=n) for n in range((end - start).days)]


def backfill_start(tags: dict[str, str], lookback_days: int) -> str | None:
    """The first day a run's dbt build must re-read, when its range reaches back further than
    the `lookback_days` the incremental models re-read by themselves; None for a daily run.

    dbt re-parses the whole project when its vars change, so a date passed every day would cost
    every daily build a full parse: only a backfill (`linkokr run --from`, a Dagster backfill of
    a longer range) passes one."""
    start = tags.get(RANGE_START_TAG)
    if not start:
        return None
    end = date.fromisoformat(tags.get(RANGE_END_TAG) or start)
    if date.fromisoformat(start) >= end - timedelta(days=lookback_days):
        return None
    return start


def lookback_range(yesterday: date, lookback_days: int) -> dict[str, str]:
    """Run tags for yesterday and the `lookback_days` before it, which vendors still revise."""
    return {
        RANGE_START_TAG: (yesterday - timedelta(days=lookback_days)).isoformat(),
        RANGE_END_TAG: yesterday.isoformat(),
    }
