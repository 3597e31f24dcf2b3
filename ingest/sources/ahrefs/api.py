"""Ahrefs API v3 pulls: a target's backlinks (keyset-paged) and its domain-rating history.

v3 has no offset, so `iter_backlink_pages` pages by a compound keyset: rows ordered by
(`first_seen_link`, `url_from`, `url_to`) and each request asks, with a `where` filter, for
the rows after the last key of the previous page. Paging by timestamp alone would loop or skip
when a page boundary falls inside a run of links first seen in the same second, which is
common (a site-wide link is first seen on every page at once).

API units cost money, so a pull can be capped (`max_rows`); a capped pull says so in the log.
`write_backlinks` and `write_domain_ratings` land the rows in the raw tables the inbox files
use (`raw.backlinks_ahrefs`, `raw.domain_metrics`), replacing an earlier pull of the same site
and day in one transaction. Docs: https://docs.ahrefs.com/docs/api/reference/introduction
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

import duckdb
import httpx

from ingest.api_pulls import text_value, write_api_snapshot
from ingest.http import ApiClient, RetryPolicy, raise_for_status, redact_text
from ingest.inbox.formats import AHREFS_API, AHREFS_DR_API
from ingest.inbox.raw import ensure_raw_table
from ingest.warehouse import quote_identifier, transaction

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.ahrefs.com"
BACKLINKS_PATH = "/v3/site-explorer/all-backlinks"
DOMAIN_RATING_PATH = "/v3/site-explorer/domain-rating-history"
FIELDS = (
    "url_from",
    "url_to",
    "title",
    "anchor",
    "domain_rating_source",
    "url_rating_source",
    "is_dofollow",
    "is_nofollow",
    "is_ugc",
    "is_sponsored",
    "is_content",
    "is_spam",
    "first_seen_link",
    "last_visited",
    "last_seen",
)
KEYSET = ("first_seen_link", "url_from", "url_to")
ORDER_BY = ",".join(f"{field}:asc" for field in KEYSET)
MODE = "subdomains"
HISTORY = "all_time"
# raw.backlinks_ahrefs column <- v3 field; the raw table's other columns stay null for API rows.
RAW_COLUMNS = {
    "referring_page_url": "url_from",
    "target_url": "url_to",
    "referring_page_title": "title",
    "anchor": "anchor",
    "domain_rating": "domain_rating_source",
    "url_rating": "url_rating_source",
    "nofollow": "is_nofollow",
    "ugc": "is_ugc",
    "sponsored": "is_sponsored",
    "content": "is_content",
    "is_spam": "is_spam",
    "first_seen": "first_seen_link",
    "last_seen": "last_visited",
    "lost": "last_seen",
}
SOURCE = "ahrefs"
FORMAT = "ahrefs_api"
DR_METRIC = "ahrefs_dr"


class AhrefsError(RuntimeError):
    """The Ahrefs API refused a request or answered something the client cannot page through."""


class AhrefsAuthError(AhrefsError):
    """401/403: the API key is missing, wrong, or not allowed this request."""


class AhrefsClient(ApiClient):
    """One Ahrefs v3 API connection: base URL, timeout and bearer key set once."""

    default_base_url = DEFAULT_BASE_URL

    def __init__(
        self,
        base_url: str | None,
        api_key: str,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        max_attempts: int | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if not api_key:
            raise AhrefsAuthError("No Ahrefs API key configured.")
        self._api_key = api_key
        super().__init__(
            base_url,
            timeout=timeout,
            retry=retry,
            max_attempts=max_attempts,
            sleep=sleep,
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
        )

    # backlinks -------------------------------------------------------------------------
    def iter_backlink_pages(
        self, target: str, *, page_size: int = 1000, max_rows: int | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Every backlink of `target` (all time, subdomains), one list of v3 rows per request."""
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        fetched = 0
        last_key: tuple[Any, ...] | None = None
        page = 0
        while True:
            page += 1
            limit = page_size if max_rows is None else min(page_size, max_rows - fetched)
            if limit <= 0:
                log.warning(
                    "Ahrefs backlinks for %s: stopped at the cap of %d rows per pull "
                    "(max_rows); the target may have more backlinks than were loaded",
                    target,
                    max_rows,
                )
                return
            params: dict[str, Any] = {
                "target": target,
                "select": ",".join(FIELDS),
                "mode": MODE,
                "history": HISTORY,
                "limit": limit,
                "order_by": ORDER_BY,
                "output": "json",
            }
            if last_key is not None:
                params["where"] = json.dumps(_after(last_key), separators=(",", ":"))
            what = f"Ahrefs backlinks for {target} page {page}"
            rows = self._get_json(BACKLINKS_PATH, params, what).get("backlinks")
            if not isinstance(rows, list):
                raise AhrefsError(f"Ahrefs {BACKLINKS_PATH}: response has no `backlinks` list")
            fetched += len(rows)
            log.debug(
                "Ahrefs backlinks for %s: %d rows after %d requests", target, fetched, self.requests
            )
            if rows:
                yield rows
            if len(rows) < limit:
                return
            key = tuple(rows[-1].get(field) for field in KEYSET)
            if any(value is None for value in key):
                # Rows sort with nulls last, so nothing can be asked for after this one.
                raise AhrefsError(
                    f"Ahrefs backlinks for {target}: a row without {'/'.join(KEYSET)} ends a "
                    "full page; cannot page past it"
                )
            if key == last_key:
                raise AhrefsError(
                    f"Ahrefs backlinks for {target}: the API returned the same page twice; "
                    "it ignored the keyset filter"
                )
            last_key = key

    # domain rating ---------------------------------------------------------------------
    def domain_rating_history(
        self, target: str, date_from: date, date_to: date
    ) -> list[dict[str, Any]]:
        """`[{"date": "YYYY-MM-DD", "domain_rating": float}, …]` for `target`, oldest first."""
        params = {
            "target": target,
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
            "output": "json",
        }
        what = f"Ahrefs domain rating of {target} {date_from}..{date_to}"
        rows = self._get_json(DOMAIN_RATING_PATH, params, what).get("domain_ratings")
        if not isinstance(rows, list):
            raise AhrefsError(f"Ahrefs {DOMAIN_RATING_PATH}: response has no `domain_ratings`")
        return rows

    # transport -------------------------------------------------------------------------
    def _get_json(self, path: str, params: dict[str, Any], what: str) -> dict[str, Any]:
        response = self._send("GET", path, what=what, params=params, secrets=[self._api_key])
        message = self._error_message(response)
        if response.status_code in (401, 403):
            raise AhrefsAuthError(
                f"Ahrefs API refused the key (HTTP {response.status_code}) for {path}: {message}"
            )
        raise_for_status(response, message)
        try:
            payload = response.json()
        except ValueError:
            raise AhrefsError(f"Ahrefs {path}: the response is not JSON") from None
        if not isinstance(payload, dict):
            raise AhrefsError(f"Ahrefs {path}: expected a JSON object")
        return payload

    def _error_message(self, response: httpx.Response) -> str | None:
        if response.is_success:
            return None
        try:
            payload = response.json()
            message = payload.get("error") if isinstance(payload, dict) else None
        except ValueError:
            message = None
        text = str(message) if message else response.text[:300]
        return redact_text(text, [self._api_key])


