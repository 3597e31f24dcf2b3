"""Runs that recover by themselves from a run that ended uncleanly.

A run killed with `kill -9` (or dead with the disk full) stays `STARTED` in Dagster's run storage
and keeps its slot in the `linkokr_warehouse` pool (limit 1), so every later run would wait for it
forever. Before `linkokr run` starts, and in `linkokr doctor`, every in-progress run is judged by
its process: a run `linkokr run` started carries its PID, host and the process's start time in its
tags (the start time tells a reused PID apart); any other run launched on this machine (schedule,
sensor, UI) by the PID Dagster recorded in its RUN_START event. A run whose process is gone is
marked failed and its pool slots freed. The daemon's own safety net for runs it launched is run
monitoring in `dagster.yaml` (`orchestration/resources.py`).

While a `linkokr run` executes, `RunWatch` says when it waits for the pool and which run holds
it, frees the pool from a holder that dies meanwhile, stops the run when another process holds the
warehouse, and ends a run waiting for a slot on SIGINT or SIGTERM: Dagster's in-process executor
spins in that wait without ever looking at the signals it captured.
"""

from __future__ import annotations

import _thread
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from ingest import locks
from orchestration.resources import WAREHOUSE_POOL

PID_TAG = "linkokr/pid"
HOST_TAG = "linkokr/host"
PROCESS_START_TAG = "linkokr/process_start"
IN_PROGRESS = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
# Dagster writes its RUN_START event a moment after the run worker starts; a process that started
# later than that (plus the second /proc's boot time is rounded to) is another one with the PID.
START_TOLERANCE_SECONDS = 2.0
# How long another process must hold the warehouse while this run's step waits for it before
# the run stops (a `linkokr doctor` or `linkokr forget` holds it for a moment only).
COLLISION_SECONDS = 10.0

Log = Callable[[str], None]


def process_tags() -> dict[str, str]:
    """Tags naming the process that runs a `linkokr run`, so that a later one can tell it died."""
    me = locks.this_process()
    return {PID_TAG: me["pid"], HOST_TAG: me["host"], PROCESS_START_TAG: me["start"]}


@dataclass(frozen=True)
class RunState:
    run_id: str
    status: dg.DagsterRunStatus
    origin: str
    pid: int | None
    host: str | None
    started: float | None
    alive: bool | None  # None: cannot be told from this machine
    why: str = ""

    @property
    def stale(self) -> bool:
        return self.alive is False

    def __str__(self) -> str:
        where = f"PID {self.pid}" if self.pid else "no PID recorded"
        if self.host:
            where += f" on {self.host}"
        when = ""
        if self.started:
            when = ", started " + datetime.fromtimestamp(self.started, UTC).strftime(
                "%Y-%m-%d %H:%M UTC"
            )
        return f"run {self.run_id} ({self.origin}, {where}{when})"


def _origin(run: dg.DagsterRun) -> str:
    if PID_TAG in run.tags:
        return "linkokr run"
    if "dagster/schedule_name" in run.tags:
        return f"schedule {run.tags['dagster/schedule_name']}"
    if "dagster/sensor_name" in run.tags:
        return f"sensor {run.tags['dagster/sensor_name']}"
    if "dagster/backfill" in run.tags:
        return f"backfill {run.tags['dagster/backfill']}"
    return "launched in Dagster"


