"""Key-result alerts: notice when a key result's latest status changes to at_risk, behind or
missed, and POST one Slack-compatible JSON message per change to a webhook
(docs/config.md, "Checks and alerts").

State lives in two `ops` tables:
- `ops.key_result_status`: the status each key result had on the previous run. A key result seen
  for the first time (every key result on the very first run) is recorded without an alert.
- `ops.alerts`: one row per change to an alerting status, with its payload and delivery state.
  An undelivered alert is retried on every run until it is delivered, or until the key result's
  status changes again (it is then superseded: nobody wants to hear about a status that is over).

The webhook URL is a secret (a Slack URL carries a token in its path): it never reaches a log
line, an error message or a table. Delivery problems are recorded and logged, never raised.
"""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import duckdb
import httpx

from ingest.config import METRICS
from ingest.http import RetryPolicy, redact_text, request_with_retries

log = logging.getLogger(__name__)

ALERT_STATUSES = frozenset({"at_risk", "behind", "missed"})
LINK_FAMILIES = frozenset({"link", "gap"})
RANK_FAMILY = "rank"
# Links listed per direction and keywords listed in an alert: enough to act on, short enough
# for a chat message.
TOP_LINKS = 10
TOP_RANK_DROPS = 5
RANK_WINDOW_DAYS = 7
# Without a previous run to compare with, link changes cover the last week.
DEFAULT_LINK_WINDOW_DAYS = 7
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_WAIT = 10.0
WEBHOOK_TIMEOUT = 10.0
ALERTS_OFF = "alerts off: LINKOKR_ALERT_WEBHOOK is not set"

DDL = (
    "create schema if not exists ops",
    """create table if not exists ops.key_result_status (
        kr_id varchar primary key,
        status varchar,
        date date,
        value double,
        seen_at timestamp not null
    )""",
    """create table if not exists ops.alerts (
        alert_id varchar primary key,
        kr_id varchar not null,
        old_status varchar,
        new_status varchar not null,
        kr_date date,
        value double,
        target double,
        detected_at timestamp not null,
        delivered boolean not null,
        delivered_at timestamp,
        attempts integer not null,
        last_attempt_at timestamp,
        error varchar,
        superseded_at timestamp,
        payload json not null
    )""",
)


@dataclass(frozen=True)
class StatusChange:
    """A key result whose latest status differs from the one seen on the previous run."""

    kr_id: str
    old_status: str | None
    new_status: str | None
    date: date | None
    value: float | None
    target: float | None

    @property
    def alerts(self) -> bool:
        return self.new_status in ALERT_STATUSES


@dataclass
class AlertRun:
    """What one run did: key results read, changes seen, key results recorded for the first time,
    alerts."""

    changes: list[StatusChange] = field(default_factory=list)
    key_results: int = 0
    first_seen: int = 0
    new_alerts: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0
    enabled: bool = False


def ensure_alert_tables(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            """select count(*) from information_schema.tables
               where table_schema = ? and table_name = ?""",
            [schema, table],
        ).fetchone()[0]
    )


