"""The semrush folder's definitions: the Semrush backlinks asset, its check and the Semrush API."""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.not_configured import not_pulled
from orchestration.defs.semrush.assets import build_semrush_asset
from orchestration.defs.semrush.checks import build_semrush_checks
from orchestration.defs.semrush.resources import SemrushResource


def build_defs(config: LinkokrConfig) -> dg.Definitions:
    semrush = SemrushResource.from_env()
    assets = [build_semrush_asset(config)]
    if not semrush.api_key:
        reason = "the Semrush API is not configured (SEMRUSH_API_KEY is not set)"
        return dg.Definitions(assets=not_pulled(assets, reason), resources={"semrush": semrush})
    return dg.Definitions(
        assets=assets, asset_checks=build_semrush_checks(config), resources={"semrush": semrush}
    )
