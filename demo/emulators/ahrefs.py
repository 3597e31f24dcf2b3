"""Ahrefs API v3 emulator: `site-explorer/all-backlinks` and `domain-rating-history`.

Behaves like v3 where the pipeline depends on it: bearer auth with JSON errors
(`{"error": "..."}`), `select` returning only the chosen fields, `order_by`, `limit`, and a
`where` filter in v3's JSON syntax (`and`/`or`/`not` of `{"field": f, "is": [op, value]}`).
There is no offset: a client pages by keyset, so demo data with many identical
`first_seen_link` values catches a client that pages by timestamp alone.

Data: `backlinks/<target>.csv` (header = v3 field names, ISO datetimes, `true`/`false`,
empty = null) and `domain_rating/<target>.csv` (`date,domain_rating`). Each file is loaded
into an in-process DuckDB table on first use, and again when it changes.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from demo.emulators.server import Request, Response, retry_after_headers

log = logging.getLogger(__name__)

PREFIX = "/v3/site-explorer/"
MAX_LIMIT = 100_000
DEFAULT_LIMIT = 1_000
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# v3 field -> DuckDB type in the emulator's table. Timestamps are real timestamps, so `where`
# compares them as times and not as text.
FIELDS: dict[str, str] = {
    "url_from": "varchar",
    "url_to": "varchar",
    "title": "varchar",
    "anchor": "varchar",
    "domain_rating_source": "double",
    "url_rating_source": "double",
    "is_dofollow": "boolean",
    "is_nofollow": "boolean",
    "is_ugc": "boolean",
    "is_sponsored": "boolean",
    "is_content": "boolean",
    "is_spam": "boolean",
    "first_seen_link": "timestamp",
    "last_visited": "timestamp",
    "last_seen": "timestamp",
}
OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
MODES = ("exact", "prefix", "domain", "subdomains")
_HISTORY_SINCE = re.compile(r"^since:(\d{4}-\d{2}-\d{2})$")


def _field_sql(field: str) -> str:
    kind = FIELDS[field]
    if kind == "timestamp":
        # The API speaks whole seconds; keeping more would make a keyset value lossy.
        return f"date_trunc('second', try_cast(nullif(trim({field}), '') as timestamp)) as {field}"
    if kind == "boolean":
        return f"try_cast(nullif(lower(trim({field})), '') as boolean) as {field}"
    if kind == "double":
        return f"try_cast(nullif(trim({field}), '') as double) as {field}"
    return f"nullif({field}, '') as {field}"


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class AhrefsEmulator:
    name = "ahrefs"

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._con = duckdb.connect()
        columns = ", ".join(f"{field} {kind}" for field, kind in FIELDS.items())
        self._con.execute(f"create table backlinks (target varchar, {columns})")
        self._con.execute(
            "create table domain_ratings (target varchar, d date, domain_rating double)"
        )
        self._loaded: dict[tuple[str, str], tuple[float, int] | None] = {}

    def close(self) -> None:
        with self._lock:
            self._con.close()

    # routing ---------------------------------------------------------------------------
    def matches(self, method: str, path: str) -> bool:
        return path.startswith(PREFIX)

    def handle(self, request: Request) -> Response:
        try:
            self._authorize(request)
            if request.method != "GET":
                raise ApiError(405, f"Method {request.method} is not allowed.")
            endpoint = request.path[len(PREFIX) :].rstrip("/")
            if endpoint == "all-backlinks":
                return Response.json(200, {"backlinks": self.all_backlinks(request)})
            if endpoint == "domain-rating-history":
                return Response.json(200, {"domain_ratings": self.domain_rating_history(request)})
            raise ApiError(404, f"Unknown endpoint: {request.path}")
        except ApiError as exc:
            return self.error(exc.status, exc.message)

    def error(self, status: int, message: str, retry_after: float | None = None) -> Response:
        return Response.json(status, {"error": message}, retry_after_headers(retry_after))

    @staticmethod
    def _authorize(request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiError(401, "Unauthorized: send your API key as 'Authorization: Bearer <key>'.")
        if key.strip() == "invalid":
            raise ApiError(403, "Forbidden: this API key has no access to the API.")

    # all-backlinks ---------------------------------------------------------------------
    def all_backlinks(self, request: Request) -> list[dict[str, Any]]:
        target = _target(request)
        select = _select(request.param("select"))
        output = request.param("output", "json")
        if output != "json":
            raise ApiError(400, f"The emulator only serves output=json, not {output!r}.")
        mode = request.param("mode", "subdomains")
        if mode not in MODES:
            raise ApiError(400, f"Invalid mode {mode!r}; expected one of {', '.join(MODES)}.")
        limit = _int_param(request, "limit", DEFAULT_LIMIT)
        if not 1 <= limit <= MAX_LIMIT:
            raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}.")
        if request.param("offset") is not None:
            raise ApiError(400, "Unknown parameter: offset. Page with `where` and `order_by`.")

        conditions = ["target = ?"]
        params: list[Any] = [target]
        history_sql, history_params = _history(request.param("history", "all_time"))
        conditions.append(history_sql)
        params += history_params
        where = request.param("where")
        if where:
            try:
                tree = json.loads(where)
            except json.JSONDecodeError as exc:
                raise ApiError(400, f"Invalid `where`: not JSON ({exc}).") from None
            conditions.append(_condition(tree, params))
        order = _order_by(request.param("order_by"))
        columns = ", ".join(
            f"strftime({f}, '{TIMESTAMP_FORMAT}')" if FIELDS[f] == "timestamp" else f
            for f in select
        )
        sql = (
            f"select {columns} from backlinks where {' and '.join(conditions)} "
            f"order by {order} limit {limit}"
        )
        with self._lock:
            self._ensure_loaded("backlinks", target)
            try:
                rows = self._con.execute(sql, params).fetchall()
            except duckdb.ConversionException as exc:
                raise ApiError(400, f"Invalid value in `where`: {exc}") from None
        return [dict(zip(select, row, strict=True)) for row in rows]

    # domain-rating-history -------------------------------------------------------------
    def domain_rating_history(self, request: Request) -> list[dict[str, Any]]:
        target = _target(request)
        date_from = _date_param(request, "date_from", required=True)
        date_to = _date_param(request, "date_to", required=False) or date.max
        if date_from > date_to:
            raise ApiError(400, "date_from must not be after date_to.")
        with self._lock:
            self._ensure_loaded("domain_rating", target)
            rows = self._con.execute(
                "select strftime(d, '%Y-%m-%d'), domain_rating from domain_ratings "
                "where target = ? and d between ? and ? order by d",
                [target, date_from, date_to],
            ).fetchall()
        return [{"date": d, "domain_rating": dr} for d, dr in rows]

    # data ------------------------------------------------------------------------------
    def _ensure_loaded(self, kind: str, target: str) -> None:
        path = self.data_dir / kind / f"{target}.csv"
        stamp = _stamp(path)
        if (kind, target) in self._loaded and self._loaded[(kind, target)] == stamp:
            return
        table = "backlinks" if kind == "backlinks" else "domain_ratings"
        self._con.execute("begin")
        try:
            self._con.execute(f"delete from {table} where target = ?", [target])
            if stamp is not None:
                if kind == "backlinks":
                    select = ", ".join(_field_sql(f) for f in FIELDS)
                    self._con.execute(
                        f"insert into backlinks select ? as target, {select} "
                        "from read_csv(?, header = true, all_varchar = true)",
                        [target, str(path)],
                    )
                else:
                    self._con.execute(
                        "insert into domain_ratings select ? as target, "
                        'cast(trim("date") as date) as d, '
                        "try_cast(trim(domain_rating) as double) as domain_rating "
                        "from read_csv(?, header = true, all_varchar = true)",
                        [target, str(path)],
                    )
            self._con.execute("commit")
        except Exception:
            self._con.execute("rollback")
            raise
        self._loaded[(kind, target)] = stamp
        log.info("ahrefs emulator: loaded %s for %s from %s", kind, target, path)


def _target(request: Request) -> str:
    target = (request.param("target") or "").strip().lower()
    if not target:
        raise ApiError(400, "Missing required parameter: target.")
    # v3 accepts a domain or a URL; the data is filed by domain.
    target = re.sub(r"^[a-z][a-z0-9+.-]*://", "", target).split("/", 1)[0]
    return target.removeprefix("www.")


def _select(value: str | None) -> list[str]:
    if not value:
        raise ApiError(400, "Missing required parameter: select.")
    fields = [f.strip() for f in value.split(",") if f.strip()]
    for field in fields:
        if field not in FIELDS:
            raise ApiError(400, f"Unknown field in select: {field!r}.")
    if len(set(fields)) != len(fields):
        raise ApiError(400, "A field is selected more than once.")
    return fields


def _order_by(value: str | None) -> str:
    if not value:
        return "url_from asc, url_to asc"
    terms = []
    for term in value.split(","):
        field, _, direction = term.strip().partition(":")
        direction = (direction or "asc").lower()
        if field not in FIELDS or direction not in ("asc", "desc"):
            raise ApiError(400, f"Invalid order_by term: {term.strip()!r}.")
        terms.append(f"{field} {direction} nulls last")
    return ", ".join(terms)


def _history(value: str) -> tuple[str, list[Any]]:
    if value == "all_time":
        return "true", []
    if value == "live":
        return "last_seen is null", []
    if match := _HISTORY_SINCE.match(value):
        since = _parse_date(match.group(1), "history")
        return "(last_seen is null or last_seen >= ?)", [since]
    raise ApiError(400, f"Invalid history {value!r}; expected live, since:YYYY-MM-DD or all_time.")


def _condition(node: Any, params: list[Any]) -> str:
    """SQL for one node of a v3 `where` tree; values are appended to `params`, never inlined."""
    if not isinstance(node, dict) or not node:
        raise ApiError(400, f"Invalid `where` node: {json.dumps(node)[:200]}.")
    if "and" in node or "or" in node:
        joiner = "and" if "and" in node else "or"
        children = node[joiner]
        if not isinstance(children, list) or not children:
            raise ApiError(400, f"`{joiner}` needs a non-empty list of conditions.")
        return "(" + f" {joiner} ".join(_condition(child, params) for child in children) + ")"
    if "not" in node:
        return f"(not coalesce({_condition(node['not'], params)}, false))"
    field = node.get("field")
    test = node.get("is")
    if field not in FIELDS:
        raise ApiError(400, f"Unknown field in `where`: {field!r}.")
    if not isinstance(test, list) or len(test) != 2 or test[0] not in OPERATORS:
        raise ApiError(
            400, f"Invalid `is` for {field}: expected [op, value] with op in {list(OPERATORS)}."
        )
    operator, value = test
    params.append(value)
    # The comparison is made in the field's own type: timestamps as times, ratings as numbers.
    return f"({field} {OPERATORS[operator]} cast(? as {FIELDS[field]}))"


def _int_param(request: Request, name: str, default: int) -> int:
    value = request.param(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer, got {value!r}.") from None


def _date_param(request: Request, name: str, *, required: bool) -> date | None:
    value = request.param(name)
    if not value:
        if required:
            raise ApiError(400, f"Missing required parameter: {name}.")
        return None
    return _parse_date(value, name)


def _parse_date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"{name} must be a date YYYY-MM-DD, got {value!r}.") from None


def _stamp(path: Path) -> tuple[float, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime, stat.st_size)
