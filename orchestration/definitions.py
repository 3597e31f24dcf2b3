"""The linkokr code location: one `Definitions` built from the environment and `linkokr.yml`.

Nothing is read at import time: `defs()` runs when Dagster loads the code location, so editing
the config and reloading the location picks up new key results (and drops removed ones).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

import dagster as dg
from dagster_dbt import DbtCliResource

from ingest.config import load_config
from ingest.scratch import scratch_dir
from ingest.settings import Paths
from orchestration.defs.ahrefs.assets import build_ahrefs_assets
from orchestration.defs.ahrefs.checks import build_ahrefs_checks
from orchestration.defs.ahrefs.resources import AhrefsResource
from orchestration.defs.config.assets import build_config_asset
from orchestration.defs.dashboard.assets import build_dashboard_asset
from orchestration.defs.dbt.assets import build_dbt_assets, dbt_executable, dbt_project
from orchestration.defs.ga4.assets import build_ga4_asset
from orchestration.defs.ga4.checks import build_ga4_checks
from orchestration.defs.ga4.resources import Ga4Resource
from orchestration.defs.gsc.assets import build_gsc_asset
from orchestration.defs.gsc.checks import build_gsc_checks
from orchestration.defs.gsc.resources import GscResource
from orchestration.defs.inbox.assets import build_inbox_asset, configured_domains
from orchestration.defs.inbox.checks import build_held_out_check
from orchestration.defs.inbox.sensors import INBOX_JOB, build_inbox_sensor
from orchestration.defs.okrs.alerts import key_result_alerts
from orchestration.defs.okrs.checks import build_key_result_checks
from orchestration.defs.okrs.freshness import backlink_snapshots_fresh
from orchestration.defs.publish.assets import build_publish_asset
from orchestration.defs.semrush.assets import build_semrush_asset
from orchestration.defs.semrush.checks import build_semrush_checks
from orchestration.defs.semrush.resources import SemrushResource
from orchestration.resources import lookback_range, warehouse_resource

DAILY_JOB = "linkokr_daily"


def secret(name: str, env: Mapping[str, str]) -> dg.EnvVar | None:
    """An API key as a Dagster `EnvVar` (its value never reaches config, logs or the UI), or None
    when it is not set: the source is then skipped with a log line."""
    return dg.EnvVar(name) if env.get(name) else None


def build_definitions(paths: Paths, environ: Mapping[str, str] | None = None) -> dg.Definitions:
    env = os.environ if environ is None else environ
    # dbt runs as a subprocess in dbt_project/: it must see the same absolute paths.
    os.environ.update(paths.export())
    config = load_config(paths.config)
    state_dir = paths.home / ".linkokr" / "dbt"
    project = dbt_project(state_dir)

    inbox_asset = build_inbox_asset(paths.inbox, config, scratch_dir(paths.home))
    assets = [
        build_config_asset(config, str(paths.config)),
        inbox_asset,
        build_ga4_asset(config),
        build_gsc_asset(config),
        *build_ahrefs_assets(config),
        build_semrush_asset(config),
        build_dbt_assets(project, state_dir),
        key_result_alerts,
        build_publish_asset(project, paths),
    ]
    # Built from the list: it depends on the attribution mart only when dbt defines it.
    assets.append(build_dashboard_asset(assets))
    daily = dg.define_asset_job(DAILY_JOB, selection=dg.AssetSelection.all())
    inbox_job = dg.define_asset_job(
        INBOX_JOB,
        selection=dg.AssetSelection.assets(inbox_asset).downstream(),
        description="New inbox files: load them, rebuild what depends on them, run the checks.",
    )
    return dg.Definitions(
        assets=assets,
        asset_checks=[
            *build_key_result_checks(config),
            *build_ga4_checks(config),
            *build_gsc_checks(config),
            *build_ahrefs_checks(config),
            *build_semrush_checks(config),
            build_held_out_check(configured_domains(config)),
            backlink_snapshots_fresh,
        ],
        jobs=[daily, inbox_job],
        sensors=[build_inbox_sensor(paths.inbox, inbox_job, config.settings.inbox_settle_seconds)],
        schedules=[build_daily_schedule(daily, config.settings.lookback_days)],
        resources={
            "warehouse": warehouse_resource(paths.warehouse),
            "dbt": DbtCliResource(project_dir=project, dbt_executable=dbt_executable()),
            "ahrefs": AhrefsResource(
                api_key=secret("AHREFS_API_KEY", env),
                endpoint=env.get("LINKOKR_AHREFS_ENDPOINT") or None,
            ),
            "semrush": SemrushResource(
                api_key=secret("SEMRUSH_API_KEY", env),
                endpoint=env.get("LINKOKR_SEMRUSH_ENDPOINT") or None,
            ),
            "gsc": GscResource(
                endpoint=env.get("LINKOKR_GSC_ENDPOINT") or None,
                credentials_path=env.get("GOOGLE_APPLICATION_CREDENTIALS") or None,
            ),
            "ga4": Ga4Resource(
                endpoint=env.get("LINKOKR_GA4_ENDPOINT") or None,
                credentials_path=env.get("GOOGLE_APPLICATION_CREDENTIALS") or None,
            ),
        },
    )


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


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(Paths.from_env())
