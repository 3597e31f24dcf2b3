"""The code location as the Dagster UI and CLI load it."""

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import dagster as dg

from ingest.config import load_config
from ingest.settings import Paths
from orchestration.definitions import build_definitions

REPO = Path(__file__).resolve().parents[1]
DAGSTER = str(Path(sys.executable).parent / "dagster")


def test_dagster_definitions_validate_loads_the_workspace(linkokr_home):
    result = subprocess.run(
        [DAGSTER, "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "linkokr" in result.stdout + result.stderr


def test_graph_runs_from_raw_to_marts_with_one_check_per_key_result(linkokr_home):
    defs = build_definitions(Paths.from_env())
    graph = defs.resolve_asset_graph()
    progress = dg.AssetKey(["marts", "fct_key_result_progress"])
    upstream = graph.get_ancestor_asset_keys(progress)
    for raw in (
        ["raw", "backlinks_ahrefs"],
        ["raw", "rankings_tracker"],
        ["raw", "ga4_traffic"],
        ["raw", "config_key_results"],
        ["marts", "fct_backlinks"],
    ):
        assert dg.AssetKey(raw) in upstream, raw

    config = load_config(linkokr_home / "linkokr.yml")
    expected = {kr.check_name for kr in config.key_results()}
    kr_checks = {
        key.name
        for key in graph.asset_check_keys
        if key.asset_key == progress and key.name.startswith("kr_")
    }
    assert kr_checks == expected
    assert len(expected) == 15


def test_building_the_definitions_prints_no_dagster_beta_or_preview_warning(linkokr_home):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        defs = build_definitions(Paths.from_env())
        defs.resolve_asset_graph()
        # the filters are scoped to the build: a beta warning raised elsewhere still shows
        warnings.warn("elsewhere", dg.BetaWarning, stacklevel=1)

    dagster_warnings = [
        str(w.message)
        for w in caught
        if issubclass(w.category, (dg.BetaWarning, dg.PreviewWarning))
    ]
    assert dagster_warnings == ["elsewhere"]


def test_every_warehouse_writer_shares_one_pool(linkokr_home, monkeypatch):
    # every API source configured: an unconfigured one is defined without a computation
    for name in ("LINKOKR_GA4_ENDPOINT", "LINKOKR_GSC_ENDPOINT"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("AHREFS_API_KEY", "SEMRUSH_API_KEY"):
        monkeypatch.setenv(name, "demo-key")
    defs = build_definitions(Paths.from_env())
    assert all(assets_def.is_executable for assets_def in defs.assets)
    pools = {}
    for assets_def in defs.assets:
        for node in (
            assets_def.node_def.iterate_node_defs()
            if hasattr(assets_def.node_def, "iterate_node_defs")
            else [assets_def.node_def]
        ):
            pools[node.name] = node.pool
    for checks_def in defs.asset_checks:
        pools[checks_def.node_def.name] = checks_def.node_def.pool
    assert pools and set(pools.values()) == {"linkokr_warehouse"}, pools


def test_a_key_result_removed_from_the_config_disappears_from_the_checks(linkokr_home):
    config_path = linkokr_home / "linkokr.yml"
    text = config_path.read_text()
    config = load_config(config_path)
    first = config.key_results()[0]
    marker = f"- id: {first.kr_id.split('.', 1)[1]}"
    assert marker in text
    before = text.split(marker)[0]
    after = text.split(marker, 1)[1]
    # drop the block of the first key result: up to the next key result of the same objective
    next_kr = after.index("\n" + " " * (len(before) - len(before.rstrip(" "))) + "- id:")
    config_path.write_text(before.rstrip(" ") + after[next_kr + 1 :])
    defs = build_definitions(Paths.from_env())
    names = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert first.check_name not in names
    assert len([n for n in names if n.startswith("kr_")]) == 14


def test_inbox_sensor_requests_a_run_for_new_files_only_without_opening_the_warehouse(
    linkokr_home,
):
    paths = Paths.from_env()
    defs = build_definitions(paths)
    sensor = defs.resolve_sensor_def("inbox_sensor")
    job = defs.resolve_job_def("inbox_job")
    selected = {node.name for node in job.graph.node_defs}
    assert {"inbox_files", "linkokr_dbt_models"} <= selected

    drop = paths.inbox / "backlinks" / "acme-outdoor.com-backlinks_2026-05-01.csv"
    drop.parent.mkdir(parents=True)
    drop.write_text("Page ascore,Source url,Target url\n1,https://a.org/,https://acme.com/\n")

    def settled(*paths):
        # written a minute ago: past the settle interval, as a finished download is
        for path in paths:
            os.utime(path, (time.time() - 60, time.time() - 60))

    with dg.instance_for_test() as instance:
        # just written (it may still be downloading): not seen until it stops changing
        fresh = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert fresh.run_requests == []
        settled(drop)
        context = dg.build_sensor_context(instance=instance, cursor=fresh.cursor)
        first = sensor.evaluate_tick(context)
        assert len(first.run_requests) == 1
        again = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=first.cursor)
        )
        assert again.run_requests == [] and "no new files" in again.skip_message
        (drop.parent / ".hidden.csv").write_text("x")
        (drop.parent / "second_2026-05-02.csv").write_text("y")
        settled(drop.parent / ".hidden.csv", drop.parent / "second_2026-05-02.csv")
        third = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=again.cursor)
        )
        assert len(third.run_requests) == 1
        assert third.run_requests[0].run_key != first.run_requests[0].run_key
    assert not paths.warehouse.exists()


def test_loading_writes_nothing_into_the_environment_and_keys_stay_env_vars(
    linkokr_home, monkeypatch
):
    monkeypatch.setenv("AHREFS_API_KEY", "sk-live-never-in-config")
    monkeypatch.setenv("LINKOKR_GSC_ENDPOINT", "http://127.0.0.1:9")
    before = dict(os.environ)
    defs = build_definitions(Paths.from_env())
    assert dict(os.environ) == before
    ahrefs, semrush, gsc = (defs.resources[key] for key in ("ahrefs", "semrush", "gsc"))
    assert isinstance(ahrefs.api_key, dg.EnvVar)
    assert ahrefs.api_key.env_var_name == "AHREFS_API_KEY"
    assert isinstance(gsc.endpoint, dg.EnvVar) and gsc.credentials_path is None
    assert semrush.api_key is None and semrush.endpoint is None  # not set: skipped, not failing
