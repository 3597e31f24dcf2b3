"""Semrush Analytics API pulls: every backlink of each site and competitor, a snapshot dated the
pull day (not day-partitioned)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.config import LinkokrConfig
from ingest.inbox import ensure_raw_tables
from ingest.sources.semrush.api import write_backlinks
from orchestration.defs.pulls import pull_backlink_snapshots, site_targets
from orchestration.defs.semrush.resources import SemrushResource
from orchestration.resources import WAREHOUSE_POOL

BACKLINKS = dg.AssetKey(["raw", "backlinks_semrush_api"])
SOURCE = "semrush_backlinks"


def build_semrush_asset(config: LinkokrConfig) -> dg.AssetsDefinition:
    own, competitors = site_targets(config)

    @dg.asset(key=BACKLINKS, group_name="semrush", kinds={"duckdb", "api"}, pool=WAREHOUSE_POOL)
    def semrush_api(
        context: dg.AssetExecutionContext,
        warehouse: DuckDBResource,
        semrush: SemrushResource,
    ) -> dg.MaterializeResult:
        """Pull every backlink of each site and competitor from the Semrush Analytics API
        (semicolon text, offset paging; `ERROR 50 :: NOTHING FOUND` is an empty answer).

        Not pulled while SEMRUSH_API_KEY is not set. A target whose pull still fails
        after retries keeps its last snapshot and is named by the `semrush_failed_pulls` check;
        the others still load."""
        with warehouse.get_connection() as con:
            ensure_raw_tables(con)
            report = pull_backlink_snapshots(
                context,
                con,
                semrush,
                write_backlinks,
                own + competitors,
                source=SOURCE,
                vendor="Semrush",
                key_name="SEMRUSH_API_KEY",
            )
        return dg.MaterializeResult(metadata=report.metadata())

    return semrush_api
