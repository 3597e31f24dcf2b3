"""`make dev` (`linkokr dev`): the Dagster UI on the demo that starts nothing by itself, pulls
every API source from the emulators, and leaves no process behind on Ctrl-C; and the pieces it
rests on: day partitions from the config, the inbox sensor reading the ledger, API sources that
are not configured kept out of every run, a busy port said in one line."""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import httpx
import pytest
import yaml

from ingest.config import ConfigError, LinkokrConfig, load_config
from ingest.inbox.ledger import ensure_ops_tables, record_file
from ingest.settings import Paths
from orchestration.defs.inbox.sensors import build_inbox_sensor
from orchestration.partitions import (
    backfill_start,
    daily_partitions,
    history_start,
    lookback_range,
)
from tests.conftest import LINKOKR_ENV, REPO, copy_demo_home

TODAY = date(2026, 12, 3)


def _config(**settings) -> LinkokrConfig:
    """The example config (objective periods from 2026-10-01), with `settings` changed."""
    data = yaml.safe_load((REPO / "linkokr.yml").read_text())
    data["settings"].update(settings)
    return LinkokrConfig.model_validate(data)


# -- day partitions from the config ------------------------------------------------------------


@pytest.mark.unit
def test_partitions_start_where_the_objectives_need_data_from():
    # 2026-10-01, less 3 lookback days and the 90-day attribution window
    assert history_start(_config(), TODAY) == date(2026, 6, 30)
    assert history_start(_config(lookback_days=0, attribution_windows=[7]), TODAY) == date(
        2026, 9, 24
    )
    partitions = daily_partitions(_config(), TODAY)
    assert partitions.start.date() == date(2026, 6, 30)


@pytest.mark.unit
def test_history_start_in_the_config_wins_and_is_validated(tmp_path):
    assert history_start(_config(history_start="2025-01-15"), TODAY) == date(2025, 1, 15)
    path = tmp_path / "linkokr.yml"
    text = (REPO / "linkokr.yml").read_text()
    path.write_text(text.replace("settings:\n", "settings:\n  history_start: last spring\n", 1))
    with pytest.raises(ConfigError, match="history_start"):
        load_config(path)


@pytest.mark.unit
def test_without_objectives_partitions_start_a_year_back_and_never_after_the_daily_range():
    data = yaml.safe_load((REPO / "linkokr.yml").read_text())
    for site in data["sites"]:
        site.pop("objectives", None)
    no_objectives = LinkokrConfig.model_validate(data)
    assert history_start(no_objectives, TODAY) == date(2025, 12, 1)
    # a start after the days the daily run pulls would leave that run without partitions
    late = _config(history_start="2027-01-01", lookback_days=3)
    assert history_start(late, TODAY) == TODAY - timedelta(days=4)


@pytest.mark.unit
def test_only_a_backfill_passes_dbt_a_date_so_daily_builds_keep_partial_parsing():
    # the daily run's range is the lookback the incremental models re-read anyway: no var, so
    # dbt's vars (and its saved parse) are the same every morning
    for yesterday in (TODAY, TODAY + timedelta(days=1)):
        assert backfill_start(lookback_range(yesterday, 3), 3) is None
    # `linkokr run --from` a week back, or a backfill in the Dagster UI, re-reads its range
    week = {**lookback_range(TODAY, 3), "dagster/asset_partition_range_start": "2026-11-26"}
    assert backfill_start(week, 3) == "2026-11-26"
    assert backfill_start({}, 3) is None


# -- the inbox sensor and the ledger ----------------------------------------------------------


def _inbox_sensor(home: Path):
    inbox, warehouse = home / "inbox", home / "warehouse.duckdb"
    job = dg.define_asset_job("inbox_job")
    return inbox, warehouse, build_inbox_sensor(inbox, warehouse, job, settle_seconds=0)


def _drop(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (time.time() - 60, time.time() - 60))
    return path


def _loaded(warehouse: Path, path: Path, sha: str) -> None:
    with duckdb.connect(str(warehouse)) as con:
        ensure_ops_tables(con)
        record_file(con, sha=sha, path=path, kind="backlinks", status="loaded", stat=path.stat())


def _tick(sensor, instance, cursor=None):
    return sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor))


