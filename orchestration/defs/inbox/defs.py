"""The inbox folder's definitions: the files dropped in the inbox, loaded by their own job when
the sensor sees them settle, and the check on files held out of the marts."""

import dagster as dg

from ingest.config import LinkokrConfig
from ingest.scratch import scratch_dir
from ingest.settings import Paths
from orchestration.defs.inbox.assets import build_inbox_asset, configured_domains
from orchestration.defs.inbox.checks import build_held_out_check
from orchestration.defs.inbox.sensors import INBOX_JOB, build_inbox_sensor


def build_defs(config: LinkokrConfig, paths: Paths) -> dg.Definitions:
    inbox_asset = build_inbox_asset(paths.inbox, config, scratch_dir(paths.home))
    inbox_job = dg.define_asset_job(
        INBOX_JOB,
        selection=dg.AssetSelection.assets(inbox_asset).downstream(),
        description="New inbox files: load them, rebuild what depends on them, run the checks.",
    )
    return dg.Definitions(
        assets=[inbox_asset],
        asset_checks=[build_held_out_check(configured_domains(config))],
        jobs=[inbox_job],
        sensors=[
            build_inbox_sensor(
                paths.inbox, paths.warehouse, inbox_job, config.settings.inbox_settle_seconds
            )
        ],
    )
