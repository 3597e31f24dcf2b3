"""Ahrefs API pulls: every backlink of each site and competitor (a snapshot dated the pull day,
so not partitioned: a backfill would stamp today's links with past dates), and each site's
Domain Rating history (day-partitioned)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.ahrefs import write_backlinks, write_domain_ratings
from ingest.api_pulls import new_pull_id
from ingest.config import LinkokrConfig
from ingest.inbox import ensure_raw_tables
from orchestration.defs.ahrefs.resources import AhrefsResource
from orchestration.resources import (
    DAILY_PARTITIONS,
    SINGLE_RUN,
    WAREHOUSE_POOL,
    partition_days,
    pull_backlink_snapshots,
    pull_each,
    site_targets,
)

BACKLINKS = dg.AssetKey(["raw", "backlinks_ahrefs_api"])
DOMAIN_RATINGS = dg.AssetKey(["raw", "domain_metrics_ahrefs_api"])


def build_ahrefs_assets(config: LinkokrConfig) -> list[dg.AssetsDefinition]:
    own, competitors = site_targets(config)

    @dg.asset(key=BACKLINKS, group_name="ahrefs", kinds={"duckdb", "api"}, pool=WAREHOUSE_POOL)
    def ahrefs_backlinks(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource, ahrefs: AhrefsResource
    ) -> dg.MaterializeResult:
        """Every backlink of each site and competitor from Ahrefs API v3 `all-backlinks`
        (keyset-paged, capped per pull), as a snapshot dated today.

        Skipped with a log line when AHREFS_API_KEY is not set."""
        with warehouse.get_connection() as con:
            ensure_raw_tables(con)
            total = pull_backlink_snapshots(
                context,
                con,
                ahrefs,
                write_backlinks,
                own + competitors,
                source="ahrefs_backlinks",
                vendor="Ahrefs",
                key_name="AHREFS_API_KEY",
            )
        return dg.MaterializeResult(metadata={"rows": dg.MetadataValue.int(total)})

    @dg.asset(
        key=DOMAIN_RATINGS,
        group_name="ahrefs",
        kinds={"duckdb", "api"},
        pool=WAREHOUSE_POOL,
        partitions_def=DAILY_PARTITIONS,
        backfill_policy=SINGLE_RUN,
    )
    def ahrefs_domain_rating(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource, ahrefs: AhrefsResource
    ) -> dg.MaterializeResult:
        """Each site's Domain Rating for the run's day partitions, from Ahrefs API v3
        `domain-rating-history` (one request per site for the whole range)."""
        days = partition_days(context)
        with warehouse.get_connection() as con:
            ensure_raw_tables(con)
            if not ahrefs.api_key:
                context.log.info("Ahrefs API skipped: AHREFS_API_KEY is not set")
                return dg.MaterializeResult(metadata={"rows": dg.MetadataValue.int(0)})
            with ahrefs.get_client() as client:

                def pull(site):
                    before = client.requests
                    ratings = client.domain_rating_history(site, days[0], days[-1])
                    rows = write_domain_ratings(con, ratings, site=site, pull_id=new_pull_id())
                    return rows, client.requests - before

                total = pull_each(
                    context, con, own, source="ahrefs_domain_rating", day=days[-1], pull=pull
                )
        return dg.MaterializeResult(
            metadata={
                "rows": dg.MetadataValue.int(total),
                "days": dg.MetadataValue.text(f"{days[0]}..{days[-1]}"),
            }
        )

    return [ahrefs_backlinks, ahrefs_domain_rating]
