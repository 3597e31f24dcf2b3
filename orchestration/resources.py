"""The resources every asset shares, and how API resources take their settings from the
environment.

The warehouse: DuckDB allows one writing process per file (and a reader collides with a writer
too), so every asset and check that opens it runs in the `WAREHOUSE_POOL` concurrency pool, whose
limit linkokr's `dagster.yaml` sets to 1 (`orchestration.instance`): parallel runs and backfills
queue instead of failing.

API keys, endpoints and credential files are `dg.EnvVar`s: Dagster reads them when a run starts,
and their values never reach the definitions, the UI or a log line. One that is not set at load
time is None, and its source is skipped with a log line (an unset `EnvVar` would fail the run).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.http import DEFAULT_POLICY, RetryPolicy

WAREHOUSE_POOL = "linkokr_warehouse"


def warehouse_resource(path: Path) -> DuckDBResource:
    """The warehouse for every asset and check. Memory is capped like dbt's (profiles.yml):
    DuckDB spills to disk beyond `LINKOKR_DUCKDB_MEMORY_LIMIT` instead of growing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return DuckDBResource(
        database=str(path),
        connection_config={"memory_limit": os.environ.get("LINKOKR_DUCKDB_MEMORY_LIMIT", "2GB")},
    )


def env_var(name: str, env: Mapping[str, str] | None = None) -> dg.EnvVar | None:
    """`name` as a Dagster `EnvVar` when it is set (and not empty), else None."""
    env = os.environ if env is None else env
    return dg.EnvVar(name) if env.get(name) else None


class GoogleApiResource(dg.ConfigurableResource):
    """A Google API (GA4, Search Console). `endpoint` (the ENDPOINT_VARIABLE) sends plain
    HTTP to that base URL without credentials (the emulators); otherwise `credentials_path`
    (GOOGLE_APPLICATION_CREDENTIALS) is a service-account JSON file. Timeouts and retries are
    every API client's (`LINKOKR_HTTP_*`)."""

    ENDPOINT_VARIABLE: ClassVar[str]

    endpoint: str | None = None
    credentials_path: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        """Each setting as an `EnvVar` when its variable is set, else None."""
        return cls(
            endpoint=env_var(cls.ENDPOINT_VARIABLE, env),
            credentials_path=env_var("GOOGLE_APPLICATION_CREDENTIALS", env),
        )

    @property
    def is_configured(self) -> bool:
        return bool(self.endpoint or self.credentials_path)


# HTTP: timeouts and the retry policy -----------------------------------------------------------
# Environment variable -> the `RetryPolicy` field it sets (or the request timeout). Read when a
# client is made, never at import time; unset means the default (each client's own timeout).
HTTP_SETTINGS = {
    "LINKOKR_HTTP_TIMEOUT": "timeout",
    "LINKOKR_HTTP_MAX_ATTEMPTS": "max_attempts",
    "LINKOKR_HTTP_MAX_RETRY_SECONDS": "max_elapsed",
    "LINKOKR_HTTP_BACKOFF_SECONDS": "initial_wait",
    "LINKOKR_HTTP_MAX_WAIT_SECONDS": "max_wait",
}


@dataclass(frozen=True)
class HttpSettings:
    """The retry policy every API client uses, and the per-request timeout (None: the client's
    default), from the `LINKOKR_HTTP_*` environment variables."""

    retry: RetryPolicy = DEFAULT_POLICY
    timeout: float | None = None

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for the httpx API clients (`GscClient`, `AhrefsClient`, ...)."""
        return {"retry": self.retry, **({"timeout": self.timeout} if self.timeout else {})}


def http_settings(environ: Mapping[str, str] | None = None) -> HttpSettings:
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, setting in HTTP_SETTINGS.items():
        raw = (env.get(name) or "").strip()
        if not raw:
            continue
        try:
            value = int(raw) if setting == "max_attempts" else float(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r}: expected a number") from None
        if value <= 0 and setting in ("timeout", "max_attempts", "max_elapsed"):
            raise ValueError(f"{name}={raw!r}: expected a number above 0")
        values[setting] = value
    timeout = values.pop("timeout", None)
    try:
        retry = RetryPolicy(**values) if values else DEFAULT_POLICY
    except ValueError as error:
        raise ValueError(f"LINKOKR_HTTP_* settings: {error}") from None
    return HttpSettings(retry=retry, timeout=timeout)
