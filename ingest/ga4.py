"""GA4 traffic pull: one property-day through the Data API `RunReport`, written idempotently.

`fetch_day` pages a single-day report (dimensions date × host × landing page × channel) with
`limit`/`offset`, retrying quota and availability errors, and either returns the whole day
or raises: a partition is never loaded half. `write_day` replaces that property-day in
`raw.ga4_traffic` and its response metadata in `ops.ga4_report_metadata` in one transaction.
The client talks REST, so the loopback emulator (`ingest.emulators`) can stand in for Google.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb
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

log = logging.getLogger(__name__)

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
MAX_RETRY_WAIT = 60.0
RETRYABLE = (google_exceptions.TooManyRequests, google_exceptions.ServiceUnavailable)

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
    """A Data API client: against `endpoint` (e.g. the emulator) or Google with a service account.

    With an endpoint, the REST transport takes its scheme from the URL, so a plain
    `http://127.0.0.1:PORT` works, and anonymous credentials keep google-auth from looking
    for real ones.
    """
    if endpoint:
        from google.auth.credentials import AnonymousCredentials

        return BetaAnalyticsDataClient(
            credentials=AnonymousCredentials(),
            transport="rest",
            client_options=ClientOptions(api_endpoint=endpoint.rstrip("/")),
        )
    if credentials_path:
        from google.oauth2 import service_account

        credentials = service_account.Credentials.from_service_account_file(
            credentials_path, scopes=list(SCOPES)
        )
        return BetaAnalyticsDataClient(credentials=credentials)
    # google-auth finds GOOGLE_APPLICATION_CREDENTIALS (or other application defaults) itself.
    return BetaAnalyticsDataClient()


def fetch_day(
    client: BetaAnalyticsDataClient,
    property_id: str,
    day: date,
    *,
    page_size: int = 100_000,
    max_attempts: int = 6,
    sleep: Callable[[float], None] = time.sleep,
) -> Ga4Day:
    """Every row of `property_id`'s report for `day`, or an exception: never part of a day."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    result = Ga4Day()
    offset = 0
    row_count: int | None = None
    while row_count is None or offset < row_count:
        request = RunReportRequest(
            property=f"properties/{property_id}",
            date_ranges=[DateRange(start_date=day.isoformat(), end_date=day.isoformat())],
            dimensions=[Dimension(name=name) for name in DIMENSIONS],
            metrics=[Metric(name=name) for name in METRICS],
            limit=page_size,
            offset=offset,
            return_property_quota=True,
        )
        response = _run_with_retries(client, request, result, max_attempts, sleep)
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


def _run_with_retries(
    client: BetaAnalyticsDataClient,
    request: RunReportRequest,
    result: Ga4Day,
    max_attempts: int,
    sleep: Callable[[float], None],
) -> Any:
    for attempt in range(1, max_attempts + 1):
        result.requests += 1
        try:
            # The client's own retry is off so that this loop alone decides (and counts) retries.
            return client.run_report(request=request, retry=None)
        except RETRYABLE as exc:
            if attempt == max_attempts:
                log.error("%s: giving up after %d attempts: %s", request.property, attempt, exc)
                raise
            wait = min(MAX_RETRY_WAIT, _retry_after(exc) or 2.0 ** (attempt - 1))
            log.warning(
                "%s: %s (attempt %d/%d); retrying in %.1fs",
                request.property,
                exc.__class__.__name__,
                attempt,
                max_attempts,
                wait,
            )
            sleep(wait)
    raise ValueError("max_attempts must be at least 1")


def _retry_after(exc: google_exceptions.GoogleAPICallError) -> float | None:
    """Seconds the server asked us to wait: the Retry-After header, else a google.rpc.RetryInfo."""
    response = getattr(exc, "response", None)
    header = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(header)
            if parsed is not None:
                return max(0.0, (parsed - datetime.now(parsed.tzinfo or UTC)).total_seconds())
    for detail in exc.details or ():
        if isinstance(detail, dict) and str(detail.get("retryDelay", "")).endswith("s"):
            try:
                return max(0.0, float(detail["retryDelay"][:-1]))
            except ValueError:
                continue
    return None


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
    con.execute("begin transaction")
    try:
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
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    log.debug("GA4 property %s %s: wrote %d rows", property_id, day, n)
    return n
