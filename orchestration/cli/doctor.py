"""`linkokr doctor [--repair]`: what runs that ended uncleanly left behind, and cleaning it up."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime

from ingest.settings import Paths


def _temp_files(paths: Paths):
    from ingest import locks

    return locks.leftover_temp_files(locks.temp_kinds(paths))


def doctor(paths: Paths, repair: bool = False, out=None) -> int:
    """What a run that ended uncleanly left behind, and, with `repair`, clean it up: runs whose
    process is gone (marked failed, their pool slots freed), pool slots of finished runs,
    leftover temporary files. A process holding the warehouse is reported, never touched.
    0 when nothing is left to fix."""
    import dagster as dg

    from ingest import locks
    from orchestration import recovery
    from orchestration.instance import ensure_dagster_home
    from orchestration.resources import WAREHOUSE_POOL

    out = out or sys.stdout

    def say(line: str = "") -> None:
        print(line, file=out, flush=True)

    os.environ.update(paths.export())
    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(paths.dagster_home))
    problems: list[str] = []  # what still needs a hand once this command ends
    fixable = 0
    say(f"linkokr doctor: home {paths.home} (Dagster instance {paths.dagster_home})")
    with dg.DagsterInstance.get() as instance:
        runs = recovery.in_progress_runs(instance)
        slot_owner = {
            slot: run_id
            for run_id in {r.run_id for r in runs}
            for slot in recovery.slots_of(instance, run_id)
        }
        say(f"\nruns in progress: {len(runs) or 'none'}")
        for state in runs:
            slots = [slot for slot, run_id in slot_owner.items() if run_id == state.run_id]
            held = f"; holds {', '.join(slots)}" if slots else ""
            if state.stale:
                fixable += 1
                say(f"  STALE  {state}: {state.why}{held}")
                if repair:
                    recovery.fail_stale(instance, state)
                    say("         repaired: marked failed, pool slots freed")
            elif state.alive is None:
                say(f"  ?      {state}: cannot tell whether it runs: {state.why}{held}")
            else:
                say(f"  alive  {state}{held}")

        orphans = recovery.orphan_slots(instance)
        info = recovery.pools(instance).get(WAREHOUSE_POOL)
        say(f"\npool {WAREHOUSE_POOL}: limit {info.limit if info else 'not set'}")
        if info is not None and info.limit != 1:
            problems.append(
                f"the pool {WAREHOUSE_POOL} has limit {info.limit}, not 1: steps of parallel "
                f"runs collide on the warehouse (see {paths.dagster_home / 'dagster.yaml'})"
            )
        if info is not None:
            for slot in info.claimed_slots:
                say(f"  held by run {slot.run_id} (step {slot.step_key})")
            queued: dict[str, list[str]] = {}
            for step in info.pending_steps:
                if step.assigned_timestamp is None:
                    queued.setdefault(step.run_id, []).append(step.step_key)
            for run_id, steps in queued.items():
                say(f"  queued: run {run_id} ({len(steps)} step(s): {', '.join(sorted(steps))})")
            if not info.claimed_slots and not queued:
                say("  free")
        for orphan in orphans:
            fixable += 1
            say(
                f"  ORPHAN run {orphan.run_id} ({orphan.status}) still holds "
                f"{', '.join(orphan.slots) or 'a queued step'}"
            )
            if repair:
                instance.event_log_storage.free_concurrency_slots_for_run(orphan.run_id)
                say("         repaired: freed")

        live = {s.pid for s in runs if s.pid and s.alive is not False}
        say(f"\nwarehouse {paths.warehouse}:")
        holders_now = recovery.foreign_holders(paths.warehouse, instance)
        if holders_now is None and not live:
            probed = locks.probe_lock(paths.warehouse)
            holders_now = [probed] if probed else []
        if not paths.warehouse.exists():
            say("  not created yet")
        elif holders_now:
            for holder in holders_now:
                say(f"  LOCKED by {holder}")
            problems.append(locks.held_lock_message(paths.warehouse, holders_now, paths.serving))
        else:
            ours = locks.lock_holders(paths.warehouse) or []
            ours = [h for h in ours if locks.descends_from(h.pid, live)]
            say("  open by a run in progress" if ours else "  no other process holds it")

        temps = _temp_files(paths)
        runs_alive = any(s.alive is not False for s in runs if not (repair and s.stale))
        say(f"\ntemporary files: {len(temps) or 'none'}")
        for temp in temps:
            size = f"{temp.bytes / 1e6:.1f} MB"
            age = datetime.fromtimestamp(temp.modified).strftime("%Y-%m-%d %H:%M")
            if temp.open_by:
                verdict = f"in use by PID {', '.join(map(str, temp.open_by))}"
            elif runs_alive:
                verdict = "kept: a run is in progress"
            elif not temp.removable():
                verdict = "kept: may belong to a run of another linkokr home (touched < 1 h ago)"
            else:
                verdict = "LEFT OVER"
                fixable += 1
            say(f"  {temp.path} ({temp.what}, {size}, modified {age}): {verdict}")
            if verdict == "LEFT OVER" and repair:
                locks.remove(temp)
                say("         repaired: removed")

    say()
    if fixable and not repair:
        problems.insert(
            0,
            f"{fixable} thing(s) left by runs that ended uncleanly: "
            "`linkokr doctor --repair` cleans them up",
        )
    for problem in problems:
        say(f"linkokr doctor: {problem}")
    if not problems:
        say("linkokr doctor: nothing to fix" + (f" ({fixable} repaired)" if fixable else ""))
    return 1 if problems else 0


def cmd_doctor(args: argparse.Namespace) -> int:
    return doctor(Paths.from_env(), repair=args.repair)
