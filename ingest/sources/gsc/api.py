"""Google Search Console API pulls: one site-day of Search Analytics, written idempotently.

`GscClient.fetch_day` asks `searchAnalytics/query` for one day by date × query × page,
paging with `startRow` until a page comes back shorter than `rowLimit`, and returns the
whole day or raises: a day is never loaded half. `write_day` replaces that site-day in
`raw.gsc_search_analytics` in one transaction. Search Console revises its last ~3 days
(`dataState: all` includes fresh, incomplete data), so callers re-read them on every run.

Auth is an OAuth bearer token minted from a service-account key by google-auth. Against an
endpoint without a key (the loopback emulator) requests go out with no Authorization header.
Docs: https://developers.google.com/webmaster-tools/v1/searchanalytics/query
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator, Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

import duckdb
import httpx

from ingest.http import ApiClient, RetryPolicy
from ingest.warehouse import transaction

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://searchconsole.googleapis.com"
SCOPES = ("https://www.googleapis.com/auth/webmasters.readonly",)
DIMENSIONS = ("date", "query", "page")
SEARCH_TYPE = "web"
DATA_STATE = "all"
MAX_ROW_LIMIT = 25_000
SOURCE = "gsc_api"
TABLE = "raw.gsc_search_analytics"

RAW_TABLE_DDL = f"""
create table if not exists {TABLE} (
    site varchar,
    site_url varchar,
    date date,
    query varchar,
    page varchar,
    clicks double,
    impressions double,
    ctr double,
    position double,
    _source varchar,
    _file varchar,
    _file_sha256 varchar,
    _row_number bigint,
    _loaded_at timestamp,
    _snapshot_date date,
    _site varchar,
)
"""


class GscError(RuntimeError):
    """Search Console refused a request, kept failing, or answered something unusable."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class GscAuthError(GscError):
    """No access token: the service-account key is missing or Google's token endpoint refused
    it, or the API answered 401 with a fresh token."""


def query_path(site_url: str) -> str:
    """The Search Analytics path of `site_url`; the property's URL is one encoded segment
    (`sc-domain%3Aexample.com`, `https%3A%2F%2Fwww.example.com%2F`)."""
    return f"/webmasters/v3/sites/{quote(site_url, safe='')}/searchAnalytics/query"


def request_label(site_url: str, day: date) -> str:
    """What a pull asked for, stored as `_file` (no credentials in it)."""
    return (
        f"POST {query_path(site_url)} {day.isoformat()} dimensions={','.join(DIMENSIONS)} "
        f"type={SEARCH_TYPE} dataState={DATA_STATE}"
    )


