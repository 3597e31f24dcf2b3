"""Delivering alerts: one JSON POST per pending alert to the webhook, through the retry policy
every API client uses (`ingest.http.RetryPolicy`: 429, 5xx and dropped connections are retried,
`Retry-After` is honoured), bounded so that a webhook that is down never holds the run for long.

The webhook URL is a secret (a Slack URL carries a token in its path): it never reaches a log
line, an error message or a table. Delivery problems are recorded and logged, never raised.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import duckdb

from ingest.http import DEFAULT_POLICY, ApiClient, RetryPolicy, describe_error, redact_text
from serve.alerts.detect import ensure_alert_tables, utcnow

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 10.0
# The one policy, held short: three attempts, and no wait (even one a server asks for) over 10 s.
WEBHOOK_POLICY = dataclasses.replace(DEFAULT_POLICY, max_attempts=3, max_wait=10.0)


def webhook_secrets(url: str) -> list[str]:
    """The parts of a webhook URL that must never be written anywhere: the URL itself and its
    path and query (where Slack and most chat tools put the token)."""
    parts = urlsplit(url)
    secrets = [url, url.rstrip("/")]
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if len(parts.path.strip("/")) >= 4:
        secrets += [path, parts.path]
    if parts.query:
        secrets.append(parts.query)
    # longest first, so a part inside the whole URL does not leave the rest behind
    return sorted({s for s in secrets if s}, key=len, reverse=True)


class _RedactSecrets(logging.Filter):
    """Scrubs the webhook URL from httpx's own request log line (`HTTP Request: POST <url>`)."""

    def __init__(self, secrets: Collection[str]) -> None:
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message, self.secrets)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


@contextmanager
def _redacted_http_logs(secrets: Collection[str]) -> Iterator[None]:
    loggers = [logging.getLogger("httpx"), logging.getLogger("httpcore")]
    scrub = _RedactSecrets(secrets)
    for logger in loggers:
        logger.addFilter(scrub)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(scrub)


class WebhookClient(ApiClient):
    """POSTs to one webhook URL under `policy`; its secrets are kept out of every text."""

    def __init__(
        self, url: str, *, policy: RetryPolicy = WEBHOOK_POLICY, timeout: float = WEBHOOK_TIMEOUT
    ) -> None:
        super().__init__(None, timeout=timeout, retry=policy)
        self.url = url
        self.secrets = webhook_secrets(url)

    def post(self, payload: dict[str, Any], what: str) -> tuple[bool, int, str | None]:
        """POST `payload` (`what` names it in the policy's log lines).

        Returns (delivered, attempts, error), the error with the URL redacted; never raises.
        """
        before = self.requests
        try:
            response = self._send("POST", self.url, what=what, json=payload, secrets=self.secrets)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded, never raised
            return False, self.requests - before, describe_error(exc, self.secrets)
        attempts = self.requests - before
        if response.is_success:
            return True, attempts, None
        error = f"HTTP {response.status_code} {response.reason_phrase}"
        body = redact_text(response.text.strip()[:200], self.secrets)
        if body:
            error += f": {body}"
        return False, attempts, error


def deliver_pending(
    con: duckdb.DuckDBPyConnection, url: str, *, policy: RetryPolicy = WEBHOOK_POLICY
) -> tuple[int, int]:
    """Send every undelivered, not superseded alert, oldest first. Returns (delivered, failed)."""
    ensure_alert_tables(con)
    pending = con.execute(
        """select alert_id, kr_id, new_status, payload from ops.alerts
           where not delivered and superseded_at is null
           order by detected_at, kr_id"""
    ).fetchall()
    delivered = failed = 0
    if not pending:
        return 0, 0
    with WebhookClient(url, policy=policy) as client, _redacted_http_logs(client.secrets):
        for alert_id, kr_id, new_status, payload in pending:
            ok, attempts, error = client.post(
                json.loads(payload), what=f"alert webhook, {kr_id} {new_status}"
            )
            now = utcnow()
            con.execute(
                """update ops.alerts
                   set delivered = ?, delivered_at = ?, attempts = attempts + ?,
                       last_attempt_at = ?, error = ?
                   where alert_id = ?""",
                [ok, now if ok else None, attempts, now, error, alert_id],
            )
            if ok:
                delivered += 1
                log.info("alert for %s (%s) delivered", kr_id, new_status)
            else:
                failed += 1
                log.warning(
                    "alert for %s (%s) not delivered, will retry on the next run: %s",
                    kr_id,
                    new_status,
                    error,
                )
    return delivered, failed


def post_message(
    url: str, payload: dict[str, Any], what: str, *, policy: RetryPolicy = WEBHOOK_POLICY
) -> tuple[bool, int, str | None]:
    """One message POSTed to the webhook under `policy` (the review digest's), the URL kept out
    of httpx's log lines. Returns (delivered, attempts, error); never raises."""
    with WebhookClient(url, policy=policy) as client, _redacted_http_logs(client.secrets):
        return client.post(payload, what=what)
