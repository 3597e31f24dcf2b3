"""The GA4 Data API client as a Dagster resource, pointing at Google or at a local emulator."""

from __future__ import annotations

from google.analytics.data_v1beta import BetaAnalyticsDataClient

from ingest.sources.ga4.api import DEFAULT_TIMEOUT, make_client
from orchestration.resources import GoogleApiResource, HttpSettings, http_settings


class Ga4Resource(GoogleApiResource):
    """GA4 Data API access (the `google-analytics-data` client), at Google or an emulator."""

    ENDPOINT_VARIABLE = "LINKOKR_GA4_ENDPOINT"

    def get_client(self) -> BetaAnalyticsDataClient:
        return make_client(self.endpoint, self.credentials_path)

    def http(self) -> HttpSettings:
        settings = http_settings()
        return HttpSettings(retry=settings.retry, timeout=settings.timeout or DEFAULT_TIMEOUT)