class GscClient(ApiClient):
    """One Search Console API connection: base URL, timeout and credentials set once.

    Credentials: the service-account JSON at `credentials_path` when given (also against a
    custom base URL, so tests can exercise the token flow); else none when `base_url` is
    given (the emulator speaks plain HTTP without auth); else Google's application default
    credentials (`GOOGLE_APPLICATION_CREDENTIALS`).
    """

    default_base_url = DEFAULT_BASE_URL

    def __init__(
        self,
        base_url: str | None,
        credentials_path: str | None,
        *,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        max_attempts: int | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._auth: _GoogleAuth | None = None
        if credentials_path:
            self._auth = _GoogleAuth(_service_account_credentials(credentials_path))
        elif not base_url:
            self._auth = _GoogleAuth(_default_credentials())
        super().__init__(
            base_url,
            timeout=timeout,
            retry=retry,
            max_attempts=max_attempts,
            sleep=sleep,
            headers={"Accept": "application/json"},
            auth=self._auth,
        )

    def close(self) -> None:
        super().close()
        if self._auth is not None:
            self._auth.close()

    def fetch_day(
        self, site_url: str, day: date, *, row_limit: int = MAX_ROW_LIMIT
    ) -> list[dict[str, Any]]:
        """Every (query, page) row of `site_url` on `day`, as dicts keyed like the raw table's
        columns (`date` a `date`, metrics floats, `ctr` 0..1). Raises `GscError` (401:
        `GscAuthError`) rather than return part of the day."""
        if not 1 <= row_limit <= MAX_ROW_LIMIT:
            raise ValueError(f"row_limit must be between 1 and {MAX_ROW_LIMIT}")
        path = query_path(site_url)
        rows: list[dict[str, Any]] = []
        number = 0
        previous_first: list[Any] | None = None
        while True:
            body = {
                "startDate": day.isoformat(),
                "endDate": day.isoformat(),
                "dimensions": list(DIMENSIONS),
                "type": SEARCH_TYPE,
                "rowLimit": row_limit,
                "startRow": len(rows),
                "dataState": DATA_STATE,
            }
            number += 1
            page = self._query(site_url, day, path, body, number=number)
            if page and len(rows) and page[0].get("keys") == previous_first:
                # An API that ignores startRow would otherwise be paged forever.
                raise GscError(
                    f"Search Console {site_url} {day}: the API returned the same page twice; "
                    "it ignored startRow"
                )
            rows.extend(_row(site_url, day, raw) for raw in page)
            log.debug(
                "Search Console %s %s: %d rows after %d request(s)",
                site_url,
                day,
                len(rows),
                self.requests,
            )
            if len(page) < row_limit:
                return rows
            previous_first = page[0].get("keys")

    def _query(
        self, site_url: str, day: date, path: str, body: dict[str, Any], *, number: int
    ) -> list[dict[str, Any]]:
        what = f"Search Console {site_url} {day}"
        before = self.requests
        try:
            response = self._send("POST", path, what=f"{what} page {number}", json=body)
        except _TokenError as exc:
            raise GscAuthError(f"{what}: could not get an access token: {exc}") from exc
        except httpx.TransportError as exc:
            raise GscError(
                f"{what}: no answer after {self.requests - before} attempts: {exc!r}"
            ) from exc
        if not response.is_success:
            status, message = _google_error(response)
            error = GscAuthError if response.status_code == 401 else GscError
            raise error(
                f"{what}: HTTP {response.status_code} {status}: {message}",
                status=response.status_code,
            )
        try:
            payload = response.json()
        except ValueError:
            raise GscError(f"{what}: the response is not JSON") from None
        if not isinstance(payload, dict):
            raise GscError(f"{what}: expected a JSON object")
        rows = payload.get("rows", [])
        if not isinstance(rows, list):
            raise GscError(f"{what}: `rows` is not a list")
        return rows


def _row(site_url: str, day: date, raw: Any) -> dict[str, Any]:
    keys = raw.get("keys") if isinstance(raw, dict) else None
    if not isinstance(keys, list) or len(keys) != len(DIMENSIONS):
        raise GscError(
            f"Search Console {site_url} {day}: a row without keys for {', '.join(DIMENSIONS)}"
        )
    row_date, query, page = keys
    if row_date != day.isoformat():
        raise GscError(
            f"Search Console {site_url} {day}: a row dated {row_date!r} in a one-day request"
        )
    return {
        "date": day,
        "query": query,
        "page": page,
        "clicks": float(raw.get("clicks") or 0),
        "impressions": float(raw.get("impressions") or 0),
        "ctr": float(raw.get("ctr") or 0),
        "position": None if raw.get("position") is None else float(raw["position"]),
    }


def _google_error(response: httpx.Response) -> tuple[str, str]:
    """(status name, message) of a Google JSON error, or the reason phrase and body text."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict) and error.get("message"):
        return str(error.get("status") or response.reason_phrase), str(error["message"])
    return response.reason_phrase, response.text[:300]


# auth ------------------------------------------------------------------------------------
class _TokenError(Exception):
    """google-auth could not mint a token; raised inside the httpx auth flow."""


def _service_account_credentials(path: str) -> Any:
    from google.oauth2 import service_account

    try:
        return service_account.Credentials.from_service_account_file(path, scopes=list(SCOPES))
    except (OSError, ValueError) as exc:
        raise GscAuthError(f"Cannot read the service-account key {path}: {exc}") from exc


def _default_credentials() -> Any:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, _ = google.auth.default(scopes=list(SCOPES))
    except DefaultCredentialsError as exc:
        raise GscAuthError(f"No Google credentials for Search Console: {exc}") from exc
    return credentials


class _GoogleAuth(httpx.Auth):
    """Bearer token from google-auth credentials, refreshed when it expires and once more when
    the API answers 401 (a token revoked before its expiry), as google-auth's own sessions do."""

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials
        self._lock = threading.Lock()
        self._token_transport: Any = None

    def close(self) -> None:
        if self._token_transport is not None:
            self._token_transport.session.close()
            self._token_transport = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._apply(request, force_refresh=False)
        response = yield request
        if response.status_code == 401:
            self._apply(request, force_refresh=True)
            yield request

    def _apply(self, request: httpx.Request, *, force_refresh: bool) -> None:
        from google.auth.exceptions import GoogleAuthError
        from google.auth.transport.requests import Request as TokenTransport

        with self._lock:
            if force_refresh or not self._credentials.valid:
                if self._token_transport is None:
                    self._token_transport = TokenTransport()
                try:
                    self._credentials.refresh(self._token_transport)
                except GoogleAuthError as exc:
                    raise _TokenError(str(exc)) from exc
            headers: dict[str, str] = {}
            self._credentials.apply(headers)
        request.headers.update(headers)


# writer ----------------------------------------------------------------------------------
def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create `raw.gsc_search_analytics` (empty) if it does not exist."""
    con.execute("create schema if not exists raw")
    con.execute(RAW_TABLE_DDL)


def write_day(
    con: duckdb.DuckDBPyConnection,
    *,
    site: str,
    site_url: str,
    day: date,
    rows: Sequence[dict[str, Any]],
    pull_id: str,
) -> int:
    """Replace `site`'s `day` in `raw.gsc_search_analytics` with `rows` (from `fetch_day`).

    Delete and insert run in one transaction, so re-running a day (the lookback re-reads
    the last days every run) leaves one copy, and an empty day clears what was there.
    """
    stray = {str(row["date"]) for row in rows} - {day.isoformat()}
    if stray:
        raise ValueError(f"rows for {sorted(stray)} passed as Search Console day {day}")
    columns = {
        name: [row[name] for row in rows]
        for name in ("query", "page", "clicks", "impressions", "ctr", "position")
    }
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    with transaction(con):
        ensure_table(con)
        con.execute(f"delete from {TABLE} where site = ? and date = ?", [site, day])
        if rows:
            con.execute(
                f"""
                insert into {TABLE}
                select
                    ? as site,
                    ? as site_url,
                    ? as date,
                    unnest(?::varchar[]) as query,
                    unnest(?::varchar[]) as page,
                    unnest(?::double[]) as clicks,
                    unnest(?::double[]) as impressions,
                    unnest(?::double[]) as ctr,
                    unnest(?::double[]) as position,
                    ? as _source,
                    ? as _file,
                    ? as _file_sha256,
                    unnest(range(1, ? + 1)) as _row_number,
                    ? as _loaded_at,
                    ? as _snapshot_date,
                    ? as _site,
                """,
                [
                    site,
                    site_url,
                    day,
                    columns["query"],
                    columns["page"],
                    columns["clicks"],
                    columns["impressions"],
                    columns["ctr"],
                    columns["position"],
                    SOURCE,
                    request_label(site_url, day),
                    pull_id,
                    len(rows),
                    loaded_at,
                    day,
                    site,
                ],
            )
    log.debug("Search Console %s (%s) %s: wrote %d rows", site, site_url, day, len(rows))
    return len(rows)