@pytest.mark.unit
def test_inbox_sensor_starts_no_run_for_files_the_ledger_has(tmp_path):
    import hashlib

    inbox, warehouse, sensor = _inbox_sensor(tmp_path)
    loaded = _drop(inbox / "backlinks" / "a_2026-11-01.csv", "Source url\nhttps://a.org/\n")
    _loaded(warehouse, loaded, hashlib.sha256(loaded.read_bytes()).hexdigest())
    # the same content at a path the ledger never saw (a copied home): already loaded
    moved = _drop(inbox / "backlinks" / "2026-11" / "a_2026-11-01.csv", loaded.read_text())
    assert moved.stat().st_size == loaded.stat().st_size
    before = warehouse.stat().st_mtime_ns, warehouse.stat().st_size

    with dg.instance_for_test() as instance:
        first = _tick(sensor, instance)
        assert first.run_requests == []
        assert "2 file(s) already in the ledger" in first.skip_message
        new = _drop(inbox / "backlinks" / "b_2026-11-02.csv", "Source url\nhttps://b.org/\n")
        second = _tick(sensor, instance, first.cursor)
        assert len(second.run_requests) == 1
        assert second.run_requests[0].tags["linkokr/new_files"] == "1"

        # while a run is queued or running, the sensor waits (and keeps the file for later)
        instance.add_run(
            dg.DagsterRun(job_name="inbox_job", run_id="a" * 32, status=dg.DagsterRunStatus.STARTED)
        )
        new.write_text("Source url\nhttps://b.org/\nhttps://c.org/\n")
        os.utime(new, (time.time() - 60, time.time() - 60))
        waiting = _tick(sensor, instance, second.cursor)
        assert waiting.run_requests == [] and "waiting for run" in waiting.skip_message
        assert waiting.cursor in (None, second.cursor)
    assert (warehouse.stat().st_mtime_ns, warehouse.stat().st_size) == before  # read only


@pytest.mark.unit
def test_inbox_sensor_waits_while_another_process_holds_the_warehouse(tmp_path):
    inbox, warehouse, sensor = _inbox_sensor(tmp_path)
    _drop(inbox / "backlinks" / "a_2026-11-01.csv", "Source url\nhttps://a.org/\n")
    with duckdb.connect(str(warehouse)) as con:
        ensure_ops_tables(con)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
            "sys.stdin.read()",
            str(warehouse),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with dg.instance_for_test() as instance:
            held = _tick(sensor, instance)
    finally:
        holder.communicate("", timeout=30)
    assert held.run_requests == [] and "held by another process" in held.skip_message
    with dg.instance_for_test() as instance:
        assert len(_tick(sensor, instance).run_requests) == 1


# -- sources that are not configured ----------------------------------------------------------


def test_an_unconfigured_source_is_in_no_run_and_says_why(linkokr_home, monkeypatch):
    from orchestration.definitions import build_definitions
    from orchestration.defs.not_configured import not_configured_reasons

    monkeypatch.setenv("AHREFS_API_KEY", "demo-key")
    defs = build_definitions(Paths.from_env())
    graph = defs.resolve_asset_graph()
    ga4 = graph.get(dg.AssetKey(["raw", "ga4_traffic"]))
    assert not ga4.is_executable
    assert ga4.description.startswith("Not pulled: GA4 is not configured")
    assert graph.get(dg.AssetKey(["raw", "backlinks_ahrefs_api"])).is_executable
    job = defs.resolve_implicit_global_asset_job_def()
    in_job = {key for key in job.asset_layer.asset_graph.executable_asset_keys}
    assert dg.AssetKey(["raw", "backlinks_ahrefs_api"]) in in_job
    assert dg.AssetKey(["raw", "ga4_traffic"]) not in in_job
    assert dg.AssetKey(["raw", "backlinks_semrush_api"]) not in in_job
    checks = {key.name for key in graph.asset_check_keys}
    assert "ahrefs_failed_pulls" in checks and "ga4_failed_pulls" not in checks
    assert [reason.split(" (")[0] for reason in not_configured_reasons(defs)] == [
        "GA4 is not configured",
        "Search Console is not configured",
        "the Semrush API is not configured",
    ]


# -- ports -------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env(home: Path, dagster_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LINKOKR_ENV}
    return {**env, "LINKOKR_HOME": str(home), "DAGSTER_HOME": str(dagster_home)}


