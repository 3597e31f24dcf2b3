"""Search Console API emulator: `searchAnalytics/query`, plus an OAuth token endpoint.

Behaves like the real API where the pipeline depends on it: any subset of the dimensions
`date`, `query`, `page` in any order (rows aggregated over the others: clicks and
impressions summed, ctr = clicks / impressions, position weighted by impressions),
`startDate`/`endDate`, `rowLimit` (≤ 25,000) and `startRow` paging, rows ordered by clicks
then keys, `rows` left out of an empty answer, Google JSON errors (403 for a site the
account cannot see). `dataState: final` (the API's default) leaves out the newest
`FRESH_DAYS` days of a site's data, which only `dataState: all` returns — as Google does
while those days are still being collected.

`POST /token` mints bearer tokens for the OAuth JWT grant google-auth sends for a service
account, so a client with a (generated) key can run its whole token flow on loopback; point
the key's `token_uri` at `<emulator>/token`. Requests without Authorization are served (the
pipeline talks to the emulator without credentials); a bearer token the emulator did not
issue is refused with 401, as Google refuses an expired one.

Data: `gsc/<site file>.csv` per property (`site_file_name`), header
`date,query,page,clicks,impressions,ctr,position`, one row per day, query and page. Each
file is loaded into an in-process DuckDB table on first use, and again when it changes.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import secrets
import threading
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

import duckdb

from demo.emulators.server import Request, Response, retry_after_headers

log = logging.getLogger(__name__)

PREFIX = "/webmasters/v3/"
TOKEN_PATH = "/token"
MAX_ROW_LIMIT = 25_000
DEFAULT_ROW_LIMIT = 1_000
FRESH_DAYS = 3
TOKEN_LIFETIME = 3600
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ACCEPTED_SCOPES = (
    "https://www.googleapis.com/auth/webmasters.readonly",
    "https://www.googleapis.com/auth/webmasters",
)
# API dimension -> SQL over the `analytics` table; constants chosen by name, never request text.
DIMENSIONS = {"date": "strftime(d, '%Y-%m-%d')", "query": "query", "page": "page"}
# Dimensions the real API knows but the demo data does not hold.
OTHER_DIMENSIONS = ("country", "device", "searchAppearance", "hour")
SEARCH_TYPES = ("web", "image", "video", "news", "discover", "googleNews")
DATA_STATES = ("all", "final")
AGGREGATION_TYPES = ("auto", "byPage", "byProperty", "byNewsShowcasePanel")
GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

_QUERY = re.compile(r"^/webmasters/v3/sites/([^/]+)/searchAnalytics/query$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")

_LOAD_SQL = """
insert into analytics
select
    ? as site_url,
    cast(trim("date") as date) as d,
    "query" as query,
    "page" as page,
    coalesce(try_cast(nullif(trim(clicks), '') as double), 0) as clicks,
    coalesce(try_cast(nullif(trim(impressions), '') as double), 0) as impressions,
    try_cast(nullif(trim("position"), '') as double) as position,
