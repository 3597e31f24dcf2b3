"""The dbt folder's definitions: the dbt models and tests, and dbt itself as a resource."""

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from ingest.settings import Paths
from orchestration.defs.dbt.assets import build_dbt_assets, dbt_executable


def build_defs(project: DbtProject, paths: Paths) -> dg.Definitions:
    return dg.Definitions(
        assets=[build_dbt_assets(project, paths)],
        resources={"dbt": DbtCliResource(project_dir=project, dbt_executable=dbt_executable())},
    )