@pytest.mark.unit
def test_a_busy_port_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "data" / "emulator").mkdir(parents=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for args in (["emulators", "--port", port], ["dev", "--port", port, "--ui-port", "0"]):
            result = subprocess.run(
                [sys.executable, "-m", "orchestration.cli", *args],
                env=_env(tmp_path, tmp_path / ".dagster"),
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 2, result.stderr
            assert result.stderr.splitlines() == [
                f"linkokr: port {port} on 127.0.0.1 is already in use (a `linkokr emulators` "
                "or `make dev` still running?): stop it, or choose another port with --port"
            ]


# -- make dev, end to end ----------------------------------------------------------------------

SENSOR = """query($s: SensorSelector!) { sensorOrError(sensorSelector: $s) { __typename
  ... on Sensor { sensorState { status ticks(limit: 5) { status skipReason runIds } } } } }"""
RUNS = """{ runsOrError { ... on Runs { results { runId status } } } }"""
RUN = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status
  assetMaterializations { assetKey { path } partition
    metadataEntries { label ... on IntMetadataEntry { intValue } } } } } }"""
LAUNCH = """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on Error { message } } }"""
API_ASSETS = [
    ["raw", "ga4_traffic"],
    ["ops", "ga4_report_metadata"],  # written with the traffic, by the same step
    ["raw", "gsc_search_analytics"],
    ["raw", "backlinks_ahrefs_api"],
    ["raw", "domain_metrics_ahrefs_api"],
    ["raw", "backlinks_semrush_api"],
]


def _graphql(url: str, query: str, **variables) -> dict:
    response = httpx.post(url, json={"query": query, "variables": variables}, timeout=30)
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _until(what: str, check, timeout: float, proc, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"linkokr dev ended:\n{log.read_text()[-3000:]}"
        try:
            found = check()
        except httpx.HTTPError:
            found = None
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"{what} not within {timeout:.0f}s:\n{log.read_text()[-3000:]}")


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parent = int(text[text.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.e2e
def test_make_dev_starts_nothing_itself_pulls_every_source_and_stops_on_ctrl_c(demo_home, tmp_path):
    home = copy_demo_home(demo_home, tmp_path / "home")
    ui_port, emulator_port = _free_port(), _free_port()
    url = f"http://127.0.0.1:{ui_port}/graphql"
    log = tmp_path / "dev.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "orchestration.cli",
                "dev",
                "--port",
                str(emulator_port),
                "--ui-port",
                str(ui_port),
            ],
            env=_env(home, tmp_path / "dagster_home"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    pids: set[int] = set()
    try:
        # the sensor's first tick sees the 33 files the demo loaded, in the ledger: no run
        selector = {
            "repositoryLocationName": "linkokr",
            "repositoryName": "__repository__",
            "sensorName": "inbox_sensor",
        }

        def first_tick():
            state = _graphql(url, SENSOR, s=selector)["sensorOrError"].get("sensorState")
            done = [t for t in (state or {}).get("ticks", []) if t["status"] != "STARTED"]
            return done[-1] if done else None

        tick = _until("the inbox sensor's first tick", first_tick, 90, proc, log)
        assert tick["status"] == "SKIPPED" and tick["runIds"] == [], tick
        assert "already in the ledger" in tick["skipReason"]
        assert _graphql(url, RUNS)["runsOrError"]["results"] == []

        # every API source, one day, from the emulators, in one run
        day = (date.today() - timedelta(days=10)).isoformat()
        launched = _graphql(
            url,
            LAUNCH,
            p={
                "selector": {
                    "repositoryLocationName": "linkokr",
                    "repositoryName": "__repository__",
                    "jobName": "__ASSET_JOB",
                    "assetSelection": [{"path": key} for key in API_ASSETS],
                    "assetCheckSelection": [],
                },
                "runConfigData": {"execution": {"config": {"in_process": {}}}},
                "executionMetadata": {"tags": [{"key": "dagster/partition", "value": day}]},
            },
        )["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["run"]["runId"]

        def finished():
            pids.update(_descendants(proc.pid))
            run = _graphql(url, RUN, id=run_id)["runOrError"]
            return run if run["status"] in ("SUCCESS", "FAILURE", "CANCELED") else None

        run = _until("the API run", finished, 120, proc, log)
        assert run["status"] == "SUCCESS", run
        rows = {
            tuple(m["assetKey"]["path"]): next(
                e["intValue"] for e in m["metadataEntries"] if e["label"] == "rows"
            )
            for m in run["assetMaterializations"]
            if m["assetKey"]["path"][0] == "raw"
        }
        assert set(rows) == {tuple(key) for key in API_ASSETS if key[0] == "raw"}
        assert all(count > 0 for count in rows.values()), rows
        partitions = {
            tuple(m["assetKey"]["path"]): m["partition"] for m in run["assetMaterializations"]
        }
        assert partitions[("raw", "ga4_traffic")] == day
        runs = _graphql(url, RUNS)["runsOrError"]["results"]
        assert [r["runId"] for r in runs] == [run_id]  # the sensor started none meanwhile
        pids.update(_descendants(proc.pid))
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(60)
    assert code == 0, log.read_text()[-3000:]
    assert len(pids) >= 3  # dagster dev, its webserver, daemon and code server
    assert [pid for pid in pids if _alive(pid)] == []
    assert not _listening(ui_port) and not _listening(emulator_port)
