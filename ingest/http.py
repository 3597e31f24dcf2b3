"""Shared httpx plumbing for the vendor API clients: retries, backoff, and keeping keys out of text.

`request_with_retries` retries rate limits (429), server errors (5xx) and dropped connections
with exponential backoff, honouring `Retry-After` (delta-seconds or an HTTP date) up to a cap.
Some vendors (Semrush) put the API key in the query string, so every URL that reaches a log
line or an exception goes through `redact_url` first.
"""

from __future__ import annotations

import email.utils
import logging
import re
import time
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_WAIT = 60.0
SECRET_PARAMS = frozenset({"key", "api_key", "apikey", "token", "access_token", "client_secret"})
REDACTED = "REDACTED"


def redact_url(url: httpx.URL | str) -> str:
    """`url` with the values of credential-bearing query parameters replaced by `REDACTED`."""
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    query = [
        (name, REDACTED if name.lower() in SECRET_PARAMS else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe=",:")))


def redact_text(text: str, secrets: Collection[str]) -> str:
    """`text` with every occurrence of each (non-empty) secret replaced by `REDACTED`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The wait a response asks for in `Retry-After` (seconds or HTTP date), if any."""
    header = response.headers.get("Retry-After")
    if not header:
        return None
    header = header.strip()
    if re.fullmatch(r"\d+(\.\d+)?", header):
        return float(header)
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def request_with_retries(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    max_attempts: int = 6,
    sleep: Callable[[float], None] = time.sleep,
    retry_statuses: Collection[int] = RETRY_STATUSES,
    max_wait: float = MAX_RETRY_WAIT,
    secrets: Collection[str] = (),
) -> httpx.Response:
    """Send the request, retrying `retry_statuses` and transport errors with backoff.

    Returns the first response whose status is not retried, or the last response once
    `max_attempts` are spent (callers decide how to report it, normally `raise_for_status`).
    A transport error on the last attempt is raised. Log lines show the URL with credential
    query parameters and every string in `secrets` (e.g. a webhook token in the path) redacted.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    for attempt in range(1, max_attempts + 1):
        try:
            response = client.request(method, url, params=params, json=json)
        except httpx.TransportError as exc:
            # The exception's request carries the full URL; only the redacted one is logged.
            target = redact_text(redact_url(exc.request.url) if _has_request(exc) else url, secrets)
            if attempt == max_attempts:
                log.error("%s %s: giving up after %d attempts: %r", method, target, attempt, exc)
                raise
            wait = min(max_wait, 2.0 ** (attempt - 1))
            log.warning(
                "%s %s: %s (attempt %d/%d); retrying in %.1fs",
                method,
                target,
                type(exc).__name__,
                attempt,
                max_attempts,
                wait,
            )
            sleep(wait)
            continue
        if response.status_code not in retry_statuses:
            return response
        target = redact_text(redact_url(response.request.url), secrets)
        if attempt == max_attempts:
            log.error(
                "%s %s: HTTP %d, giving up after %d attempts",
                method,
                target,
                response.status_code,
                attempt,
            )
            return response
        asked = retry_after_seconds(response)
        wait = min(max_wait, asked if asked is not None else 2.0 ** (attempt - 1))
        log.warning(
            "%s %s: HTTP %d (attempt %d/%d); retrying in %.1fs",
            method,
            target,
            response.status_code,
            attempt,
            max_attempts,
            wait,
        )
        sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")


def raise_for_status(response: httpx.Response, detail: str | None = None) -> httpx.Response:
    """`response.raise_for_status()`, with the URL redacted and the API's own message appended."""
    try:
        return response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        message = (
            f"HTTP {response.status_code} {response.reason_phrase} for "
            f"{response.request.method} {redact_url(response.request.url)}"
        )
        if detail:
            message += f": {detail}"
        raise httpx.HTTPStatusError(message, request=exc.request, response=response) from None


class _RedactUrls(logging.Filter):
    """Redacts httpx's own request log line (`HTTP Request: GET <url> ...`), which would
    otherwise print a query-string key at INFO level."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(
                redact_url(a) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


def _install_httpx_log_filter() -> None:
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactUrls) for f in httpx_log.filters):
        httpx_log.addFilter(_RedactUrls())


_install_httpx_log_filter()


def _has_request(exc: httpx.TransportError) -> bool:
    try:
        exc.request  # noqa: B018 - the property raises when no request is attached
    except RuntimeError:
        return False
    return True


class ApiClient:
    """One httpx connection to an API: base URL, explicit timeout and fixed headers or auth set
    once; counts the requests it sends (retries included) in `requests`."""

    default_base_url = ""

    def __init__(
        self,
        base_url: str | None,
        *,
        timeout: float,
        max_attempts: int,
        sleep: Callable[[float], None],
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        self.max_attempts = max_attempts
        self.sleep = sleep
        self.requests = 0
        self._http = httpx.Client(
            base_url=(base_url or self.default_base_url).rstrip("/"),
            timeout=httpx.Timeout(timeout),
            headers=headers or {},
            auth=auth,
            event_hooks={"request": [self._count_request]},
        )

    def _count_request(self, request: httpx.Request) -> None:
        self.requests += 1

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self._http.base_url)!r})"
