"""The gsc folder's definitions: the Search Console asset, its check and the Search Console API."""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.gsc.assets import build_gsc_asset
from orchestration.defs.gsc.checks import build_gsc_checks
from orchestration.defs.gsc.resources import GscResource


def build_defs(config: LinkokrConfig) -> dg.Definitions:
    return dg.Definitions(
        assets=[build_gsc_asset(config)],
        asset_checks=build_gsc_checks(config),
        resources={"gsc": GscResource.from_env()},
    )
