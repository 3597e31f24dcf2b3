"""Ahrefs checks: the backlinks pulls and Domain Rating days that could not be pulled."""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.ahrefs.assets import (
    BACKLINKS,
    BACKLINKS_SOURCE,
    DOMAIN_RATING_SOURCE,
    DOMAIN_RATINGS,
)
from orchestration.defs.pulls import failed_pulls_check, site_targets


def build_ahrefs_checks(config: LinkokrConfig) -> list[dg.AssetChecksDefinition]:
    """ERRORs naming each site or competitor whose latest backlinks pull failed
    (`ahrefs_failed_pulls`) and each site-day of Domain Rating that still fails
    (`ahrefs_domain_rating_failed_pulls`)."""
    own, competitors = site_targets(config)
    return [
        failed_pulls_check(
            name="ahrefs_failed_pulls",
            asset_key=BACKLINKS,
            source=BACKLINKS_SOURCE,
            subjects=own + competitors,
            per_day=False,
            resource_key="ahrefs",
            is_configured=lambda ahrefs: bool(ahrefs.api_key),
        ),
        failed_pulls_check(
            name="ahrefs_domain_rating_failed_pulls",
            asset_key=DOMAIN_RATINGS,
            source=DOMAIN_RATING_SOURCE,
            subjects=own,
            per_day=True,
            resource_key="ahrefs",
            is_configured=lambda ahrefs: bool(ahrefs.api_key),
        ),
    ]
