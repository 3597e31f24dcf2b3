"""Ahrefs API pulls: every backlink of each site and competitor (a snapshot dated the pull day,
so not partitioned: a backfill would stamp today's links with past dates), and each site's
Domain Rating history (day-partitioned)."""

from collections import Counter
from datetime import date, timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.api_pulls import new_pull_id
from ingest.config import LinkokrConfig
from ingest.inbox import ensure_raw_tables
from ingest.sources.ahrefs.api import write_backlinks, write_domain_ratings
from orchestration.defs.ahrefs.resources import AhrefsResource
from orchestration.defs.pulls import (
    PullReport,
    failed_days,
    pull_backlink_snapshots,
    pull_days,
    site_targets,
)
from orchestration.partitions import SINGLE_RUN, daily_partitions, partition_days
from orchestration.resources import WAREHOUSE_POOL

BACKLINKS = dg.AssetKey(["raw", "backlinks_ahrefs_api"])
DOMAIN_RATINGS = dg.AssetKey(["raw", "domain_metrics_ahrefs_api"])
BACKLINKS_SOURCE = "ahrefs_backlinks"
DOMAIN_RATING_SOURCE = "ahrefs_domain_rating"


def build_ahrefs_assets(config: LinkokrConfig) -> list[dg.AssetsDefinition]:
    own, competitors = site_targets(config)

    @dg.asset(key=BACKLINKS, group_name="ahrefs", kinds={"duckdb", "api"}, pool=WAREHOUSE_POOL)
    def ahrefs_backlinks(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource, ahrefs: AhrefsResource
    ) -> dg.MaterializeResult:
        """Every backlink of each site and competitor from Ahrefs API v3 `all-backlinks`
        (keyset-paged, capped per pull), as a snapshot dated today.

        Not pulled while AHREFS_API_KEY is not set. A target whose pull still fails
        after retries keeps its last snapshot and is named by the `ahrefs_failed_pulls` check;
        the others still load."""
        with warehouse.get_connection() as con:
            ensure_raw_tables(con)
            report = pull_backlink_snapshots(
                context,
                con,
                ahrefs,
                write_backlinks,
                own + competitors,
                source=BACKLINKS_SOURCE,
                vendor="Ahrefs",
                key_name="AHREFS_API_KEY",
            )
        return dg.MaterializeResult(metadata=report.metadata())

    @dg.asset(
        key=DOMAIN_RATINGS,
        group_name="ahrefs",
        kinds={"duckdb", "api"},
        pool=WAREHOUSE_POOL,
        partitions_def=daily_partitions(config),
        backfill_policy=SINGLE_RUN,
    )
    def ahrefs_domain_rating(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource, ahrefs: AhrefsResource
    ) -> dg.MaterializeResult:
        """Each site's Domain Rating for the run's day partitions, from Ahrefs API v3
        `domain-rating-history` (one request per site for the whole range, stretched back to
        any day whose pull failed before: those are named by the
        `ahrefs_domain_rating_failed_pulls` check until a pull succeeds)."""
        days = partition_days(context)
        report = PullReport(DOMAIN_RATING_SOURCE)
        with warehouse.get_connection() as con:
            ensure_raw_tables(con)
            if not ahrefs.api_key:
                context.log.info("Ahrefs API skipped: AHREFS_API_KEY is not set")
                return dg.MaterializeResult(metadata=report.metadata())
            earlier_failures = failed_days(con, DOMAIN_RATING_SOURCE, own)
            with ahrefs.get_client() as client:
                for site in own:
                    first = min([days[0], *earlier_failures.get(site, ())])
                    last = max([days[-1], *earlier_failures.get(site, ())])
                    span = [first + timedelta(n) for n in range((last - first).days + 1)]

                    def pull(site=site, first=first, last=last):
                        before = client.requests
                        ratings = client.domain_rating_history(site, first, last)
                        write_domain_ratings(con, ratings, site=site, pull_id=new_pull_id())
                        per_day = Counter(date.fromisoformat(str(r["date"])[:10]) for r in ratings)
                        return per_day, client.requests - before

                    pull_days(context, con, report, site, span, pull)
            report.log_failures(context)
        return dg.MaterializeResult(
            metadata={
                **report.metadata(),
                "days": dg.MetadataValue.text(f"{days[0]}..{days[-1]}"),
            }
        )

    return [ahrefs_backlinks, ahrefs_domain_rating]
