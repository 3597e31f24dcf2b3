"""GA4 traffic pull: one property-day through the Data API `RunReport`, written idempotently.

`fetch_day` pages a single-day report (dimensions date × host × landing page × channel) with
`limit`/`offset` and either returns the whole day or raises: a partition is never loaded half.
Every request goes through the one retry policy of all API clients (`ingest.http.RetryPolicy`):
quota and server errors (429, 5xx) in whatever body shape, connection resets and read timeouts
are retried. `write_day` replaces that property-day in `raw.ga4_traffic` and its response
metadata in `ops.ga4_report_metadata` in one transaction.

The client always talks REST (also to Google), so the loopback emulator (`demo.emulators`)
stands in for Google on the same code path, and a stalled answer ends in a read timeout.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import requests
import urllib3
from google.analytics.data_v1beta import BetaAnalyticsDataClient
from google.analytics.data_v1beta.types import (
    DateRange,
    Dimension,
    Metric,
    MetricType,
    RunReportRequest,
    RunReportResponse,
)
from google.api_core import exceptions as google_exceptions
from google.api_core.client_options import ClientOptions
from google.auth import exceptions as auth_exceptions

from ingest.http import (
    DEFAULT_POLICY,
    RETRY_STATUSES,
    RetryPolicy,
    Transient,
    describe_error,
    google_retry_delay,
    redact_url,
    retry_after_seconds,
)
from ingest.warehouse import transaction

log = logging.getLogger(__name__)

# What requests, urllib3 and google-auth raise under the REST transport when a connection is
# refused, reset (ConnectionResetError(104)), cut short or stalls past the read timeout.
_TRANSPORT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    urllib3.exceptions.ProtocolError,
    urllib3.exceptions.TimeoutError,
    auth_exceptions.TransportError,
    ConnectionError,
    TimeoutError,
)

SCOPES = ("https://www.googleapis.com/auth/analytics.readonly",)
DIMENSIONS = ("date", "hostName", "landingPagePlusQueryString", "sessionDefaultChannelGroup")
METRICS = ("sessions", "engagedSessions", "keyEvents", "transactions", "purchaseRevenue")
# API name -> column name in `Ga4Day.columns` and `raw.ga4_traffic`.
COLUMNS = {
    "date": "date",
    "hostName": "host_name",
    "landingPagePlusQueryString": "landing_page_plus_query_string",
    "sessionDefaultChannelGroup": "session_default_channel_group",
    "sessions": "sessions",
    "engagedSessions": "engaged_sessions",
    "keyEvents": "key_events",
    "transactions": "transactions",
    "purchaseRevenue": "purchase_revenue",
}
MAX_PAGE_SIZE = 250_000
DEFAULT_TIMEOUT = 60.0

RAW_TABLE_DDL = """
create table if not exists raw.ga4_traffic (
    property_id varchar,
    date date,
    host_name varchar,
    landing_page_plus_query_string varchar,
    session_default_channel_group varchar,
    sessions bigint,
    engaged_sessions bigint,
    key_events double,
    transactions bigint,
    purchase_revenue double,
    _source varchar,
    _file varchar,
    _row_number bigint,
    _loaded_at timestamp,
)
"""
METADATA_TABLE_DDL = """
create table if not exists ops.ga4_report_metadata (
    property_id varchar,
    date date,
    subject_to_thresholding boolean,
    data_loss_from_other_row boolean,
    is_sampled boolean,
    samples_read_count bigint,
    sampling_space_size bigint,
    time_zone varchar,
    currency_code varchar,
    tokens_per_day_remaining bigint,
    pulled_at timestamp,
)
"""


@dataclass
class Ga4Metadata:
    subject_to_thresholding: bool = False
    data_loss_from_other_row: bool = False
    is_sampled: bool = False
    samples_read_count: int | None = None
    sampling_space_size: int | None = None
    time_zone: str | None = None
    currency_code: str | None = None
    tokens_per_day_remaining: int | None = None


@dataclass
class Ga4Day:
    """One property-day: columns named as in `raw.ga4_traffic`, one list per column."""

    columns: dict[str, list[Any]] = field(
        default_factory=lambda: {column: [] for column in COLUMNS.values()}
    )
    requests: int = 0
    metadata: Ga4Metadata = field(default_factory=Ga4Metadata)

    @property
    def row_count(self) -> int:
        return len(self.columns["date"])


def make_client(
    endpoint: str | None, credentials_path: str | None = None
) -> BetaAnalyticsDataClient:
    """A Data API client over REST: against `endpoint` (e.g. the emulator) or Google with a
    service account.

    With an endpoint, the REST transport takes its scheme from the URL, so a plain
    `http://127.0.0.1:PORT` works, and anonymous credentials keep google-auth from looking
    for real ones.
    """
    if endpoint:
        from google.auth.credentials import AnonymousCredentials

        client = BetaAnalyticsDataClient(
            credentials=AnonymousCredentials(),
            transport="rest",
            client_options=ClientOptions(api_endpoint=endpoint.rstrip("/")),
        )
    elif credentials_path:
        from google.oauth2 import service_account

        credentials = service_account.Credentials.from_service_account_file(
            credentials_path, scopes=list(SCOPES)
        )
        client = BetaAnalyticsDataClient(credentials=credentials, transport="rest")
    else:
        # google-auth finds GOOGLE_APPLICATION_CREDENTIALS (or other application defaults).
        client = BetaAnalyticsDataClient(transport="rest")
    _read_every_error_body(client)
    return client


def _read_every_error_body(client: BetaAnalyticsDataClient) -> None:
    """Make an error response whose body is not Google's JSON (a proxy's plain-text 429, an HTML
    503, an empty body) raise the google.api_core exception of its status, as Google's own
    errors do. Left to the client, such a body raises whatever its parser trips on (an
    AttributeError for `{"error": "..."}`), and the status that says "retry" is lost.

    The REST transport's requests session is the only place that sees the raw response; it is
    an attribute the transport declares, not an argument, hence the underscore.
    """
    session = getattr(client.transport, "_session", None)
    if session is not None:
        session.hooks["response"].append(_raise_unless_google_error)


def _raise_unless_google_error(response: Any, *args: Any, **kwargs: Any) -> None:
    if response.status_code < 400:
        return
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if _is_google_error(payload):
        return
    body = " ".join((response.text or "").split())[:200] or "(empty body)"
    message = (
        f"HTTP {response.status_code} {response.reason or ''} for {response.request.method} "
        f"{redact_url(response.request.url)}: {body}"
    )
    raise google_exceptions.from_http_status(response.status_code, message, response=response)


def _is_google_error(payload: Any) -> bool:
    """`{"error": {"code", "message", "status", "details": [{...}]}}`, as api_core parses it."""
    if not isinstance(payload, dict) or not isinstance(payload.get("error"), dict):
        return False
    details = payload["error"].get("details", [])
    return isinstance(details, list) and all(isinstance(d, dict) for d in details)


def transient(error: BaseException | None, _result: Any = None) -> Transient | None:
    """The retry policy's view of what the GA4 client raises: quota and server errors (429,
    5xx: `ResourceExhausted`/`TooManyRequests`, `ServiceUnavailable`, ...) and what requests and
    urllib3 raise when a connection is refused, reset or times out."""
    if error is None:
        return None
    if isinstance(error, google_exceptions.GoogleAPICallError):
        if error.code in RETRY_STATUSES:
            return Transient(f"HTTP {error.code} {type(error).__name__}", _retry_after(error))
        return None
    if isinstance(error, _TRANSPORT_ERRORS):
        return Transient(describe_error(error))
    return None


def _retry_after(error: google_exceptions.GoogleAPICallError) -> float | None:
    """Seconds the server asked to wait: Retry-After, else a google.rpc.RetryInfo detail."""
    response = getattr(error, "response", None)
    if response is not None and hasattr(response, "headers"):
        asked = retry_after_seconds(response)
        if asked is not None:
            return asked
    return google_retry_delay(list(error.details or ()))


def fetch_day(
    client: BetaAnalyticsDataClient,
    property_id: str,
    day: date,
    *,
    page_size: int = 100_000,
    retry: RetryPolicy | None = None,
    max_attempts: int | None = None,
    sleep: Callable[[float], None] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Ga4Day:
    """Every row of `property_id`'s report for `day`, or an exception: never part of a day.

    Each request runs under `retry` (default: `ingest.http.DEFAULT_POLICY`; `max_attempts` and
    `sleep` override its fields) and waits at most `timeout` seconds to connect and between
    bytes of the answer."""
    policy = (retry or DEFAULT_POLICY).but(max_attempts=max_attempts, sleep=sleep)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    result = Ga4Day()
    offset = 0
    row_count: int | None = None
    page_number = 0
    while row_count is None or offset < row_count:
        page_number += 1
        request = RunReportRequest(
            property=f"properties/{property_id}",
            date_ranges=[DateRange(start_date=day.isoformat(), end_date=day.isoformat())],
            dimensions=[Dimension(name=name) for name in DIMENSIONS],
            metrics=[Metric(name=name) for name in METRICS],
            limit=page_size,
            offset=offset,
            return_property_quota=True,
        )
        response = _run_report(
            client,
            request,
            result,
            policy,
            timeout,
            what=f"GA4 property {property_id} {day} page {page_number}",
        )
        page = RunReportResponse.pb(response)
        row_count = page.row_count
        received = _append_page(result, page, day)
        _merge_metadata(result.metadata, page)
        offset += received
        log.debug(
            "GA4 property %s %s: %d/%d rows after %d request(s)",
            property_id,
            day,
            offset,
            row_count,
            result.requests,
        )
        if received == 0 and offset < row_count:
            # The report shrank between pages; stopping here would silently load part of a day.
            raise RuntimeError(
                f"GA4 property {property_id} {day}: empty page at offset {offset} "
                f"of {row_count} rows"
            )
    return result


def _run_report(
    client: BetaAnalyticsDataClient,
    request: RunReportRequest,
    result: Ga4Day,
    policy: RetryPolicy,
    timeout: float,
    *,
    what: str,
) -> Any:
    def attempt() -> Any:
        result.requests += 1
        # The client's own retry is off: the shared policy alone decides (and counts) retries.
        return client.run_report(request=request, retry=None, timeout=timeout)

    return policy.call(attempt, what=what, classify=transient)


def _append_page(result: Ga4Day, page: Any, day: date) -> int:
    dimension_columns = [COLUMNS[header.name] for header in page.dimension_headers]
    metric_columns = [
        (COLUMNS[header.name], int if header.type_ == MetricType.TYPE_INTEGER else float)
        for header in page.metric_headers
    ]
    columns = result.columns
    for row in page.rows:
        for column, value in zip(dimension_columns, row.dimension_values, strict=True):
            text = value.value
            if column == "date":
                # One day was asked for; an `(other)` bucket may not carry a real date.
                columns[column].append(
                    datetime.strptime(text, "%Y%m%d").date() if text.isdigit() else day
                )
            else:
                columns[column].append(text)
        for (column, cast), value in zip(metric_columns, row.metric_values, strict=True):
            columns[column].append(cast(value.value or 0))
    return len(page.rows)


def _merge_metadata(metadata: Ga4Metadata, page: Any) -> None:
    meta = page.metadata
    metadata.subject_to_thresholding |= meta.subject_to_thresholding
    metadata.data_loss_from_other_row |= meta.data_loss_from_other_row
    if meta.sampling_metadatas:
        metadata.is_sampled = True
        metadata.samples_read_count = sum(s.samples_read_count for s in meta.sampling_metadatas)
        metadata.sampling_space_size = sum(s.sampling_space_size for s in meta.sampling_metadatas)
    metadata.time_zone = meta.time_zone or metadata.time_zone
    metadata.currency_code = meta.currency_code or metadata.currency_code
    if page.HasField("property_quota"):
        metadata.tokens_per_day_remaining = page.property_quota.tokens_per_day.remaining


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create `raw.ga4_traffic` and `ops.ga4_report_metadata` (empty) if they do not exist."""
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists ops")
    con.execute(RAW_TABLE_DDL)
    con.execute(METADATA_TABLE_DDL)


