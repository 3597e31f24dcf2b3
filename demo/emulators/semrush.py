"""Semrush Analytics API emulator: the `backlinks` report of `GET /analytics/v1/`.

Answers as Semrush does: `text/plain`, semicolon-separated, a first line of the requested
column codes, unquoted fields, `first_seen`/`last_seen` as Unix epoch seconds, and errors as
plain text `ERROR NN :: MESSAGE` with HTTP 200. `ERROR 50 :: NOTHING FOUND` answers an
unknown target or an offset past the end. The key `invalid` gets `ERROR 120`, the key
`nounits` `ERROR 132`, so clients can be tested against both.

Data: `backlinks/<target>.csv` per root domain, header = the column codes below, dates as
epoch seconds, booleans `true`/`false`. Loaded into an in-process DuckDB table on first use,
and again when the file changes.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import duckdb

from demo.emulators.server import Request, Response, retry_after_headers
from ingest.domains import host_of, registrable_domain

log = logging.getLogger(__name__)

PATH = "/analytics/v1/"
COLUMNS = (
    "page_ascore",
    "source_title",
    "source_url",
    "target_url",
    "anchor",
    "external_num",
    "internal_num",
    "first_seen",
    "last_seen",
    "nofollow",
    "sponsored",
    "ugc",
    "text",
    "frame",
    "form",
    "image",
    "sitewide",
    "newlink",
    "lostlink",
)
DEFAULT_LIMIT = 10_000
TARGET_TYPES = ("root_domain", "domain", "url")
# Keys the emulator treats specially, so clients can exercise the failure paths.
INVALID_KEY = "invalid"
NO_UNITS_KEY = "nounits"


class SemrushError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SemrushEmulator:
    name = "semrush"

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._con = duckdb.connect()
        columns = ", ".join(f"{column} varchar" for column in COLUMNS)
        self._con.execute(f"create table backlinks (root varchar, row_id bigint, {columns})")
        self._loaded: dict[str, tuple[float, int] | None] = {}

    def close(self) -> None:
        with self._lock:
            self._con.close()

    # routing ---------------------------------------------------------------------------
    def matches(self, method: str, path: str) -> bool:
        return path.rstrip("/") == PATH.rstrip("/")

    def handle(self, request: Request) -> Response:
        try:
            return Response.text(200, self.backlinks(request))
        except SemrushError as exc:
            return Response.text(200, f"ERROR {exc.code} :: {exc.message}")

    def error(self, status: int, message: str, retry_after: float | None = None) -> Response:
        return Response.text(status, message, retry_after_headers(retry_after))

    # backlinks -------------------------------------------------------------------------
    def backlinks(self, request: Request) -> str:
        key = request.param("key", "")
        if not key or key == INVALID_KEY:
            raise SemrushError(120, "WRONG KEY - ID PAIR")
        if key == NO_UNITS_KEY:
            raise SemrushError(132, "API UNITS BALANCE IS ZERO")
        report = request.param("type")
        if report != "backlinks":
            raise SemrushError(40, f"UNKNOWN REPORT TYPE {report}")
        target = (request.param("target") or "").strip()
        if not target:
            raise SemrushError(40, "MANDATORY PARAMETER target NOT SET OR EMPTY")
        target_type = request.param("target_type", "root_domain")
        if target_type not in TARGET_TYPES:
            raise SemrushError(40, f"WRONG target_type {target_type}")
        columns = self._columns(request.param("export_columns"))
        limit = self._int(request, "display_limit", DEFAULT_LIMIT)
        offset = self._int(request, "display_offset", 0)
        if limit < 1:
            raise SemrushError(40, "display_limit MUST BE POSITIVE")

        host = host_of(target)
        root = registrable_domain(host)
        # The target filter mirrors target_type: the whole root domain, one host, or one URL.
        if target_type == "root_domain":
            condition, params = "true", []
        elif target_type == "domain":
            condition = "regexp_replace(lower(target_url), '^[a-z]+://(www\\.)?', '') like ?"
            params = [f"{host}/%"]
        else:
            condition, params = "target_url = ?", [target]
        selected = ", ".join(
            f"regexp_replace(replace(coalesce({column}, ''), ';', ','), '[\\r\\n]+', ' ', 'g')"
            for column in columns
        )
        with self._lock:
            self._ensure_loaded(root)
            rows = self._con.execute(
                f"select {selected} from backlinks where root = ? and {condition} "
                "order by row_id limit ? offset ?",
                [root, *params, limit, offset],
            ).fetchall()
        if not rows:
            raise SemrushError(50, "NOTHING FOUND")
        lines = [";".join(columns), *(";".join(row) for row in rows)]
        return "\r\n".join(lines) + "\r\n"

    @staticmethod
    def _columns(value: str | None) -> list[str]:
        if not value:
            return list(COLUMNS)
        columns = [c.strip() for c in value.split(",") if c.strip()]
        unknown = [c for c in columns if c not in COLUMNS]
        if unknown:
            raise SemrushError(40, f"WRONG COLUMN NAME {unknown[0]}")
        return columns

    @staticmethod
    def _int(request: Request, name: str, default: int) -> int:
        value = request.param(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise SemrushError(40, f"WRONG VALUE FOR {name}") from None
        if number < 0:
            raise SemrushError(40, f"WRONG VALUE FOR {name}")
        return number

    def _ensure_loaded(self, root: str) -> None:
        path = self.data_dir / "backlinks" / f"{root}.csv"
        stamp = _stamp(path)
        if root in self._loaded and self._loaded[root] == stamp:
            return
        self._con.execute("begin")
        try:
            self._con.execute("delete from backlinks where root = ?", [root])
            if stamp is not None:
                # A file may hold only some of the columns; the rest answer empty.
                header = self._con.execute(
                    "select column_name from (describe select * from "
                    "read_csv(?, header = true, all_varchar = true))",
                    [str(path)],
                ).fetchall()
                present = {name for (name,) in header}
                select = ", ".join(
                    f'"{column}"' if column in present else f"null as {column}"
                    for column in COLUMNS
                )
                self._con.execute(
                    f"insert into backlinks select ? as root, row_number() over () as row_id, "
                    f"{select} from read_csv(?, header = true, all_varchar = true)",
                    [root, str(path)],
                )
            self._con.execute("commit")
        except Exception:
            self._con.execute("rollback")
            raise
        self._loaded[root] = stamp
        log.info("semrush emulator: loaded backlinks for %s from %s", root, path)


def _stamp(path: Path) -> tuple[float, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime, stat.st_size)
