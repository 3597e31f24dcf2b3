"""The okrs folder's checks: one per key result, and the backlink snapshots' freshness. (The
alerts asset is wired in `orchestration.definitions`.)"""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.okrs.checks import build_key_result_checks
from orchestration.defs.okrs.freshness import backlink_snapshots_fresh


def build_defs(config: LinkokrConfig) -> dg.Definitions:
    return dg.Definitions(asset_checks=[*build_key_result_checks(config), backlink_snapshots_fresh])
