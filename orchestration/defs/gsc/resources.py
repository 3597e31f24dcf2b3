"""Google Search Console API access as a Dagster resource:
https://developers.google.com/webmaster-tools/v1/searchanalytics/query"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from ingest.sources.gsc.api import GscClient
from orchestration.resources import env_var, http_settings


class GscResource(dg.ConfigurableResource):
    """Search Console API. `endpoint` (LINKOKR_GSC_ENDPOINT) sends plain HTTP to that base URL
    without credentials (the emulators); otherwise `credentials_path`
    (GOOGLE_APPLICATION_CREDENTIALS) is a service-account JSON file with access to the sites.
    Timeouts and retries are every API client's (`LINKOKR_HTTP_*`)."""

    endpoint: str | None = None
    credentials_path: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GscResource:
        """Each setting as an `EnvVar` when its variable is set, else None."""
        return cls(
            endpoint=env_var("LINKOKR_GSC_ENDPOINT", env),
            credentials_path=env_var("GOOGLE_APPLICATION_CREDENTIALS", env),
        )

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