from read_csv(?, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
"""


def site_file_name(site_url: str) -> str:
    """The data file of a Search Console property: every character outside `[A-Za-z0-9._-]`
    becomes `_` (`sc-domain:acme-outdoor.com` -> `sc-domain_acme-outdoor.com.csv`)."""
    return _UNSAFE.sub("_", site_url) + ".csv"


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class GscEmulator:
    name = "gsc"

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._con = duckdb.connect()
        self._con.execute(
            """
            create table analytics (
                site_url varchar, d date, query varchar, page varchar,
                clicks double, impressions double, position double
            )
            """
        )
        self._loaded: dict[str, tuple[float, int] | None] = {}
        self._last_day: dict[str, date | None] = {}
        # token -> scopes it was granted; and how many API requests each token authorized.
        self.issued_tokens: dict[str, tuple[str, ...]] = {}
        self.bearer_requests: Counter[str] = Counter()

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def revoke_tokens(self) -> None:
        """Forget every issued token: the next request with one gets 401, as after expiry."""
        with self._lock:
            self.issued_tokens.clear()

    # routing ---------------------------------------------------------------------------
    def matches(self, method: str, path: str) -> bool:
        return path.startswith(PREFIX) or path == TOKEN_PATH

    def handle(self, request: Request) -> Response:
        if request.path == TOKEN_PATH:
            return self.token(request)
        try:
            self._authorize(request)
            match = _QUERY.match(request.path)
            if not match:
                raise ApiError(404, f"Method not found: {request.method} {request.path}")
            if request.method != "POST":
                raise ApiError(405, f"Method {request.method} is not allowed.")
            try:
                body = request.json()
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise ApiError(400, f"Invalid JSON payload received. {exc}") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Invalid JSON payload received. Expected an object.")
            return Response.json(200, self.query(unquote(match.group(1)), body))
        except ApiError as exc:
            return self.error(exc.status, exc.message)

    def error(self, status: int, message: str, retry_after: float | None = None) -> Response:
        payload = {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"message": message, "domain": "global", "reason": _reason(status)}],
                "status": GOOGLE_STATUS.get(status, "UNKNOWN"),
            }
        }
        return Response.json(status, payload, retry_after_headers(retry_after))

    # auth ------------------------------------------------------------------------------
    def token(self, request: Request) -> Response:
        """OAuth 2.0 token endpoint for the JWT bearer grant (RFC 7523) of service accounts.

        The assertion's signature is not checked (the emulator has no public keys); its
        `scope` claim is, so a client asking for the wrong scope fails as it would at Google.
        """
        if request.method != "POST":
            return _oauth_error(405, "invalid_request", "Use POST.")
        form = parse_qs(request.body.decode("utf-8", "replace"))
        grant = (form.get("grant_type") or [""])[0]
        assertion = (form.get("assertion") or [""])[0]
        if grant != JWT_GRANT:
            return _oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")
        claims = _jwt_claims(assertion)
        if claims is None or not claims.get("iss"):
            return _oauth_error(400, "invalid_grant", "Invalid JWT: cannot read the assertion.")
        scopes = tuple(str(claims.get("scope") or "").split())
        if not scopes:
            return _oauth_error(400, "invalid_scope", "Invalid OAuth scope or ID token audience.")
        token = f"ya29.emulator-{secrets.token_hex(16)}"
        with self._lock:
            self.issued_tokens[token] = scopes
        log.info("gsc emulator: issued a token to %s", claims["iss"])
        return Response.json(
            200, {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer"}
        )

    def _authorize(self, request: Request) -> None:
        header = request.headers.get("authorization")
        if header is None:
            return
        scheme, _, token = header.partition(" ")
        token = token.strip()
        with self._lock:
            scopes = self.issued_tokens.get(token) if scheme.lower() == "bearer" else None
            if scopes is not None:
                self.bearer_requests[token] += 1
        if scopes is None:
            raise ApiError(
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 access "
                "token, login cookie or other valid authentication credential.",
            )
        if not set(scopes) & set(ACCEPTED_SCOPES):
            raise ApiError(403, "Request had insufficient authentication scopes.")

    # searchAnalytics.query -------------------------------------------------------------
    def query(self, site_url: str, body: dict[str, Any]) -> dict[str, Any]:
        start = _date_field(body, "startDate")
        end = _date_field(body, "endDate")
        if start > end:
            raise ApiError(400, "startDate must be earlier than or equal to endDate.")
        dimensions = _dimensions(body.get("dimensions"))
        search_type = body.get("type", body.get("searchType", "web"))
        if search_type not in SEARCH_TYPES:
            raise ApiError(400, f"Invalid value for type: {search_type!r}.")
        data_state = body.get("dataState", "final")
        if data_state not in DATA_STATES:
            raise ApiError(400, f"Invalid value for dataState: {data_state!r}.")
        aggregation = body.get("aggregationType", "auto")
        if aggregation not in AGGREGATION_TYPES:
            raise ApiError(400, f"Invalid value for aggregationType: {aggregation!r}.")
        if body.get("dimensionFilterGroups"):
            raise ApiError(400, "The emulator does not support dimensionFilterGroups.")
        row_limit = _int_field(body, "rowLimit", DEFAULT_ROW_LIMIT)
        if not 1 <= row_limit <= MAX_ROW_LIMIT:
            raise ApiError(400, f"rowLimit must be between 1 and {MAX_ROW_LIMIT}.")
        start_row = _int_field(body, "startRow", 0)
        if start_row < 0:
            raise ApiError(400, "startRow must be non-negative.")

        with self._lock:
            self._ensure_loaded(site_url)
            last_day = self._last_day.get(site_url)
            if data_state == "final" and last_day is not None:
                end = min(end, last_day - timedelta(days=FRESH_DAYS))
            rows = []
            if search_type == "web" and start <= end:
                rows = self._rows(site_url, dimensions, start, end, row_limit, start_row)

        response: dict[str, Any] = {}
        if rows:
            response["rows"] = rows
        response["responseAggregationType"] = "byPage" if "page" in dimensions else "byProperty"
        return response

    def _rows(
        self,
        site_url: str,
        dimensions: list[str],
        start: date,
        end: date,
        row_limit: int,
        start_row: int,
    ) -> list[dict[str, Any]]:
        keys = [f"{DIMENSIONS[name]} as k{i}" for i, name in enumerate(dimensions)]
        key_columns = [f"k{i}" for i in range(len(dimensions))]
        sql = f"""
            select
                {"".join(key + ", " for key in keys)}
                sum(clicks) as total_clicks,
                sum(impressions) as total_impressions,
                case when sum(impressions) > 0 then sum(clicks) / sum(impressions) else 0 end
                    as mean_ctr,
                case when sum(impressions) > 0
                    then sum(position * impressions) / sum(impressions)
                    else avg(position) end as mean_position,
            from analytics
            where site_url = ? and d between ? and ?
            {"group by " + ", ".join(key_columns) if key_columns else ""}
            having count(*) > 0
            order by total_clicks desc{"".join(", " + column for column in key_columns)}
            limit ? offset ?
        """
        result = self._con.execute(sql, [site_url, start, end, row_limit, start_row]).fetchall()
        n = len(dimensions)
        rows = []
        for record in result:
            row: dict[str, Any] = {"keys": list(record[:n])} if n else {}
            row.update(zip(("clicks", "impressions", "ctr", "position"), record[n:], strict=True))
            rows.append(row)
        return rows

    # data ------------------------------------------------------------------------------
    def _ensure_loaded(self, site_url: str) -> None:
        path = self.data_dir / site_file_name(site_url)
        stamp = _stamp(path)
        if stamp is None:
            raise ApiError(
                403,
                f"User does not have sufficient permission for site '{site_url}'. See also: "
                "https://support.google.com/webmasters/answer/2451999.",
            )
        if self._loaded.get(site_url) == stamp:
            return
        self._con.execute("begin")
        try:
            self._con.execute("delete from analytics where site_url = ?", [site_url])
            self._con.execute(_LOAD_SQL, [site_url, str(path)])
            last_day = self._con.execute(
                "select max(d) from analytics where site_url = ?", [site_url]
            ).fetchone()
            self._con.execute("commit")
        except Exception:
            self._con.execute("rollback")
            raise
        self._loaded[site_url] = stamp
        self._last_day[site_url] = last_day[0] if last_day else None
        log.info("gsc emulator: loaded %s from %s", site_url, path)


def _dimensions(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(400, "dimensions must be a list.")
    for name in value:
        if name in OTHER_DIMENSIONS:
            raise ApiError(400, f"The emulator holds no data for dimension {name!r}.")
        if name not in DIMENSIONS:
            raise ApiError(400, f"Invalid value for dimensions: {name!r}.")
    if len(set(value)) != len(value):
        raise ApiError(400, "A dimension is requested more than once.")
    return list(value)


def _date_field(body: dict[str, Any], name: str) -> date:
    value = body.get(name)
    if not value:
        raise ApiError(400, f"Required field {name} is missing.")
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ApiError(400, f"{name} must be a date YYYY-MM-DD, got {value!r}.") from None


def _int_field(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool):
        raise ApiError(400, f"{name} must be an integer.")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"{name} must be an integer, got {value!r}.") from None


def _jwt_claims(assertion: str) -> dict[str, Any] | None:
    parts = assertion.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def _oauth_error(status: int, error: str, description: str) -> Response:
    return Response.json(status, {"error": error, "error_description": description})


def _reason(status: int) -> str:
    return {
        400: "badRequest",
        401: "authError",
        403: "forbidden",
        404: "notFound",
        429: "rateLimitExceeded",
        503: "backendError",
    }.get(status, "backendError")


def _stamp(path: Path) -> tuple[float, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime, stat.st_size)