def judge(instance: dg.DagsterInstance, record: dg.RunRecord) -> RunState:
    """Whether the process of an in-progress run is still there."""
    run = record.dagster_run
    origin = _origin(run)
    started = record.start_time or record.create_timestamp.timestamp()

    def state(pid, host, alive, why=""):
        return RunState(run.run_id, run.status, origin, pid, host, started, alive, why)

    if PID_TAG in run.tags:
        pid, host = int(run.tags[PID_TAG]), run.tags.get(HOST_TAG) or None
        if host and host != socket.gethostname():
            return state(pid, host, None, f"it runs on {host}, not on this machine")
        start = run.tags.get(PROCESS_START_TAG) or None
        if locks.is_alive(pid, start):
            return state(pid, host, True)
        if locks.is_alive(pid):
            return state(pid, host, False, f"PID {pid} is another process now")
        return state(pid, host, False, "its process is gone")

    # Runs Dagster launched: the run worker recorded its PID in the RUN_START event. Only the
    # default launcher runs workers on this machine (a container launcher's PIDs mean nothing here).
    if not isinstance(instance.run_launcher, dg.DefaultRunLauncher):
        return state(None, None, None, "its worker may run elsewhere (not the default launcher)")
    events = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.RUN_START, limit=1
    ).records
    if not events or events[0].event_log_entry.dagster_event is None:
        return state(None, None, None, "no run worker has started yet")
    entry = events[0].event_log_entry
    pid = entry.dagster_event.pid
    if pid is None:
        return state(None, None, None, "its run worker recorded no PID")
    if not locks.is_alive(pid):
        return state(pid, None, False, "its process is gone")
    since = locks.started_at(pid)
    if since is not None and since > entry.timestamp + START_TOLERANCE_SECONDS:
        return state(pid, None, False, f"PID {pid} is another process now")
    return state(pid, None, True)


def in_progress_runs(instance: dg.DagsterInstance) -> list[RunState]:
    records = instance.get_run_records(filters=dg.RunsFilter(statuses=IN_PROGRESS))
    return [judge(instance, record) for record in records]


