"""Key-result alerts: notice when a key result's latest status gets worse, to at_risk, behind or
missed, and POST one Slack-compatible JSON message per change to a webhook
(docs/config.md, "Checks and alerts").

State lives in two `ops` tables:
- `ops.key_result_status`: the status each key result had on the previous run. A key result seen
  for the first time (every key result on the very first run) is recorded without an alert.
- `ops.alerts`: one row per change to a worse, alerting status, with its payload and delivery state.
  An undelivered alert is retried on every run until it is delivered, or until the key result's
  status changes again (it is then superseded: nobody wants to hear about a status that is over).

- `detect`: status changes, and the alerts they queue;
- `message`: what an alert says, and the links or keywords behind it;
- `deliver`: the webhook POSTs (the URL is a secret: it never reaches a log line, an error
  message or a table; delivery problems are recorded and logged, never raised).
"""

from __future__ import annotations

import logging

import duckdb

from ingest.http import RetryPolicy
from serve.alerts.deliver import WEBHOOK_POLICY, WebhookClient, deliver_pending, webhook_secrets
from serve.alerts.detect import (
    ALERT_STATUSES,
    AlertRun,
    StatusChange,
    detect_changes,
    ensure_alert_tables,
)
from serve.alerts.message import build_payload, link_context, rank_drops

__all__ = [
    "ALERTS_OFF",
    "ALERT_STATUSES",
    "WEBHOOK_POLICY",
    "AlertRun",
    "StatusChange",
    "WebhookClient",
    "build_payload",
    "deliver_pending",
    "detect_changes",
    "ensure_alert_tables",
    "link_context",
    "rank_drops",
    "run_alerts",
    "webhook_secrets",
]

log = logging.getLogger(__name__)

ALERTS_OFF = "alerts off: LINKOKR_ALERT_WEBHOOK is not set"


def run_alerts(
    con: duckdb.DuckDBPyConnection,
    webhook_url: str | None,
    *,
    policy: RetryPolicy = WEBHOOK_POLICY,
) -> AlertRun:
    """Detect status changes, queue their alerts, and deliver what is pending when a webhook is
    set. Without one the changes are still recorded (and sent once a webhook is configured, if the
    status still holds)."""
    run = detect_changes(con)
    run.enabled = bool(webhook_url)
    if webhook_url:
        run.delivered, run.failed = deliver_pending(con, webhook_url, policy=policy)
    else:
        con.execute(
            """update ops.alerts set error = ?
               where not delivered and superseded_at is null and attempts = 0""",
            [ALERTS_OFF],
        )
        log.info("alerts are off: LINKOKR_ALERT_WEBHOOK is not set (changes are still recorded)")
    run.pending = con.execute(
        "select count(*) from ops.alerts where not delivered and superseded_at is null"
    ).fetchone()[0]
    return run
