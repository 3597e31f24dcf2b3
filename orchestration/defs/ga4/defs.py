"""The ga4 folder's definitions: the GA4 traffic asset, its checks and the GA4 Data API."""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.ga4.assets import build_ga4_asset
from orchestration.defs.ga4.checks import build_ga4_checks
from orchestration.defs.ga4.resources import Ga4Resource
from orchestration.defs.not_configured import not_pulled


def build_defs(config: LinkokrConfig) -> dg.Definitions:
    ga4 = Ga4Resource.from_env()
    assets = [build_ga4_asset(config)]
    if not ga4.is_configured:
        reason = "GA4 is not configured (LINKOKR_GA4_ENDPOINT or GOOGLE_APPLICATION_CREDENTIALS)"
    elif not any(site.ga4_property_id for site in config.sites):
        reason = "GA4: no site in linkokr.yml has a ga4_property_id"
    else:
        return dg.Definitions(
            assets=assets, asset_checks=build_ga4_checks(config), resources={"ga4": ga4}
        )
    return dg.Definitions(assets=not_pulled(assets, reason), resources={"ga4": ga4})
