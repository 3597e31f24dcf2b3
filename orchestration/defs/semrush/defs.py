"""The semrush folder's definitions: the Semrush backlinks asset, its check and the Semrush API."""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.semrush.assets import build_semrush_asset
from orchestration.defs.semrush.checks import build_semrush_checks
from orchestration.defs.semrush.resources import SemrushResource


def build_defs(config: LinkokrConfig) -> dg.Definitions:
    return dg.Definitions(
        assets=[build_semrush_asset(config)],
        asset_checks=build_semrush_checks(config),
        resources={"semrush": SemrushResource.from_env()},
    )
