"""The okrs folder: one check per key result, the backlink snapshots' freshness, and the alerts
asset with its webhook resource."""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.okrs.alerts import AlertWebhook, key_result_alerts
from orchestration.defs.okrs.checks import build_key_result_checks
from orchestration.defs.okrs.freshness import backlink_snapshots_fresh


def build_defs(config: LinkokrConfig) -> dg.Definitions:
    return dg.Definitions(
        assets=[key_result_alerts],
        asset_checks=[*build_key_result_checks(config), backlink_snapshots_fresh],
        resources={"alert_webhook": AlertWebhook.from_env()},
    )
