"""Google Search Console API access as a Dagster resource:
https://developers.google.com/webmaster-tools/v1/searchanalytics/query"""

import dagster as dg

from ingest.sources.gsc.api import GscClient
from orchestration.resources import http_settings


class GscResource(dg.ConfigurableResource):
    """Search Console API. `endpoint` (LINKOKR_GSC_ENDPOINT) sends plain HTTP to that base URL
    without credentials (the emulators); otherwise `credentials_path`
    (GOOGLE_APPLICATION_CREDENTIALS) is a service-account JSON file with access to the sites.
    Timeouts and retries are every API client's (`LINKOKR_HTTP_*`)."""

    endpoint: str | None = None
    credentials_path: str | None = None

    @property
    def is_configured(self) -> bool:
        return bool(self.endpoint or self.credentials_path)

    def get_client(self) -> GscClient:
        # an emulator endpoint never gets the service account's token
        return GscClient(
            self.endpoint,
            None if self.endpoint else self.credentials_path,
            **http_settings().client_options(),
        )
