"""Semrush Analytics API pulls: a root domain's backlinks, paged by offset.

The `backlinks` report answers semicolon-separated text (a header line of column codes,
unquoted fields, `first_seen`/`last_seen` as Unix epoch seconds). Errors come as plain text
`ERROR NN :: MESSAGE`, usually with HTTP 200: `ERROR 50 :: NOTHING FOUND` means no (more)
rows, anything else is a failure surfaced with its message. The API key travels in the query
string (`key=`), so it is redacted from every log line and exception.

`write_backlinks` lands a pull in `raw.backlinks_semrush`, the table Semrush export files use,
replacing an earlier pull of the same site and day in one transaction.
Docs: https://developer.semrush.com/api/v3/analytics/backlinks/
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from ingest.api_pulls import write_api_snapshot
from ingest.http import ApiClient, RetryPolicy, raise_for_status, redact_text
from ingest.inbox.formats import SEMRUSH_API

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.semrush.com"
PATH = "/analytics/v1/"
TARGET_TYPE = "root_domain"
# The column codes asked for (`export_columns`), in this order.
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
EPOCH_COLUMNS = ("first_seen", "last_seen")
# Column codes whose raw.backlinks_semrush column (`ingest.sources.semrush.formats`, the export's
# names) is spelled otherwise; the other codes are the raw column's name.
RENAMED = {
    "external_num": "external_links",
    "internal_num": "internal_links",
    "newlink": "new_link",
    "lostlink": "lost_link",
}
# raw.backlinks_semrush column <- Semrush column code.
RAW_COLUMNS = {RENAMED.get(code, code): code for code in COLUMNS}
SOURCE = "semrush"
FORMAT = "semrush_api"
NOTHING_FOUND = 50
_ERROR = re.compile(r"^ERROR\s+(\d+)\s*::\s*(.*)$", re.DOTALL)


class SemrushApiError(RuntimeError):
    """Semrush answered `ERROR NN :: MESSAGE` (other than 50, nothing found)."""

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(message)
        self.code = code


class SemrushClient(ApiClient):
    """One Semrush Analytics API connection: base URL and timeout set once, key per request."""

    default_base_url = DEFAULT_BASE_URL

    def __init__(
        self,
        base_url: str | None,
        api_key: str,
        *,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        max_attempts: int | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if not api_key:
            raise SemrushApiError(None, "No Semrush API key configured.")
        self._api_key = api_key
        # Semrush authenticates by query parameter only; it goes into each request's params
        # rather than the client's, so `base_url` and the client's repr stay key-free.
        super().__init__(
            base_url, timeout=timeout, retry=retry, max_attempts=max_attempts, sleep=sleep
        )

    def iter_backlink_pages(
        self, target: str, *, page_size: int = 10_000, max_rows: int | None = None
    ) -> Iterator[list[dict[str, str | None]]]:
        """Every backlink of the root domain `target`, one list of rows per request.

        Rows are keyed by column code; `first_seen`/`last_seen` become ISO dates (UTC) and
        empty fields None.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        offset = 0
        while True:
            limit = page_size if max_rows is None else min(page_size, max_rows - offset)
            if limit <= 0:
                log.warning(
                    "Semrush backlinks for %s: stopped at the cap of %d rows per pull "
                    "(max_rows); the target may have more backlinks than were loaded",
                    target,
                    max_rows,
                )
                return
            rows = self._page(target, limit, offset)
            offset += len(rows)
            log.debug(
                "Semrush backlinks for %s: %d rows after %d requests", target, offset, self.requests
            )
            if rows:
                yield rows
            if len(rows) < limit:
                return

    def _page(self, target: str, limit: int, offset: int) -> list[dict[str, str | None]]:
        params = {
            "type": "backlinks",
            "target": target,
            "target_type": TARGET_TYPE,
            "export_columns": ",".join(COLUMNS),
            "display_limit": limit,
            "display_offset": offset,
            "key": self._api_key,
        }
        what = f"Semrush backlinks for {target} rows {offset + 1}..{offset + limit}"
        response = self._send("GET", PATH, what=what, params=params, secrets=[self._api_key])
        text = response.text
        error = _ERROR.match(text.strip())
        if error:
            code, message = int(error.group(1)), self._redact(error.group(2).strip())
            if code == NOTHING_FOUND:
                return []
            raise SemrushApiError(
                code, f"Semrush API error for backlinks of {target}: ERROR {code} :: {message}"
            )
        raise_for_status(response, self._redact(text[:300]) or None)
        return _parse(text, target)

    def _redact(self, text: str) -> str:
        return redact_text(text, [self._api_key])


def _parse(text: str, target: str) -> list[dict[str, str | None]]:
    # Split on line feeds only: str.splitlines would also split inside titles holding
    # characters such as U+2028.
    lines = [line.rstrip("\r") for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return []
    header = [name.strip() for name in lines[0].split(";")]
    if not {"source_url", "target_url"} <= set(header):
        raise SemrushApiError(
            None, f"Semrush backlinks for {target}: unexpected answer {lines[0][:200]!r}"
        )
    epoch_indexes = [i for i, name in enumerate(header) if name in EPOCH_COLUMNS]
    rows: list[dict[str, str | None]] = []
    malformed = 0
    for line in lines[1:]:
        fields = line.split(";")
        if len(fields) != len(header):
            malformed += 1
            continue
        values: list[str | None] = [field.strip() or None for field in fields]
        for i in epoch_indexes:
            values[i] = _epoch_to_date(values[i])
        rows.append(dict(zip(header, values, strict=True)))
    if malformed:
        # Fields are unquoted: a semicolon inside a title shifts every column after it, so
        # such a row cannot be read safely. Dropping it is reported, not silent.
        log.warning(
            "Semrush backlinks for %s: skipped %d row(s) with a field count other than %d",
            target,
            malformed,
            len(header),
        )
    return rows


def _epoch_to_date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        seconds = int(float(value))
    except ValueError:
        return value
    if seconds <= 0:
        return None
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()


def backlinks_request_label(target: str) -> str:
    """What a pull asked for, readable and without the key: stored as `_file`."""
    return f"GET {PATH}?type=backlinks&target={target}&target_type={TARGET_TYPE}"


def write_backlinks(
    con: duckdb.DuckDBPyConnection,
    pages: Iterable[list[dict[str, Any]]],
    *,
    target: str,
    site: str,
    pull_id: str,
    snapshot_date: date,
) -> int:
    """Land a Semrush pull in `raw.backlinks_semrush_api` as `site`'s snapshot of `snapshot_date`.

    A failed pull changes nothing; a second pull of the same site and day replaces the first.
    """
    return write_api_snapshot(
        con,
        pages,
        fmt=SEMRUSH_API,
        mapping=RAW_COLUMNS,
        source=SOURCE,
        format_id=FORMAT,
        label=backlinks_request_label(target),
        site=site,
        pull_id=pull_id,
        snapshot_date=snapshot_date,
    )
