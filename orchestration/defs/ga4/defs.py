"""The ga4 folder's definitions: the GA4 traffic asset, its checks and the GA4 Data API."""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.ga4.assets import build_ga4_asset
from orchestration.defs.ga4.checks import build_ga4_checks
from orchestration.defs.ga4.resources import Ga4Resource


def build_defs(config: LinkokrConfig) -> dg.Definitions:
    return dg.Definitions(
        assets=[build_ga4_asset(config)],
        asset_checks=build_ga4_checks(config),
        resources={"ga4": Ga4Resource.from_env()},
    )
