"""The daily job (every asset and check) and the schedule that starts it every morning."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from orchestration.partitions import lookback_range

DAILY_JOB = "linkokr_daily"


def build_daily_job() -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(DAILY_JOB, selection=dg.AssetSelection.all())


def build_daily_schedule(job, lookback_days: int) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="linkokr_daily_schedule",
        job=job,
        cron_schedule="0 6 * * *",
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def linkokr_daily_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        """Every morning: new inbox files, the API days of yesterday and the `lookback_days`
        before it (re-read because vendors revise them) as one run, then dbt and every check."""
        yesterday = context.scheduled_execution_time.date() - timedelta(days=1)
        return dg.RunRequest(
            run_key=yesterday.isoformat(), tags=lookback_range(yesterday, lookback_days)
        )

    return linkokr_daily_schedule
