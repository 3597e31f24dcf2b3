"""The first config a user writes: sites, no key results yet. `linkokr run` must get through every
step with it (config, dbt, checks, alerts, publish, dashboard), and `linkokr status` and the
dashboard must say what to add instead of failing.

One real run for the module, on a copy of the demo home with its config cut down to the sites,
plus a site nothing in the inbox mentions: the demo site's marts fill, the key-result marts stay
empty, the data-less site is simply empty.
"""

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import pytest
import yaml

from orchestration.cli import STATUS_COLUMNS, main
from tests.conftest import LINKOKR_ENV, REPO, copy_demo_home, use_home
from tests.test_alerts import Webhook

pytestmark = pytest.mark.e2e

DEMO_SITE = "acme-outdoor.com"
# Nothing in the demo inbox or emulators mentions it: a site added before any export of it.
NEW_SITE = "new-shop.example"
HINT = "no key results in linkokr.yml yet: add objectives with key_results under a site"


def write_sites_only(home: Path) -> None:
    """The demo config as a new user would have it: the sites, no objective with a key result."""
    raw = yaml.safe_load((home / "linkokr.yml").read_text(encoding="utf-8"))
    keep = ("domain", "competitors", "ga4_property_id", "gsc_site_url")
    sites = [{key: site[key] for key in keep if key in site} for site in raw["sites"]]
    assert [site["domain"] for site in sites] == [DEMO_SITE]
    sites.append(
        {
            "domain": NEW_SITE,
            "competitors": ["new-rival.example"],
            # An objective written down before its key results: still nothing to measure.
            "objectives": [
                {
                    "id": "launch",
                    "title": "Launch the shop",
                    "period": {"start": date(2026, 1, 1), "end": date(2026, 12, 31)},
                }
            ],
        }
    )
    (home / "linkokr.yml").write_text(yaml.safe_dump({"sites": sites}, sort_keys=False))


@pytest.fixture(scope="module")
def sites_only(demo_home, tmp_path_factory):
    home = copy_demo_home(demo_home, tmp_path_factory.mktemp("empty_config") / "home")
    write_sites_only(home)
    webhook = Webhook()
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    # `linkokr run` exports its paths and DAGSTER_HOME into os.environ: put everything back.
    saved = dict(os.environ)
    try:
        with pytest.MonkeyPatch.context() as mp:
            use_home(mp, home)
            mp.setenv("LINKOKR_ALERT_WEBHOOK", webhook.url)
            code = main(["run", "--from", yesterday, "--to", yesterday])
    finally:
        os.environ.clear()
        os.environ.update(saved)
        webhook.close()
    return SimpleNamespace(home=home, code=code, posts=webhook.bodies)


def counts(database: Path, sql: str, params=()) -> dict:
    with duckdb.connect(str(database), read_only=True) as con:
        return dict(con.execute(sql, params).fetchall())


def test_a_sites_only_config_runs_and_builds_the_site_marts(sites_only):
    assert sites_only.code == 0
    warehouse = sites_only.home / "warehouse" / "linkokr.duckdb"
    serving = sites_only.home / "warehouse" / "linkokr_serving.duckdb"
    for database in (warehouse, serving):
        backlinks = counts(database, "select site, count(*) from marts.fct_backlinks group by site")
        assert backlinks.get(DEMO_SITE, 0) > 1000 and NEW_SITE not in backlinks
        sites = counts(database, "select site, is_competitor from marts.dim_sites")
        assert sites[DEMO_SITE] is False and sites[NEW_SITE] is False
        # The demo's twelve key results left the config, so they leave the marts.
        okr_rows = counts(
            database,
            """select 'dim_key_results', count(*) from marts.dim_key_results
               union all select 'fct_key_result_progress', count(*)
                         from marts.fct_key_result_progress
               union all select 'fct_key_result_members', count(*)
                         from marts.fct_key_result_members""",
        )
        assert okr_rows == dict.fromkeys(okr_rows, 0) and len(okr_rows) == 3, database
    parquet = sites_only.home / "warehouse" / "parquet"
    with duckdb.connect() as con:
        progress = con.execute(
            "select count(*) from read_parquet(?)",
            [str(parquet / "fct_key_result_progress.parquet")],
        ).fetchone()[0]
        backlinks = con.execute(
            "select count(*) from read_parquet(?)", [str(parquet / "fct_backlinks.parquet")]
        ).fetchone()[0]
    assert progress == 0 and backlinks > 1000


