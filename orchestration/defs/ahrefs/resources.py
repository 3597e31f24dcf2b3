"""Ahrefs API v3 access as a Dagster resource: https://docs.ahrefs.com/docs/api/reference"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from ingest.sources.ahrefs.api import AhrefsClient
from orchestration.resources import env_var, http_settings


class AhrefsResource(dg.ConfigurableResource):
    """Ahrefs API v3. `api_key` comes from AHREFS_API_KEY (an `EnvVar`, never in the config file);
    `endpoint` (LINKOKR_AHREFS_ENDPOINT) points the client at another host, e.g. the emulator.
    API units cost money, so each backlinks pull stops at `max_rows_per_pull` (and says so).
    Timeouts and retries are every API client's (`LINKOKR_HTTP_*`)."""

    api_key: str | None = None
    endpoint: str | None = None
    max_rows_per_pull: int = 200_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AhrefsResource:
        """Each setting as an `EnvVar` when its variable is set, else None."""
        return cls(
            api_key=env_var("AHREFS_API_KEY", env),
            endpoint=env_var("LINKOKR_AHREFS_ENDPOINT", env),
        )

    def get_client(self) -> AhrefsClient:
        return AhrefsClient(self.endpoint, self.api_key or "", **http_settings().client_options())