def write_day(
    con: duckdb.DuckDBPyConnection,
    property_id: str,
    day: date,
    result: Ga4Day,
    *,
    source_label: str,
) -> int:
    """Replace `property_id`'s `day` in `raw.ga4_traffic` and `ops.ga4_report_metadata`."""
    columns = result.columns
    n = result.row_count
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    request_label = f"runReport properties/{property_id} {day.isoformat()}"
    meta = result.metadata
    with transaction(con):
        ensure_tables(con)
        con.execute(
            "delete from raw.ga4_traffic where property_id = ? and date = ?", [property_id, day]
        )
        if n:
            con.execute(
                """
                insert into raw.ga4_traffic
                select
                    ? as property_id,
                    unnest(?::date[]) as date,
                    unnest(?::varchar[]) as host_name,
                    unnest(?::varchar[]) as landing_page_plus_query_string,
                    unnest(?::varchar[]) as session_default_channel_group,
                    unnest(?::bigint[]) as sessions,
                    unnest(?::bigint[]) as engaged_sessions,
                    unnest(?::double[]) as key_events,
                    unnest(?::bigint[]) as transactions,
                    unnest(?::double[]) as purchase_revenue,
                    ? as _source,
                    ? as _file,
                    unnest(range(1, ? + 1)) as _row_number,
                    ? as _loaded_at,
                """,
                [
                    property_id,
                    columns["date"],
                    columns["host_name"],
                    columns["landing_page_plus_query_string"],
                    columns["session_default_channel_group"],
                    columns["sessions"],
                    columns["engaged_sessions"],
                    columns["key_events"],
                    columns["transactions"],
                    columns["purchase_revenue"],
                    source_label,
                    request_label,
                    n,
                    loaded_at,
                ],
            )
        con.execute(
            "delete from ops.ga4_report_metadata where property_id = ? and date = ?",
            [property_id, day],
        )
        con.execute(
            """
            insert into ops.ga4_report_metadata (
                property_id, date, subject_to_thresholding, data_loss_from_other_row, is_sampled,
                samples_read_count, sampling_space_size, time_zone, currency_code,
                tokens_per_day_remaining, pulled_at
            ) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                property_id,
                day,
                meta.subject_to_thresholding,
                meta.data_loss_from_other_row,
                meta.is_sampled,
                meta.samples_read_count,
                meta.sampling_space_size,
                meta.time_zone,
                meta.currency_code,
                meta.tokens_per_day_remaining,
                loaded_at,
            ],
        )
    log.debug("GA4 property %s %s: wrote %d rows", property_id, day, n)
    return n
