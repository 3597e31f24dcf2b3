"""Semrush Analytics API access as a Dagster resource:
https://developer.semrush.com/api/v3/analytics/backlinks/"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from ingest.sources.semrush.api import SemrushClient
from orchestration.resources import env_var, http_settings


class SemrushResource(dg.ConfigurableResource):
    """Semrush Analytics API. `api_key` comes from SEMRUSH_API_KEY (an `EnvVar`); `endpoint`
    (LINKOKR_SEMRUSH_ENDPOINT) points the client at another host, e.g. the emulator. Timeouts and
    retries are every API client's (`LINKOKR_HTTP_*`)."""

    api_key: str | None = None
    endpoint: str | None = None
    max_rows_per_pull: int = 200_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SemrushResource:
        """Each setting as an `EnvVar` when its variable is set, else None."""
        return cls(
            api_key=env_var("SEMRUSH_API_KEY", env),
            endpoint=env_var("LINKOKR_SEMRUSH_ENDPOINT", env),
        )

    def get_client(self) -> SemrushClient:
        return SemrushClient(self.endpoint, self.api_key or "", **http_settings().client_options())
