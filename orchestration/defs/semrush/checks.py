"""Semrush checks: the targets whose latest backlinks pull failed."""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.pulls import failed_pulls_check, site_targets
from orchestration.defs.semrush.assets import BACKLINKS, SOURCE


def build_semrush_checks(config: LinkokrConfig) -> list[dg.AssetChecksDefinition]:
    """`semrush_failed_pulls`: ERROR naming each site or competitor whose latest pull failed."""
    own, competitors = site_targets(config)
    return [
        failed_pulls_check(
            name="semrush_failed_pulls",
            asset_key=BACKLINKS,
            source=SOURCE,
            subjects=own + competitors,
            per_day=False,
            resource_key="semrush",
            is_configured=lambda semrush: bool(semrush.api_key),
        )
    ]
