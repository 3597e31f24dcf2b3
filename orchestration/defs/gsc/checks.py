"""Search Console checks: the site-days that could not be pulled."""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.gsc.assets import SEARCH_ANALYTICS, SOURCE
from orchestration.defs.pulls import failed_pulls_check


def build_gsc_checks(config: LinkokrConfig) -> list[dg.AssetChecksDefinition]:
    """`gsc_failed_pulls`: ERROR naming each site-day that still fails after retries."""
    return [
        failed_pulls_check(
            name="gsc_failed_pulls",
            asset_key=SEARCH_ANALYTICS,
            source=SOURCE,
            subjects=[s.domain for s in config.sites if s.gsc_site_url],
            per_day=True,
            resource_key="gsc",
            is_configured=lambda gsc: gsc.is_configured,
        )
    ]
