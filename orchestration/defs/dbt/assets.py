"""dbt models as Dagster assets: `dbt build` runs every model and test; dbt tests become asset
checks. Asset keys mirror DuckDB relations (`["marts", "fct_backlinks"]`), and dbt sources map to
the ingest assets that write them (`["raw", "backlinks_ahrefs"]`)."""

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_duckdb import DuckDBResource

from ingest.ledger import ensure_ops_tables
from orchestration.resources import RANGE_START_TAG, WAREHOUSE_POOL

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"


class LinkokrDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return None
        return dbt_resource_props["schema"]


def dbt_executable() -> str:
    """The `dbt` installed beside this Python (a venv that is not activated is not on PATH)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_project(state_dir: Path) -> DbtProject:
    """The dbt project, with its artifacts and logs kept outside the repo (under `state_dir`)."""
    target = state_dir / "target"
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=target
    )
    if _manifest_is_stale(project):
        # dbt parse needs no warehouse; the manifest is what @dbt_assets builds the graph from.
        dbt = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
        dbt.cli(
            ["parse", "--quiet", "--log-path", str(state_dir / "logs")], target_path=target
        ).wait()
    return project


def _manifest_is_stale(project: DbtProject) -> bool:
    if not project.manifest_path.exists():
        return True
    built = project.manifest_path.stat().st_mtime
    return (
        any(
            path.stat().st_mtime > built
            for folder in ("models", "macros", "tests")
            for path in (DBT_PROJECT_DIR / folder).rglob("*")
            if path.is_file()
        )
        or (DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime > built
    )


def build_dbt_assets(project: DbtProject, state_dir: Path) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=LinkokrDbtTranslator(),
        pool=WAREHOUSE_POOL,
    )
    def linkokr_dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBResource
    ):
        """`dbt build`: staging views, intermediate and mart tables, and their data tests.

        Unit tests check the SQL, not the data: they run in `make test` (tests/test_dbt_unit.py),
        not every morning, as dbt recommends for production runs. After `linkokr forget`, the
        build is a full refresh: incremental models keep what they built, forgotten rows too."""
        args = [
            "build",
            "--exclude-resource-type",
            "unit_test",
            "--log-path",
            str(state_dir / "logs"),
        ]
        with warehouse.get_connection() as con:
            ensure_ops_tables(con)
            requests = con.execute(
                "select reason, requested_at from ops.full_refresh_requests"
            ).fetchall()
        if requests:
            context.log.info("full refresh: %s", "; ".join(reason for reason, _ in requests)[:1000])
            args.append("--full-refresh")
        # A backfill re-reads its whole range in the incremental facts, not just the lookback.
        backfill_start = context.run.tags.get(RANGE_START_TAG)
        if backfill_start:
            args += ["--vars", json.dumps({"from_date": backfill_start})]
        invocation = dbt.cli(
            args,
            context=context,
            # One build at a time (the warehouse pool), so one target folder is enough.
            target_path=state_dir / "build",
        )
        yield from invocation.stream()
        if requests:
            with warehouse.get_connection() as con:
                con.execute(
                    "delete from ops.full_refresh_requests where requested_at <= ?",
                    [max(requested_at for _, requested_at in requests)],
                )

    return linkokr_dbt_models
