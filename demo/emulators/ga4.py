"""GA4 Data API v1beta emulator: `runReport` and `metadata` over REST, as the real client speaks it.

The `google-analytics-data` REST transport posts camelCase JSON to
`/v1beta/properties/{id}:runReport` and parses the answer with protobuf's JSON parser, so
this emulator answers in the same shape: every dimension and metric value a string, int64
fields as strings, proto3 defaults (false, 0, empty lists) omitted, Google JSON errors.

Data: `ga4/properties.json` maps property ids to settings
(`time_zone`, `currency_code`, and the fault-like flags `thresholded`, `other_row`,
`other_row_keep`, `sampled`, `sample_rate`, `tokens_per_day`), and `ga4/<property_id>.csv`
holds one row per date × host × landing page × channel. Each CSV is loaded into an
in-process DuckDB table on first use (and again when the file changes), and every report is
filtered, aggregated, ordered and paged there: demo properties reach a million rows.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from demo.emulators.server import Request, Response, retry_after_headers

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 10_000
MAX_LIMIT = 250_000
OTHER = "(other)"
SCHEMA_URL = "https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema"

# API name -> (SQL expression over the `traffic` table, UI name, category). The expressions are
# constants chosen by API name, never text from a request.
DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "date": ("strftime(d, '%Y%m%d')", "Date", "Time"),
    "hostName": ("host", "Hostname", "Page / screen"),
    "landingPage": ("split_part(lp, '?', 1)", "Landing page", "Page / screen"),
    "landingPagePlusQueryString": ("lp", "Landing page + query string", "Page / screen"),
    "sessionDefaultChannelGroup": ("channel", "Session default channel group", "Traffic source"),
}
# API name -> (SQL aggregate, metric type, UI name, category).
METRICS: dict[str, tuple[str, str, str, str]] = {
    "sessions": ("sum(sessions)", "TYPE_INTEGER", "Sessions", "Session"),
    "engagedSessions": ("sum(engaged)", "TYPE_INTEGER", "Engaged sessions", "Session"),
    "keyEvents": ("sum(key_events)", "TYPE_FLOAT", "Key events", "Event"),
    "transactions": ("sum(transactions)", "TYPE_INTEGER", "Transactions", "Ecommerce"),
    "purchaseRevenue": ("sum(revenue)", "TYPE_CURRENCY", "Purchase revenue", "Ecommerce"),
}

GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

# Standard (non-360) property quotas.
TOKENS_PER_DAY = 200_000
TOKENS_PER_HOUR = 40_000

_RUN_REPORT = re.compile(r"^/v1beta/properties/([^/:]+):runReport$")
_METADATA = re.compile(r"^/v1beta/properties/([^/:]+)/metadata$")
_RELATIVE_DAYS = re.compile(r"^(\d+)daysAgo$")
_UNSUPPORTED = (
    "dimensionFilter",
    "metricFilter",
    "orderBys",
    "metricAggregations",
    "cohortSpec",
    "comparisons",
)

_LOAD_SQL = """
insert into traffic
select
    ? as property_id,
    strptime(trim("date"), '%Y%m%d')::date as d,
    "hostName" as host,
    "landingPagePlusQueryString" as lp,
    "sessionDefaultChannelGroup" as channel,
    coalesce(cast(nullif(trim("sessions"), '') as bigint), 0) as sessions,
    coalesce(cast(nullif(trim("engagedSessions"), '') as bigint), 0) as engaged,
    coalesce(cast(nullif(trim("keyEvents"), '') as double), 0) as key_events,
    coalesce(cast(nullif(trim("transactions"), '') as bigint), 0) as transactions,
    coalesce(cast(nullif(trim("purchaseRevenue"), '') as double), 0) as revenue,
