"""The GA4 Data API client as a Dagster resource, pointing at Google or at a local emulator."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg
from google.analytics.data_v1beta import BetaAnalyticsDataClient

from ingest.sources.ga4.api import DEFAULT_TIMEOUT, make_client
from orchestration.resources import HttpSettings, env_var, http_settings


class Ga4Resource(dg.ConfigurableResource):
    """GA4 Data API access. `endpoint` (LINKOKR_GA4_ENDPOINT) sends plain HTTP to that base URL
    without credentials (the emulators); otherwise `credentials_path`
    (GOOGLE_APPLICATION_CREDENTIALS) is a service-account JSON file. Timeouts and retries are
    every API client's (`LINKOKR_HTTP_*`)."""

    endpoint: str | None = None
    credentials_path: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Ga4Resource:
        """Each setting as an `EnvVar` when its variable is set, else None."""
        return cls(
            endpoint=env_var("LINKOKR_GA4_ENDPOINT", env),
            credentials_path=env_var("GOOGLE_APPLICATION_CREDENTIALS", env),
        )

    @property
    def is_configured(self) -> bool:
        return bool(self.endpoint or self.credentials_path)

    def get_client(self) -> BetaAnalyticsDataClient:
        return make_client(self.endpoint, self.credentials_path)

    def http(self) -> HttpSettings:
        settings = http_settings()
        return HttpSettings(retry=settings.retry, timeout=settings.timeout or DEFAULT_TIMEOUT)