def pools(instance: dg.DagsterInstance) -> dict:
    """Every concurrency pool of the instance (the warehouse's always), name -> its slots,
    limit and queued steps; empty where the storage has no pools."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return {}
    keys = sorted(storage.get_concurrency_keys() | {WAREHOUSE_POOL})
    return storage.get_concurrency_infos(keys)


def slots_of(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """`pool/step` for every pool slot the run holds."""
    return [
        f"{pool}/{slot.step_key}"
        for pool, info in pools(instance).items()
        for slot in info.claimed_slots
        if slot.run_id == run_id
    ]


def fail_stale(instance: dg.DagsterInstance, state: RunState) -> list[str]:
    """Mark a run whose process is gone as failed and free its pool slots (and queued steps)."""
    held = slots_of(instance, state.run_id)
    run = instance.get_run_by_id(state.run_id)
    if run is not None and not run.is_finished:
        instance.report_run_failed(
            run,
            f"Marked as failed by linkokr: {state.why} ({state}). Its pool slots were freed.",
        )
    if instance.event_log_storage.supports_global_concurrency_limits:
        instance.event_log_storage.free_concurrency_slots_for_run(state.run_id)
    return held


@dataclass(frozen=True)
class OrphanSlots:
    """Pool slots (or queued steps) of a run that has finished or was deleted."""

    run_id: str
    status: str  # the run's status, or "deleted"
    slots: list[str]


def orphan_slots(instance: dg.DagsterInstance) -> list[OrphanSlots]:
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    infos = pools(instance)
    run_ids = set(storage.get_concurrency_run_ids())
    run_ids |= {slot.run_id for info in infos.values() for slot in info.claimed_slots}
    orphans = []
    for run_id in sorted(run_ids):
        run = instance.get_run_by_id(run_id)
        if run is not None and not run.is_finished:
            continue
        slots = [
            f"{pool}/{slot.step_key}"
            for pool, info in infos.items()
            for slot in info.claimed_slots
            if slot.run_id == run_id
        ]
        orphans.append(OrphanSlots(run_id, run.status.value if run else "deleted", slots))
    return orphans


def _freed(slots: list[str]) -> str:
    if not slots:
        return "it held no pool slot"
    return f"freed its pool slot{'s' if len(slots) > 1 else ''} ({', '.join(slots)})"


def recover(instance: dg.DagsterInstance, log: Log) -> list[str]:
    """Fail every run whose process is gone and free their slots, and free the slots of finished
    or deleted runs: one log line per run. Returns the run ids cleaned."""
    cleaned = []
    for state in in_progress_runs(instance):
        if state.stale:
            slots = fail_stale(instance, state)
            log(f"cleaned up {state}: {state.why}; marked it failed, {_freed(slots)}")
            cleaned.append(state.run_id)
    for orphan in orphan_slots(instance):
        instance.event_log_storage.free_concurrency_slots_for_run(orphan.run_id)
        held = ", ".join(orphan.slots) or "its queued steps"
        log(f"freed the pool slots of run {orphan.run_id} ({orphan.status}): {held}")
        cleaned.append(orphan.run_id)
    return cleaned


@dataclass(frozen=True)
class Holder:
    step_key: str
    state: RunState | None  # None: the run is finished or deleted (an orphan slot)

    def waiting_line(self) -> str:
        unsure = ""
        if self.state is not None and self.state.alive is None:
            unsure = f" (whether it still runs cannot be told: {self.state.why}; `linkokr doctor`)"
        return (
            f"waiting for the warehouse pool: {self.state} holds it (step {self.step_key})"
            f"{unsure}; Ctrl-C stops"
        )


def pool_holders(
    instance: dg.DagsterInstance, pool: str = WAREHOUSE_POOL, other_than: str | None = None
) -> list[Holder]:
    infos = pools(instance)
    if pool not in infos:
        return []
    holders = []
    for slot in infos[pool].claimed_slots:
        if slot.run_id == other_than:
            continue
        record = instance.get_run_record_by_id(slot.run_id)
        live = record is not None and not record.dagster_run.is_finished
        holders.append(Holder(slot.step_key, judge(instance, record) if live else None))
    return holders


def live_pids(instance: dg.DagsterInstance) -> set[int]:
    """The processes of every run of this instance that may still be running."""
    return {s.pid for s in in_progress_runs(instance) if s.pid and s.alive is not False}


@contextmanager
def signals_interrupt():
    """SIGTERM as well as SIGINT raises KeyboardInterrupt (`signal_number` says which)."""
    received = {"signal": None}
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum, frame):
        received["signal"] = signum
        raise KeyboardInterrupt

    for sig in previous:
        signal.signal(sig, handler)
    try:
        yield received
    finally:
        for sig, before in previous.items():
            signal.signal(sig, before)


def wait_for_pool(instance: dg.DagsterInstance, log: Log, poll: float = 1.0) -> None:
    """Before the run: wait while another live run holds the warehouse pool, saying which one,
    and clean up a holder whose process dies meanwhile. KeyboardInterrupt ends the wait."""
    announced: set[str] = set()
    while True:
        holders = pool_holders(instance)
        if not holders:
            return
        for holder in holders:
            if holder.state is None or holder.state.stale:
                recover(instance, log)
                break
            if holder.state.run_id not in announced:
                announced.add(holder.state.run_id)
                log(holder.waiting_line())
        time.sleep(poll)


def foreign_holders(
    warehouse: Path, instance: dg.DagsterInstance, own_pid: int | None = None
) -> list[locks.LockHolder] | None:
    """Processes other than runs of this instance (and their children: dbt) holding the
    warehouse, from /proc/locks; None where /proc/locks does not exist."""
    holders = locks.lock_holders(warehouse)
    if not holders:
        return holders
    ours = live_pids(instance) | ({own_pid} if own_pid else set())
    return [h for h in holders if not locks.descends_from(h.pid, ours)]


@dataclass
class RunWatch:
    """Watches the run `linkokr run` executes in process, from a thread (see the module doc)."""

    instance: dg.DagsterInstance
    run_id: str
    warehouse: Path
    serving: Path
    log: Log
    poll: float = 1.0
    collision: list[locks.LockHolder] = field(default_factory=list)
    stop_reason: str | None = None
    # Set when the run was stopped while it waited for the pool: why, and who held it.
    stopped_while_waiting: str | None = None
    _signal: int | None = None
    _self_interrupts: int = 0
    _done: threading.Event = field(default_factory=threading.Event)
    _announced: set[str] = field(default_factory=set)
    _foreign_since: float | None = None
    _errors: set[str] = field(default_factory=set)

    def __enter__(self) -> RunWatch:
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        self._previous_fd = None
        if threading.current_thread() is threading.main_thread():
            # Dagster replaces the SIGINT/SIGTERM handlers during the run; the wakeup fd still
            # sees every signal that reaches Python, whoever's handler then swallows it.
            self._previous_fd = signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)
        self._thread = threading.Thread(target=self._watch, name="linkokr-run-watch", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join(timeout=10)
        if self._previous_fd is not None:
            signal.set_wakeup_fd(self._previous_fd)
        os.close(self._read)
        os.close(self._write)

    def _watch(self) -> None:
        while not self._done.is_set():
            ready, _, _ = select.select([self._read], [], [], self.poll)
            if self._done.is_set():
                return
            if ready:
                for signum in os.read(self._read, 64):
                    # interrupt_main() reaches the wakeup fd like a real SIGINT
                    if signum == signal.SIGINT and self._self_interrupts:
                        self._self_interrupts -= 1
                    elif signum in (signal.SIGINT, signal.SIGTERM):
                        self._signal = signum
                        self.stop_reason = f"stopped by {signal.Signals(signum).name}"
            try:
                self._check()
            except Exception as error:  # watching must never break the run it watches
                if str(error) not in self._errors:
                    self._errors.add(str(error))
                    self.log(f"(watching the run: {error})")

    def _waiting(self) -> tuple[bool, list[Holder]]:
        infos = pools(self.instance)
        if WAREHOUSE_POOL not in infos:
            return False, []
        info = infos[WAREHOUSE_POOL]
        mine = {s.step_key for s in info.claimed_slots if s.run_id == self.run_id}
        queued = [
            p for p in info.pending_steps if p.run_id == self.run_id and p.step_key not in mine
        ]
        if mine or not queued:
            return False, []
        return True, pool_holders(self.instance, other_than=self.run_id)

    def _check(self) -> None:
        waiting, holders = self._waiting()
        if waiting:
            self._foreign_since = None
            for holder in holders:
                if holder.state is None or holder.state.stale:
                    recover(self.instance, self.log)
                elif holder.state.run_id not in self._announced:
                    self._announced.add(holder.state.run_id)
                    self.log(holder.waiting_line())
            if self.stop_reason:
                held_by = ", ".join(str(h.state) for h in holders if h.state) or "another run"
                self.stopped_while_waiting = (
                    f"{self.stop_reason} while waiting for the warehouse pool, held by {held_by}"
                )
                # A step in flight outside the pool ends by itself, and Dagster may then end the
                # run on the signal it captured: `linkokr run` says the same line either way.
                time.sleep(self.poll)
                if self._waiting()[0] and not self._done.is_set():
                    self._hard_stop()
            return
        if self.collision or self.stop_reason:
            return
        foreign = foreign_holders(self.warehouse, self.instance, os.getpid())
        if not foreign or not slots_of(self.instance, self.run_id):
            self._foreign_since = None
            return
        self._foreign_since = self._foreign_since or time.monotonic()
        if time.monotonic() - self._foreign_since >= COLLISION_SECONDS:
            # The step in flight would retry its connection for minutes, and every later step
            # would do the same: stop the run at the step (Dagster raises the interrupt there).
            self.collision = foreign
            self.stop_reason = "another process holds the warehouse"
            self._self_interrupts += 1
            _thread.interrupt_main()

    def _hard_stop(self) -> None:
        """End the process: Dagster's in-process executor would spin in its wait for a slot and
        never act on the interrupt it captured. The run is marked failed and its queued step
        freed first, as a run killed any other way leaves both behind."""
        why = self.stopped_while_waiting
        run = self.instance.get_run_by_id(self.run_id)
        if run is not None and not run.is_finished:
            self.instance.report_run_failed(run, why)
        self.instance.event_log_storage.free_concurrency_slots_for_run(self.run_id)
        self.log(self.collision_message() if self.collision else f"{why}; run {self.run_id} failed")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + self._signal if self._signal else 1)

    @property
    def signal_received(self) -> int | None:
        """The SIGINT or SIGTERM that reached the run, if one did."""
        return self._signal

    def collision_message(self) -> str:
        return locks.held_lock_message(self.warehouse, self.collision, self.serving)
