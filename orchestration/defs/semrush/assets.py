"""Semrush Analytics API pulls: every backlink of each site and competitor, a snapshot dated the
pull day (not day-partitioned)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.config import LinkokrConfig
from ingest.inbox import ensure_raw_tables
from ingest.semrush import write_backlinks
from orchestration.defs.semrush.resources import SemrushResource
from orchestration.resources import WAREHOUSE_POOL, pull_backlink_snapshots, site_targets

BACKLINKS = dg.AssetKey(["raw", "backlinks_semrush_api"])


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

        Skipped with a log line when SEMRUSH_API_KEY is not set."""
        with warehouse.get_connection() as con:
            ensure_raw_tables(con)
            total = pull_backlink_snapshots(
                context,
                con,
                semrush,
                write_backlinks,
                own + competitors,
                source="semrush_backlinks",
                vendor="Semrush",
                key_name="SEMRUSH_API_KEY",
            )
        return dg.MaterializeResult(metadata={"rows": dg.MetadataValue.int(total)})

    return semrush_api