def test_alerts_post_nothing_and_forget_the_removed_key_results(sites_only):
    assert sites_only.posts == []
    warehouse = sites_only.home / "warehouse" / "linkokr.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # The demo run had recorded twelve statuses; their key results are gone from the config.
        assert con.execute("select count(*) from ops.key_result_status").fetchone()[0] == 0
        pending = con.execute(
            "select count(*) from ops.alerts where not delivered and superseded_at is null"
        ).fetchone()[0]
    assert pending == 0
    with dg.DagsterInstance.from_config(str(sites_only.home / ".dagster")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["ops", "key_result_alerts"]))
        metadata = event.asset_materialization.metadata
    assert metadata["key_results"].value == 0 and metadata["new_alerts"].value == 0


def test_freshness_check_names_the_site_without_data(sites_only):
    check = dg.AssetCheckKey(dg.AssetKey(["marts", "fct_backlinks"]), "backlink_snapshots_fresh")
    with dg.DagsterInstance.from_config(str(sites_only.home / ".dagster")) as instance:
        record = instance.get_latest_asset_check_evaluation_record(check)
    evaluation = record.event.dagster_event.event_specific_data
    assert evaluation.passed
    assert f"No backlink snapshot yet for: {NEW_SITE}." in evaluation.description
    assert "Every latest backlink snapshot is at most 35 days old." in evaluation.description


def test_status_shows_an_empty_scoreboard_with_the_hint(sites_only, monkeypatch, capsys):
    use_home(monkeypatch, sites_only.home)
    capsys.readouterr()

    assert main(["status"]) == 0
    table = capsys.readouterr()
    header, rule = table.out.splitlines()
    columns = ["objective", "kr", "value", "target", "progress", "expected", "status"]
    assert header.split() == columns
    assert set(rule) == {"-", " "}
    assert HINT in table.err

    assert main(["status", "--format", "json"]) == 0
    board = capsys.readouterr()
    assert json.loads(board.out) == [] and HINT in board.err

    assert main(["status", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [",".join(STATUS_COLUMNS)]


def test_dashboard_shows_the_empty_state(sites_only):
    page = (sites_only.home / "warehouse" / "dashboard" / "okr_dashboard.html").read_text()
    assert 'data-empty-state="no-key-results"' in page
    assert "<h2>No key results yet</h2>" in page
    assert HINT.replace("no key", "No key") in page
    assert f"Link-building OKRs: {DEMO_SITE}, {NEW_SITE}</h1>" in page
    assert "data-kr-id=" not in page and 'id="exceptions"' not in page


# --- `linkokr status` before anything was built: no run needed, the real command line ----------


def status(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in LINKOKR_ENV}
    env["LINKOKR_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "status", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_says_run_first(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [message]


def test_status_before_the_first_run_says_to_run_first(sites_only, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(sites_only.home / "linkokr.yml", home / "linkokr.yml")
    assert_says_run_first(
        status(home, "--format", "json"),
        f"linkokr: no warehouse at {home / 'warehouse' / 'linkokr.duckdb'}: "
        "run `linkokr run` first",
    )

    # a warehouse whose first run stopped before dbt built anything
    (home / "warehouse").mkdir()
    duckdb.connect(str(home / "warehouse" / "linkokr.duckdb")).close()
    assert_says_run_first(
        status(home), "linkokr: the key-result marts are not built yet: run `linkokr run` first"
    )

    # the example's twelve key results written into the config since the last run
    shutil.copy(sites_only.home / "warehouse" / "linkokr_serving.duckdb", home / "warehouse")
    shutil.copy(REPO / "linkokr.yml", home / "linkokr.yml")
    assert_says_run_first(
        status(home),
        "linkokr: the key results of linkokr.yml (12) are not built yet: run `linkokr run` first",
    )
