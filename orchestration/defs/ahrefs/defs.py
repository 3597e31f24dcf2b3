"""The ahrefs folder's definitions: the backlinks and Domain Rating assets, their checks and the
Ahrefs API."""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.ahrefs.assets import build_ahrefs_assets
from orchestration.defs.ahrefs.checks import build_ahrefs_checks
from orchestration.defs.ahrefs.resources import AhrefsResource


def build_defs(config: LinkokrConfig) -> dg.Definitions:
    return dg.Definitions(
        assets=build_ahrefs_assets(config),
        asset_checks=build_ahrefs_checks(config),
        resources={"ahrefs": AhrefsResource.from_env()},
    )
