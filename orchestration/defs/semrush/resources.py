"""Semrush Analytics API access as a Dagster resource:
https://developer.semrush.com/api/v3/analytics/backlinks/"""

import dagster as dg

from ingest.sources.semrush.api import SemrushClient
from orchestration.resources import http_settings


class SemrushResource(dg.ConfigurableResource):
    """Semrush Analytics API. `api_key` comes from SEMRUSH_API_KEY (an `EnvVar`); `endpoint`
    (LINKOKR_SEMRUSH_ENDPOINT) points the client at another host, e.g. the emulator. Timeouts and
    retries are every API client's (`LINKOKR_HTTP_*`)."""

    api_key: str | None = None
    endpoint: str | None = None
    max_rows_per_pull: int = 200_000

    def get_client(self) -> SemrushClient:
        return SemrushClient(self.endpoint, self.api_key or "", **http_settings().client_options())