def _after(key: tuple[Any, ...]) -> dict[str, Any]:
    """A v3 `where` selecting rows whose (first_seen_link, url_from, url_to) sorts after `key`."""
    first_seen, url_from, url_to = key

    def cond(field: str, op: str, value: Any) -> dict[str, Any]:
        return {"field": field, "is": [op, value]}

    return {
        "or": [
            cond("first_seen_link", "gt", first_seen),
            {
                "and": [
                    cond("first_seen_link", "eq", first_seen),
                    {
                        "or": [
                            cond("url_from", "gt", url_from),
                            {
                                "and": [
                                    cond("url_from", "eq", url_from),
                                    cond("url_to", "gt", url_to),
                                ]
                            },
                        ]
                    },
                ]
            },
        ]
    }


# writers ---------------------------------------------------------------------------------
def backlinks_request_label(target: str) -> str:
    """What a pull asked for, readable and without the key: stored as `_file`."""
    return f"GET {BACKLINKS_PATH}?target={target}&mode={MODE}&history={HISTORY}"


def write_backlinks(
    con: duckdb.DuckDBPyConnection,
    pages: Iterable[list[dict[str, Any]]],
    *,
    target: str,
    site: str,
    pull_id: str,
    snapshot_date: date,
) -> int:
    """Land an Ahrefs pull in `raw.backlinks_ahrefs_api` as `site`'s snapshot of `snapshot_date`.

    Pages are staged in a temporary table as they arrive (the pull may run to millions of
    rows), then the site-day's earlier API rows are replaced in one transaction: a pull that
    fails half-way changes nothing.
    """
    return write_api_snapshot(
        con,
        pages,
        fmt=AHREFS_API,
        mapping=RAW_COLUMNS,
        source=SOURCE,
        format_id=FORMAT,
        label=backlinks_request_label(target),
        site=site,
        pull_id=pull_id,
        snapshot_date=snapshot_date,
    )


def write_domain_ratings(
    con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], *, site: str, pull_id: str
) -> int:
    """Land DR history rows in `raw.domain_metrics_ahrefs_api` as metric `ahrefs_dr` of `site`.

    Replaces earlier API rows of the same site, dates and metric; rows from inbox files stay.
    """
    dates = [str(row["date"]) for row in rows]
    values = [text_value(row.get("domain_rating")) for row in rows]
    snapshot_dates = [date.fromisoformat(d[:10]) for d in dates]
    label = f"GET {DOMAIN_RATING_PATH}?target={site}&date_from={min(dates, default='')}" + (
        f"&date_to={max(dates, default='')}"
    )
    table = f"raw.{quote_identifier(AHREFS_DR_API.table)}"
    with transaction(con):
        ensure_raw_table(con, AHREFS_DR_API)
        con.execute(
            f"delete from {table} where _format = ? and domain = ? and metric = ? "
            "and metric_date in (select unnest(?::varchar[]))",
            [FORMAT, site, DR_METRIC, dates],
        )
        if rows:
            con.execute(
                f"""
                insert into {table} by name
                select
                    unnest(?::varchar[]) as metric_date,
                    ? as domain,
                    ? as metric,
                    unnest(?::varchar[]) as value,
                    ? as _source,
                    ? as _format,
                    ? as _file,
                    ? as _file_sha256,
                    unnest(range(1, ? + 1)) as _row_number,
                    now() at time zone 'UTC' as _loaded_at,
                    unnest(?::date[]) as _snapshot_date
                """,
                [
                    dates,
                    site,
                    DR_METRIC,
                    values,
                    SOURCE,
                    FORMAT,
                    label,
                    pull_id,
                    len(rows),
                    snapshot_dates,
                ],
            )
    log.info("Ahrefs DR history for %s: wrote %d days", site, len(rows))
    return len(rows)
