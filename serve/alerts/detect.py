"""Noticing status changes: each key result's latest status against the one recorded on the
previous run (`ops.key_result_status`), and an alert queued in `ops.alerts` for every change to
an alerting status that is worse than the previous one (`behind -> at_risk` is recorded, not
alerted)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from ingest.warehouse import rows_as_dicts, transaction
from serve.alerts.message import build_payload

ALERT_STATUSES = frozenset({"at_risk", "behind", "missed"})
# How bad a status is: a change alerts only when it goes up this scale to an alerting status.
SEVERITY = {"achieved": 0, "on_track": 0, "at_risk": 1, "behind": 2, "missed": 3}

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
        """A change to at_risk, behind or missed that is worse than the previous status; a
        previous status off the scale (None: no data yet) alerts as before."""
        if self.new_status not in ALERT_STATUSES:
            return False
        before = SEVERITY.get(self.old_status) if self.old_status is not None else None
        return before is None or SEVERITY[self.new_status] > before


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


def utcnow() -> datetime:
    """Now in UTC, naive: how `ops` timestamps are stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def latest_key_results(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Each key result's latest row of `marts.fct_key_result_progress`, with its objective."""
    return rows_as_dicts(
        con.execute(
            """select progress.kr_id, progress.objective_id, key_results.objective_title,
                      progress.site, progress.metric, progress.title, progress.date,
                      progress.status, progress.value, progress.baseline, progress.target,
                      progress.progress, progress.expected_progress, progress.pace,
                      progress.projected_value, progress.projected_status
               from marts.fct_key_result_progress as progress
               left join marts.dim_key_results as key_results using (kr_id)
               where progress.is_latest
               order by progress.kr_id"""
        )
    )


def detect_changes(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> AlertRun:
    """Compare each key result's latest status with the previous run's, record the new statuses,
    and queue an alert (with its payload) for every change to a worse, alerting status (an
    improving change is recorded in `run.changes` and the state, with no alert).

    The messages are built first (reads only); the state is then written in one transaction, so a
    crash leaves the previous run's state and the change is seen again on the next run.
    """
    now = now or utcnow()
    run = AlertRun()
    ensure_alert_tables(con)
    recorded = rows_as_dicts(con.execute("select kr_id, status, date from ops.key_result_status"))
    previous = {row["kr_id"]: row for row in recorded}
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
    with transaction(con):
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
