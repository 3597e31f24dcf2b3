"""Google Search Console API access as a Dagster resource:
https://developers.google.com/webmaster-tools/v1/searchanalytics/query"""

from __future__ import annotations

from ingest.sources.gsc.api import GscClient
from orchestration.resources import GoogleApiResource, http_settings


class GscResource(GoogleApiResource):
    """Search Console API access with a service account with access to the sites, or an
    emulator."""

    ENDPOINT_VARIABLE = "LINKOKR_GSC_ENDPOINT"

    def get_client(self) -> GscClient:
        # an emulator endpoint never gets the service account's token
        return GscClient(
            self.endpoint,
            None if self.endpoint else self.credentials_path,
            **http_settings().client_options(),
        )
