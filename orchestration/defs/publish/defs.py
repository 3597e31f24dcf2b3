"""The publish folder's definitions: the serving copy of the marts."""

import dagster as dg
from dagster_dbt import DbtProject

from ingest.settings import Paths
from orchestration.defs.publish.assets import build_publish_asset


def build_defs(project: DbtProject, paths: Paths) -> dg.Definitions:
    return dg.Definitions(assets=[build_publish_asset(project, paths)])