def latest_key_results(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Each key result's latest row of `marts.fct_key_result_progress`, with its objective."""
    return _rows(
        con,
        """select progress.kr_id, progress.objective_id, key_results.objective_title,
                  progress.site, progress.metric, progress.title, progress.date, progress.status,
                  progress.value, progress.baseline, progress.target, progress.progress,
                  progress.expected_progress, progress.pace, progress.projected_value,
                  progress.projected_status
           from marts.fct_key_result_progress as progress
           left join marts.dim_key_results as key_results using (kr_id)
           where progress.is_latest
           order by progress.kr_id""",
    )


def detect_changes(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> AlertRun:
    """Compare each key result's latest status with the previous run's, record the new statuses,
    and queue an alert (with its payload) for every change to an alerting status.

    The messages are built first (reads only); the state is then written in one transaction, so a
    crash leaves the previous run's state and the change is seen again on the next run.
    """
    now = now or _utcnow()
    run = AlertRun()
    ensure_alert_tables(con)
    previous = {
        row["kr_id"]: row
        for row in _rows(con, "select kr_id, status, date from ops.key_result_status")
    }
    latest = latest_key_results(con)
    queued: list[tuple[StatusChange, dict[str, Any]]] = []
    for row in latest:
        before = previous.get(row["kr_id"])
        if before is None:
            run.first_seen += 1
        elif before["status"] != row["status"]:
            change = StatusChange(
                kr_id=row["kr_id"],
                old_status=before["status"],
                new_status=row["status"],
                date=row["date"],
                value=row["value"],
                target=row["target"],
            )
            run.changes.append(change)
            if change.alerts:
                queued.append((change, build_payload(con, row, before)))
    gone = sorted(set(previous) - {row["kr_id"] for row in latest})
    con.execute("begin transaction")
    try:
        for kr_id in [change.kr_id for change in run.changes] + gone:
            _supersede(con, kr_id, now)
        for change, payload in queued:
            _queue_alert(con, change, payload, now)
        # A config without key results (sites only, the first one a user writes) has nothing to
        # record, and DuckDB refuses an executemany without rows.
        if latest:
            con.executemany(
                """insert or replace into ops.key_result_status
                       (kr_id, status, date, value, seen_at)
                   values (?, ?, ?, ?, ?)""",
                [[row["kr_id"], row["status"], row["date"], row["value"], now] for row in latest],
            )
        # A key result removed from the config is forgotten: if it comes back, it starts afresh.
        for kr_id in gone:
            con.execute("delete from ops.key_result_status where kr_id = ?", [kr_id])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    run.new_alerts = len(queued)
    run.key_results = len(latest)
    return run


def _supersede(con: duckdb.DuckDBPyConnection, kr_id: str, now: datetime) -> None:
    con.execute(
        """update ops.alerts set superseded_at = ?
           where kr_id = ? and not delivered and superseded_at is null""",
        [now, kr_id],
    )


def _queue_alert(
    con: duckdb.DuckDBPyConnection, change: StatusChange, payload: dict, now: datetime
) -> None:
    con.execute(
        """insert into ops.alerts (alert_id, kr_id, old_status, new_status, kr_date, value, target,
                                   detected_at, delivered, attempts, payload)
           values (?, ?, ?, ?, ?, ?, ?, ?, false, 0, ?)""",
        [
            str(uuid.uuid4()),
            change.kr_id,
            change.old_status,
            change.new_status,
            change.date,
            change.value,
            change.target,
            now,
            json.dumps(payload),
        ],
    )


# ---------------------------------------------------------------------------------------------
# The message
# ---------------------------------------------------------------------------------------------


def build_payload(con: duckdb.DuckDBPyConnection, row: dict, previous: dict) -> dict[str, Any]:
    """The JSON message for a key result's change: Slack's `text`, plus structured fields and the
    context a reader needs to act (which links came and went, which keywords dropped)."""
    family = METRICS[row["metric"]].family if row["metric"] in METRICS else None
    context: dict[str, Any] = {}
    try:
        if family in LINK_FAMILIES and row["date"] is not None:
            context["links"] = link_context(con, row["site"], previous.get("date"), row["date"])
        elif family == RANK_FAMILY and row["date"] is not None:
            context["rank_drops"] = rank_drops(con, row["kr_id"], row["date"])
    except duckdb.Error as error:
        # The alert matters more than its context: send it without.
        log.warning("alert for %s goes without context: %s", row["kr_id"], error)
    payload: dict[str, Any] = {
        "kr_id": row["kr_id"],
        "objective_id": row["objective_id"],
        "objective": row["objective_title"] or row["objective_id"],
        "title": row["title"],
        "site": row["site"],
        "metric": row["metric"],
        "old_status": previous.get("status"),
        "new_status": row["status"],
        "value": row["value"],
        "target": row["target"],
        "baseline": row["baseline"],
        "progress": row["progress"],
        "expected_progress": row["expected_progress"],
        "pace": row["pace"],
        "projected_value": row["projected_value"],
        "date": row["date"].isoformat() if row["date"] else None,
        "context": context,
    }
    payload = _json_safe(payload)
    payload["text"] = _text(payload)
    return payload


def _json_safe(value: Any) -> Any:
    """NaN and infinity (a pace over an expected progress of 0) become null: JSON has neither."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


def _number(value: float | None) -> str:
    return "no data" if value is None else f"{value:g}"


def _text(payload: dict[str, Any]) -> str:
    lines = [
        f"linkokr: key result *{payload['kr_id']}* ({payload['title']}) is now "
        f"*{payload['new_status']}* (was {payload['old_status']}): value "
        f"{_number(payload['value'])} vs target {_number(payload['target'])} "
        f"on {payload['date']}. Objective: {payload['objective']}."
    ]
    links = payload["context"].get("links")
    if links:
        lines.append(
            f"Links to {payload['site']} from {links['since']} to {links['until']}: "
            f"{links['gained']} gained, {links['lost']} lost."
        )
        for link in links["lost_links"][:3]:
            lines.append(f"• lost {link['source_url']} → {link['target_page']}")
    drops = payload["context"].get("rank_drops")
    if drops:
        lines.append(f"Biggest rank drops ({drops[0]['source']}, 7-day mean vs the 7 days before):")
        for drop in drops:
            lines.append(
                f"• {drop['keyword']}: {drop['previous_position']:g} → "
                f"{drop['current_position']:g} ({drop['change']:+g})"
            )
    return "\n".join(lines)


def link_context(
    con: duckdb.DuckDBPyConnection, site: str, since: date | None, until: date
) -> dict[str, Any]:
    """Backlinks of `site` first seen or lost after `since` (the data date of the previous run)
    up to `until`, counted, with the strongest of each listed."""
    if since is None or since >= until:
        since = until - timedelta(days=DEFAULT_LINK_WINDOW_DAYS)
    context: dict[str, Any] = {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "gained": 0,
        "lost": 0,
        "gained_links": [],
        "lost_links": [],
    }
    if not _table_exists(con, "marts", "fct_backlinks"):
        return context
    for direction, column in (("gained", "first_seen_date"), ("lost", "lost_date")):
        # `column` comes from the tuple above, never from data.
        where = f'site = ? and "{column}" > ? and "{column}" <= ?'
        context[direction] = con.execute(
            f"select count(*) from marts.fct_backlinks where {where}", [site, since, until]
        ).fetchone()[0]
        links = _rows(
            con,
            f"""select source_url, source_domain, target_page, quality_tier, authority_score,
                       "{column}" as date
                from marts.fct_backlinks
                where {where}
                order by authority_score desc nulls last, source_url
                limit ?""",
            [site, since, until, TOP_LINKS],
        )
        for link in links:
            link["date"] = link["date"].isoformat()
        context[f"{direction}_links"] = links
    return context


def rank_drops(con: duckdb.DuckDBPyConnection, kr_id: str, day: date) -> list[dict[str, Any]]:
    """The keywords of a rank key result that lost the most: mean position over the 7 days to
    `day` against the 7 days before (an unranked day counts as `unranked_position`).

    The keywords are the key result's keyword set, or those ranking on its page group's pages
    (`pages_in_position_range`), or all of the site's keywords in its rank source.
    """
    needed = (("marts", "fct_keyword_rankings_daily"), ("marts", "dim_key_results"))
    if not all(_table_exists(con, schema, table) for schema, table in needed):
        return []
    found = _rows(
        con,
        "select site, source, keyword_set, page_group from marts.dim_key_results where kr_id = ?",
        [kr_id],
    )
    if not found:
        return []
    kr = found[0]
    source = kr["source"] or _default_rank_source(con, kr["site"])
    tags, keywords = _config_row(
        con,
        "select tags, keywords from raw.config_keyword_sets where site = ? and keyword_set = ?",
        [kr["site"], kr["keyword_set"]],
        2,
    )
    (patterns,) = _config_row(
        con,
        "select list(pattern) from raw.config_page_groups where site = ? and page_group = ?",
        [kr["site"], kr["page_group"]],
        1,
    )
    current_start = day - timedelta(days=RANK_WINDOW_DAYS - 1)
    previous_start = current_start - timedelta(days=RANK_WINDOW_DAYS)
    drops = _rows(
        con,
        """with rankings as (
               select keyword, date, ranking_page, coalesce(position, ?) as position, tags,
               from marts.fct_keyword_rankings_daily
               where site = ? and source = ? and date between ? and ?
           ),
           keywords as (
               select
                   keyword,
                   arg_max(tags, date) as tags,
                   arg_max(ranking_page, date) filter (where ranking_page is not null) as page,
               from rankings
               group by keyword
           ),
           members as (
               select keyword
               from keywords
               where case
                   when ?::varchar[] is not null then exists (
                       select 1 from unnest(?::varchar[]) as patterns(pattern)
                       where keywords.page glob patterns.pattern
                   )
                   when ?::varchar[] is not null or ?::varchar[] is not null then
                       list_has_any(coalesce(?::varchar[], []), keywords.tags)
                       or list_contains(coalesce(?::varchar[], []), keywords.keyword)
                   else true
               end
           ),
           windows as (
               select
                   keyword,
                   avg(position) filter (where date < ?) as previous_position,
                   avg(position) filter (where date >= ?) as current_position,
                   arg_max(ranking_page, date) filter (where date >= ?) as ranking_page,
               from rankings
               where keyword in (select keyword from members)
               group by keyword
           )
           select
               keyword,
               round(previous_position, 2) as previous_position,
               round(current_position, 2) as current_position,
               round(current_position - previous_position, 2) as change,
               ranking_page,
           from windows
           where current_position > previous_position
           order by change desc, keyword
           limit ?""",
        [
            _unranked_position(con),
            kr["site"],
            source,
            previous_start,
            day,
            patterns,
            patterns,
            tags,
            keywords,
            tags,
            keywords,
            current_start,
            current_start,
            current_start,
            TOP_RANK_DROPS,
        ],
    )
    for drop in drops:
        drop["source"] = source
    return drops


def _default_rank_source(con: duckdb.DuckDBPyConnection, site: str) -> str:
    # The rule of dbt's int_key_result_spans: the only rank-tracker source with data, else gsc.
    sources = con.execute(
        """select distinct source from marts.fct_keyword_rankings_daily
           where site = ? and source <> 'gsc'""",
        [site],
    ).fetchall()
    return sources[0][0] if len(sources) == 1 else "gsc"


def _config_row(
    con: duckdb.DuckDBPyConnection, sql: str, params: list, width: int
) -> tuple[list[str] | None, ...]:
    """The list columns of one config row, all None when the row (or the table) is missing."""
    missing = (None,) * width
    if any(p is None for p in params):
        return missing
    try:
        row = con.execute(sql, params).fetchone()
    except duckdb.CatalogException:
        return missing
    if row is None:
        return missing
    return tuple(None if value is None else list(value) for value in row)


def _unranked_position(con: duckdb.DuckDBPyConnection) -> float:
    if _table_exists(con, "raw", "config_settings"):
        row = con.execute("select unranked_position from raw.config_settings").fetchone()
        if row and row[0] is not None:
            return float(row[0])
    return 101.0


# ---------------------------------------------------------------------------------------------
# Delivery
# ---------------------------------------------------------------------------------------------


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


def post_alert(
    client: httpx.Client,
    url: str,
    payload: dict[str, Any],
    *,
    max_attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[bool, int, str | None]:
    """POST `payload`; retry rate limits, server errors and dropped connections with backoff
    (`request_with_retries`, with the webhook's token kept out of its log lines).

    Returns (delivered, attempts, error) — the error with the URL redacted; never raises.
    """
    secrets = webhook_secrets(url)
    waits: list[float] = []

    def counted_sleep(seconds: float) -> None:
        # every retry waits once, so the attempts are the waits plus one
        waits.append(seconds)
        sleep(seconds)

    policy = RetryPolicy(max_attempts=max_attempts, max_wait=MAX_RETRY_WAIT, sleep=counted_sleep)
    try:
        response = request_with_retries(
            client,
            "POST",
            url,
            json=payload,
            policy=policy,
            retry_statuses=RETRY_STATUSES,
            secrets=secrets,
        )
    except Exception as exc:  # noqa: BLE001 - any failure is recorded, never raised
        return False, len(waits) + 1, redact_text(f"{type(exc).__name__}: {exc}", secrets)
    if response.is_success:
        return True, len(waits) + 1, None
    error = f"HTTP {response.status_code} {response.reason_phrase}"
    body = redact_text(response.text.strip()[:200], secrets)
    if body:
        error += f": {body}"
    return False, len(waits) + 1, error


def deliver_pending(
    con: duckdb.DuckDBPyConnection,
    url: str,
    *,
    max_attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = WEBHOOK_TIMEOUT,
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
    with (
        _redacted_http_logs(webhook_secrets(url)),
        httpx.Client(timeout=httpx.Timeout(timeout)) as client,
    ):
        for alert_id, kr_id, new_status, payload in pending:
            ok, attempts, error = post_alert(
                client, url, json.loads(payload), max_attempts=max_attempts, sleep=sleep
            )
            now = _utcnow()
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


def run_alerts(
    con: duckdb.DuckDBPyConnection,
    webhook_url: str | None,
    *,
    max_attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> AlertRun:
    """Detect status changes, queue their alerts, and deliver what is pending when a webhook is
    set. Without one the changes are still recorded (and sent once a webhook is configured, if the
    status still holds)."""
    run = detect_changes(con)
    run.enabled = bool(webhook_url)
    if webhook_url:
        run.delivered, run.failed = deliver_pending(
            con, webhook_url, max_attempts=max_attempts, sleep=sleep
        )
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
