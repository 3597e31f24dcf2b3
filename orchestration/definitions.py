"""The linkokr code location: one `Definitions` built from a linkokr home and its `linkokr.yml`.

Nothing is read at import time: `defs()` runs when Dagster loads the code location, so editing
the config and reloading the location picks up new key results (and drops removed ones). Loading
writes nothing into the environment: API keys and endpoints are `dg.EnvVar`s the resources read
when a run starts, and dbt is handed the home's paths when it is started.

Each folder under `orchestration/defs/` builds its own `dg.Definitions` (`defs.py`), merged here
with `dg.Definitions.merge`. They are not loaded with `dg.load_from_defs_folder` (per-folder
`@dg.definitions`), because that does not fit a definition set generated from a config:
- it finds the project by a pyproject.toml or dg.toml above the defs folder: an installed wheel
  has none (it raises "Could not find config file (pyproject.toml/dg.toml)"), and the checkout's
  pyproject.toml has no [tool.dg] table;
- a folder's `@dg.definitions` takes no arguments, so every folder would read the environment
  and parse `linkokr.yml` for itself, while the CLI and the tests build definitions for a home
  they name (`build_definitions(paths)`);
- folders depend on each other's results: the dbt manifest (parsed once, seconds when not cached)
  gives the dbt assets and the serving copy's dependencies, the dashboard depends on the
  attribution mart only when dbt defines it, and the inbox job selects what is downstream of the
  inbox asset.
"""

from __future__ import annotations

import warnings

import dagster as dg

from ingest.config import load_config
from ingest.settings import Paths
from orchestration.defs.ahrefs import defs as ahrefs
from orchestration.defs.config import defs as config_defs
from orchestration.defs.dashboard.assets import build_dashboard_asset
from orchestration.defs.dbt import defs as dbt
from orchestration.defs.dbt.assets import dbt_project
from orchestration.defs.ga4 import defs as ga4
from orchestration.defs.gsc import defs as gsc
from orchestration.defs.inbox import defs as inbox
from orchestration.defs.okrs import defs as okrs
from orchestration.defs.publish import defs as publish
from orchestration.defs.review import defs as review
from orchestration.defs.semrush import defs as semrush
from orchestration.jobs import build_daily_job, build_daily_schedule
from orchestration.resources import warehouse_resource

__all__ = ["build_definitions", "defs"]


def build_definitions(paths: Paths) -> dg.Definitions:
    """Every asset, check, job, sensor, schedule and resource for the home at `paths`.

    Dagster's beta and preview warnings for the features these definitions use on purpose
    (`backfill_policy` on the daily API pulls) are silenced while they are built: they said the
    same thing twice on every command. Warnings raised anywhere else are left alone."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=dg.BetaWarning)
        warnings.filterwarnings("ignore", category=dg.PreviewWarning)
        return _build_definitions(paths)


def _build_definitions(paths: Paths) -> dg.Definitions:
    config = load_config(paths.config)
    project = dbt_project(paths)
    folders = dg.Definitions.merge(
        config_defs.build_defs(config, paths),
        inbox.build_defs(config, paths),
        ga4.build_defs(config),
        gsc.build_defs(config),
        ahrefs.build_defs(config),
        semrush.build_defs(config),
        dbt.build_defs(project, paths),
        okrs.build_defs(config),
        publish.build_defs(project, paths),
        review.build_defs(paths),
    )
    daily = build_daily_job()
    return dg.Definitions.merge(
        folders,
        dg.Definitions(
            # Built from the others: it depends on the attribution mart only when dbt defines it.
            assets=[build_dashboard_asset(folders.assets or [])],
            jobs=[daily],
            schedules=[build_daily_schedule(daily, config.settings.lookback_days)],
            resources={"warehouse": warehouse_resource(paths.warehouse)},
        ),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(Paths.from_env())
