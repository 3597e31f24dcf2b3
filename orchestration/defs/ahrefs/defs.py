"""The ahrefs folder's definitions: the backlinks and Domain Rating assets, their checks and the
Ahrefs API."""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.ahrefs.assets import build_ahrefs_assets
from orchestration.defs.ahrefs.checks import build_ahrefs_checks
from orchestration.defs.ahrefs.resources import AhrefsResource
from orchestration.defs.not_configured import not_pulled


def build_defs(config: LinkokrConfig) -> dg.Definitions:
    ahrefs = AhrefsResource.from_env()
    assets = build_ahrefs_assets(config)
    if not ahrefs.api_key:
        reason = "the Ahrefs API is not configured (AHREFS_API_KEY is not set)"
        return dg.Definitions(assets=not_pulled(assets, reason), resources={"ahrefs": ahrefs})
    return dg.Definitions(
        assets=assets, asset_checks=build_ahrefs_checks(config), resources={"ahrefs": ahrefs}
    )
