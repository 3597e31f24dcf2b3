"""The gsc folder's definitions: the Search Console asset, its check and the Search Console API."""

import dagster as dg

from ingest.config import LinkokrConfig
from orchestration.defs.gsc.assets import build_gsc_asset
from orchestration.defs.gsc.checks import build_gsc_checks
from orchestration.defs.gsc.resources import GscResource
from orchestration.defs.not_configured import not_pulled


def build_defs(config: LinkokrConfig) -> dg.Definitions:
    gsc = GscResource.from_env()
    assets = [build_gsc_asset(config)]
    if not gsc.is_configured:
        reason = (
            "Search Console is not configured "
            "(LINKOKR_GSC_ENDPOINT or GOOGLE_APPLICATION_CREDENTIALS)"
        )
    elif not any(site.gsc_site_url for site in config.sites):
        reason = "Search Console: no site in linkokr.yml has a gsc_site_url"
    else:
        return dg.Definitions(
            assets=assets, asset_checks=build_gsc_checks(config), resources={"gsc": gsc}
        )
    return dg.Definitions(assets=not_pulled(assets, reason), resources={"gsc": gsc})
