"""The config folder's definitions: `linkokr.yml` written to the warehouse."""

import dagster as dg

from ingest.config import LinkokrConfig
from ingest.settings import Paths
from orchestration.defs.config.assets import build_config_asset


def build_defs(config: LinkokrConfig, paths: Paths) -> dg.Definitions:
    return dg.Definitions(assets=[build_config_asset(config, str(paths.config))])