from read_csv(?, header = true, all_varchar = true)
"""


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _Quota:
    day: date
    hour: int
    day_tokens: int = 0
    hour_tokens: int = 0


class Ga4Emulator:
    name = "ga4"

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._con = duckdb.connect()
        self._con.execute(
            """
            create table traffic (
                property_id varchar, d date, host varchar, lp varchar, channel varchar,
                sessions bigint, engaged bigint, key_events double, transactions bigint,
                revenue double
            )
            """
        )
        self._loaded: dict[str, tuple[float, int] | None] = {}
        self._properties: dict[str, dict[str, Any]] = {}
        self._properties_stamp: tuple[float, int] | None = None
        self._quota: dict[str, _Quota] = {}

    def close(self) -> None:
        with self._lock:
            self._con.close()

    # routing -------------------------------------------------------------------------
    def matches(self, method: str, path: str) -> bool:
        return path.startswith("/v1beta/")

    def handle(self, request: Request) -> Response:
        try:
            if (match := _RUN_REPORT.match(request.path)) and request.method == "POST":
                return Response.json(200, self.run_report(match.group(1), request.json()))
            if (match := _METADATA.match(request.path)) and request.method == "GET":
                return Response.json(200, self.metadata(match.group(1)))
            raise ApiError(404, f"Method not found: {request.method} {request.path}")
        except ApiError as exc:
            return self.error(exc.status, exc.message)
        except json.JSONDecodeError as exc:
            return self.error(400, f"Invalid JSON payload received. {exc}")

    def error(self, status: int, message: str, retry_after: float | None = None) -> Response:
        status_name = GOOGLE_STATUS.get(status, "UNKNOWN")
        payload = {"error": {"code": status, "message": message, "status": status_name}}
        return Response.json(status, payload, retry_after_headers(retry_after))

    # properties and data ---------------------------------------------------------------
    def _property(self, property_id: str) -> dict[str, Any]:
        if not property_id.isdigit():
            raise ApiError(400, f"Invalid property ID: {property_id}. A numeric ID is required.")
        path = self.data_dir / "properties.json"
        stamp = _stamp(path)
        if stamp != self._properties_stamp:
            self._properties = json.loads(path.read_text()) if stamp else {}
            self._properties_stamp = stamp
        settings = self._properties.get(property_id)
        if settings is None:
            raise ApiError(
                403,
                "User does not have sufficient permissions for this property. To learn more "
                "about Property ID, see "
                "https://developers.google.com/analytics/devguides/reporting/data/v1/property-id.",
            )
        return settings

    def _ensure_loaded(self, property_id: str) -> None:
        path = self.data_dir / f"{property_id}.csv"
        stamp = _stamp(path)
        if property_id in self._loaded and self._loaded[property_id] == stamp:
            return
        self._con.execute("begin")
        try:
            self._con.execute("delete from traffic where property_id = ?", [property_id])
            if stamp is not None:
                self._con.execute(_LOAD_SQL, [property_id, str(path)])
            self._con.execute("commit")
        except Exception:
            self._con.execute("rollback")
            raise
        self._loaded[property_id] = stamp
        log.info("ga4 emulator: loaded property %s from %s", property_id, path)

    # runReport -------------------------------------------------------------------------
    def run_report(self, property_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            settings = self._property(property_id)
            tz = _zone(settings.get("time_zone", "America/Los_Angeles"))
            query = _parse_report_request(body, tz)
            self._charge_quota(property_id, settings, 0, check_only=True)
            self._ensure_loaded(property_id)
            total, data_loss, space, rows = self._query(property_id, settings, query)
            tokens = 1 + len(rows) // 10_000
            quota = self._charge_quota(property_id, settings, tokens)

        # proto3 JSON omits empty lists and zero values; the client must cope, so do the same.
        response: dict[str, Any] = {}
        if query.dimensions:
            response["dimensionHeaders"] = [{"name": name} for name in query.dimensions]
        if query.metrics:
            response["metricHeaders"] = [
                {"name": name, "type": METRICS[name][1]} for name in query.metrics
            ]
        if rows:
            response["rows"] = [
                {
                    "dimensionValues": [{"value": v} for v in row[: len(query.dimensions)]],
                    "metricValues": [
                        {"value": _metric_string(v, METRICS[name][1])}
                        for name, v in zip(query.metrics, row[len(query.dimensions) :], strict=True)
                    ],
                }
                for row in rows
            ]
        if total:
            response["rowCount"] = total
        metadata: dict[str, Any] = {
            "currencyCode": settings.get("currency_code", "USD"),
            "timeZone": settings.get("time_zone", "America/Los_Angeles"),
            "subjectToThresholding": bool(settings.get("thresholded", False)),
        }
        if data_loss:
            metadata["dataLossFromOtherRow"] = True
        if settings.get("sampled") and space:
            rate = float(settings.get("sample_rate", 0.1))
            metadata["samplingMetadatas"] = [
                {"samplesReadCount": str(math.ceil(space * rate)), "samplingSpaceSize": str(space)}
            ]
        response["metadata"] = metadata
        if query.return_property_quota:
            response["propertyQuota"] = quota
        response["kind"] = "analyticsData#runReport"
        return response

    def _query(
        self, property_id: str, settings: dict[str, Any], query: _ReportQuery
    ) -> tuple[int, bool, int, list[tuple[Any, ...]]]:
        dims = [f"{DIMENSIONS[name][0]} as dim{i}" for i, name in enumerate(query.dimensions)]
        mets = [
            f"coalesce({METRICS[name][0]}, 0) as met{i}" for i, name in enumerate(query.metrics)
        ]
        dim_cols = [f"dim{i}" for i in range(len(query.dimensions))]
        met_cols = [f"met{i}" for i in range(len(query.metrics))]
        date_col = f"dim{query.dimensions.index('date')}" if "date" in query.dimensions else None
        # The (other) row: GA4 rolls low-traffic dimension combinations into one bucket when a
        # table's cardinality is too high; here, every combination ranked below `keep` by
        # sessions (per date when `date` is asked for) is relabelled and re-aggregated.
        keep = int(settings.get("other_row_keep", 10)) if settings.get("other_row") else None
        relabelled = [
            c if c == date_col else f"case when _is_other then '{OTHER}' else {c} end as {c}"
            for c in dim_cols
        ]
        partition = f"partition by {date_col}" if date_col else ""
        rank_order = ", ".join(["_sessions desc", *dim_cols])
        group_all = "group by all" if dim_cols else ""
        sql = f"""
            with source as (
                select * from traffic where property_id = $pid and d between $start and $end
            ),
            grouped as (
                select {", ".join([*dims, *mets, "sum(sessions) as _sessions"])}
                from source {group_all}
                having count(*) > 0
            ),
            ranked as (
                select *, coalesce(
                    row_number() over ({partition} order by {rank_order}) > $keep, false
                ) as _is_other
                from grouped
            ),
            relabelled as (
                select {", ".join([*relabelled, *met_cols, "_is_other"])} from ranked
            ),
            report as (
                select {", ".join([*dim_cols, *[f"sum({c}) as {c}" for c in met_cols]])},
                    bool_or(_is_other) as _is_other
                from relabelled {group_all}
            )
            select * from report
            where $keep_empty or {" or ".join([f"{c} <> 0" for c in met_cols]) or "true"}
        """
        params = {
            "pid": property_id,
            "start": query.start,
            "end": query.end,
            "keep": keep,
            "keep_empty": query.keep_empty_rows,
        }
        total, data_loss = self._con.execute(
            f"select count(*), coalesce(bool_or(_is_other), false) from ({sql})", params
        ).fetchone()
        order = ", ".join([*(f"{c} desc" for c in met_cols[:1]), *dim_cols]) or "1"
        page_columns = ", ".join([*dim_cols, *met_cols]) or "1"
        rows = self._con.execute(
            f"select {page_columns} from ({sql}) order by {order} limit $limit offset $offset",
            {**params, "limit": query.limit, "offset": query.offset},
        ).fetchall()
        space = 0
        if settings.get("sampled"):
            space = self._con.execute(
                "select coalesce(sum(sessions), 0) from traffic "
                "where property_id = ? and d between ? and ?",
                [property_id, query.start, query.end],
            ).fetchone()[0]
        return int(total), bool(data_loss), int(space), rows

    def _charge_quota(
        self, property_id: str, settings: dict[str, Any], tokens: int, *, check_only: bool = False
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        per_day = int(settings.get("tokens_per_day", TOKENS_PER_DAY))
        per_hour = min(per_day, TOKENS_PER_HOUR)
        quota = self._quota.get(property_id)
        if quota is None or quota.day != now.date():
            quota = self._quota[property_id] = _Quota(now.date(), now.hour)
        if quota.hour != now.hour:
            quota.hour, quota.hour_tokens = now.hour, 0
        if quota.day_tokens >= per_day:
            raise ApiError(429, "Exhausted property tokens per day quota.")
        if quota.hour_tokens >= per_hour:
            raise ApiError(429, "Exhausted property tokens per hour quota.")
        if not check_only:
            quota.day_tokens += tokens
            quota.hour_tokens += tokens
        return {
            "tokensPerDay": {
                "consumed": tokens,
                "remaining": max(0, per_day - quota.day_tokens),
            },
            "tokensPerHour": {
                "consumed": tokens,
                "remaining": max(0, per_hour - quota.hour_tokens),
            },
            "concurrentRequests": {"remaining": 10},
            "serverErrorsPerProjectPerHour": {"remaining": 10},
            "potentiallyThresholdedRequestsPerHour": {"remaining": 120},
            "tokensPerProjectPerHour": {
                "consumed": tokens,
                "remaining": max(0, per_hour * 35 // 100 - quota.hour_tokens),
            },
        }

    # metadata --------------------------------------------------------------------------
    def metadata(self, property_id: str) -> dict[str, Any]:
        # Property 0 is the API's way to ask for the dimensions and metrics common to all.
        if property_id != "0":
            with self._lock:
                self._property(property_id)
        return {
            "name": f"properties/{property_id}/metadata",
            "dimensions": [
                {"apiName": name, "uiName": ui, "description": ui, "category": category}
                for name, (_, ui, category) in DIMENSIONS.items()
            ],
            "metrics": [
                {
                    "apiName": name,
                    "uiName": ui,
                    "description": ui,
                    "type": metric_type,
                    "category": category,
                }
                for name, (_, metric_type, ui, category) in METRICS.items()
            ],
        }


@dataclass(frozen=True)
class _ReportQuery:
    dimensions: list[str]
    metrics: list[str]
    start: date
    end: date
    limit: int
    offset: int
    keep_empty_rows: bool
    return_property_quota: bool


def _parse_report_request(body: dict[str, Any], tz: ZoneInfo) -> _ReportQuery:
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid JSON payload received. Expected an object.")
    for feature in _UNSUPPORTED:
        if body.get(feature):
            raise ApiError(400, f"The linkokr GA4 emulator does not support `{feature}`.")
    dimensions = [str(d.get("name", "")) for d in body.get("dimensions", [])]
    metrics = [str(m.get("name", "")) for m in body.get("metrics", [])]
    for name in dimensions:
        if name not in DIMENSIONS:
            raise ApiError(
                400,
                f"Field {name} is not a valid dimension. For a list of valid dimensions and "
                f"metrics, see {SCHEMA_URL} ",
            )
    for name in metrics:
        if name not in METRICS:
            raise ApiError(
                400,
                f"Field {name} is not a valid metric. For a list of valid dimensions and "
                f"metrics, see {SCHEMA_URL} ",
            )
    if not metrics and not dimensions:
        raise ApiError(400, "At least one dimension or metric must be requested.")
    if len(set(dimensions)) < len(dimensions) or len(set(metrics)) < len(metrics):
        raise ApiError(400, "A dimension or metric is requested more than once.")
    ranges = body.get("dateRanges") or []
    if len(ranges) != 1:
        raise ApiError(400, "The linkokr GA4 emulator supports exactly one date range.")
    today = datetime.now(tz).date()
    start = _parse_date(ranges[0].get("startDate", ""), today)
    end = _parse_date(ranges[0].get("endDate", ""), today)
    if start > end:
        raise ApiError(400, "The date range's start date must not be after its end date.")
    limit = _parse_int(body.get("limit", 0), "limit") or DEFAULT_LIMIT
    offset = _parse_int(body.get("offset", 0), "offset")
    return _ReportQuery(
        dimensions=dimensions,
        metrics=metrics,
        start=start,
        end=end,
        # The API quietly returns at most 250,000 rows whatever the limit asked for.
        limit=min(limit, MAX_LIMIT),
        offset=offset,
        keep_empty_rows=bool(body.get("keepEmptyRows", False)),
        return_property_quota=bool(body.get("returnPropertyQuota", False)),
    )


def _parse_date(value: str, today: date) -> date:
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    if match := _RELATIVE_DAYS.match(value):
        return today - timedelta(days=int(match.group(1)))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(
            400, f"Invalid date: {value!r}. Use YYYY-MM-DD, NdaysAgo, yesterday or today."
        ) from None


def _parse_int(value: Any, field: str) -> int:
    # int64 fields arrive as JSON strings from the protobuf serializer; accept numbers too.
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid value for {field}: {value!r}.") from None
    if number < 0:
        raise ApiError(400, f"{field} must be non-negative, got {number}.")
    return number


def _metric_string(value: Any, metric_type: str) -> str:
    if metric_type == "TYPE_INTEGER":
        return str(int(value))
    number = round(float(value), 6)
    return str(int(number)) if number.is_integer() else repr(number)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ApiError(500, f"The emulator's property time zone {name!r} is unknown.") from None


def _stamp(path: Path) -> tuple[float, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime, stat.st_size)
