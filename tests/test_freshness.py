"""The backlink freshness check: an own site's vendor export older than `stale_export_days` WARNs
(docs/config.md, "Checks and alerts")."""

from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from orchestration.defs.okrs.freshness import BACKLINKS, backlink_snapshots_fresh
from tests.conftest import copy_demo_home

TODAY = date.today()


def build_warehouse(path: Path, snapshots: list[tuple[str, str, date]]) -> Path:
    with duckdb.connect(str(path)) as con:
        for schema in ("marts", "intermediate", "raw"):
            con.execute(f"create schema {schema}")
        con.execute(
            """create table marts.dim_sites as
               select * from (values ('acme.com', false), ('blog-acme.net', false),
                                     ('rival.com', true)) as sites(site, is_competitor)"""
        )
        con.execute(
            """create table intermediate.int_backlink_snapshots
               (vendor varchar, site varchar, snapshot_date date, links bigint)"""
        )
        con.executemany(
            "insert into intermediate.int_backlink_snapshots values (?, ?, ?, 100)",
            [(vendor, site, day) for site, vendor, day in snapshots],
        )
        con.execute("create table raw.config_settings as select 35 as stale_export_days")
    return path


def evaluate(warehouse: Path) -> dg.AssetCheckEvaluation:
    """Run the check in Dagster, against the given warehouse, as a materialization would."""

    @dg.asset(key=BACKLINKS)
    def fct_backlinks():
        """Stands in for the dbt model: the check reads the warehouse, not this asset."""

    result = dg.materialize(
        [fct_backlinks, backlink_snapshots_fresh],
        resources={"warehouse": DuckDBResource(database=str(warehouse))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


def test_fresh_snapshots_pass(tmp_path):
    warehouse = build_warehouse(
        tmp_path / "w.duckdb",
        [
            ("acme.com", "ahrefs", TODAY - timedelta(days=60)),
            ("acme.com", "ahrefs", TODAY - timedelta(days=1)),
            ("acme.com", "semrush", TODAY - timedelta(days=35)),
            ("blog-acme.net", "moz", TODAY),
            # a competitor's old export is the competitor's business
            ("rival.com", "majestic", TODAY - timedelta(days=200)),
        ],
    )

    evaluation = evaluate(warehouse)

    assert evaluation.passed
    table = evaluation.metadata["snapshots"].value
    assert "| acme.com | ahrefs |" in table and "| 1 |" in table
    assert "rival.com" not in table


def test_an_old_export_warns_naming_the_site_and_vendor(tmp_path):
    old = TODAY - timedelta(days=50)
    warehouse = build_warehouse(
        tmp_path / "w.duckdb",
        [
            ("acme.com", "ahrefs", TODAY - timedelta(days=2)),
            ("acme.com", "moz", old),
        ],
    )

    evaluation = evaluate(warehouse)

    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert f"acme.com / moz: latest snapshot {old}, 50 days old" in evaluation.description
    assert "ahrefs" not in evaluation.description
    assert "No backlink snapshot yet for: blog-acme.net" in evaluation.description
    assert evaluation.metadata["stale"].value == 1


@pytest.mark.e2e
def test_the_demo_sites_exports_are_fresh(demo_home, tmp_path):
    """On the marts dbt builds: the demo's own site is pulled from the APIs daily."""
    home = copy_demo_home(demo_home, tmp_path / "home")

    evaluation = evaluate(home / "warehouse" / "linkokr.duckdb")

    assert evaluation.passed, evaluation.description
    assert "| acme-outdoor.com | ahrefs |" in evaluation.metadata["snapshots"].value
