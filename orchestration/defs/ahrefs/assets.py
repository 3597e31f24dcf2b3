"""Ahrefs API pulls: every backlink of each site and competitor (a snapshot dated the pull day,
so not day-partitioned), and each site's Domain Rating history over the pull window."""

from datetime import date

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.ahrefs import write_backlinks, write_domain_ratings
from ingest.api_pulls import new_pull_id
from ingest.config import LinkokrConfig
from ingest.inbox import ensure_raw_tables
from ingest.ledger import record_api_pull
from orchestration.defs.ahrefs.resources import AhrefsResource
from orchestration.resources import WAREHOUSE_POOL, PullWindow, site_targets

BACKLINKS = dg.AssetKey(["raw", "backlinks_ahrefs_api"])
DOMAIN_RATINGS = dg.AssetKey(["raw", "domain_metrics_ahrefs_api"])


def build_ahrefs_asset(config: LinkokrConfig) -> dg.AssetsDefinition:
    own, competitors = site_targets(config)
    lookback = config.settings.lookback_days

    @dg.multi_asset(
        name="ahrefs_api",
        specs=[
            dg.AssetSpec(
                BACKLINKS,
                group_name="ahrefs",
                kinds={"duckdb", "api"},
                description="Ahrefs `all-backlinks` pulls per site and competitor.",
            ),
            dg.AssetSpec(
                DOMAIN_RATINGS,
                group_name="ahrefs",
                kinds={"duckdb", "api"},
                description="Ahrefs `domain-rating-history` per site.",
            ),
        ],
        pool=WAREHOUSE_POOL,
    )
    def ahrefs_api(
        context: dg.AssetExecutionContext,
        config: PullWindow,
        warehouse: DuckDBResource,
        ahrefs: AhrefsResource,
    ):
        """Pull backlinks (keyset-paged, capped per pull) and DR history from Ahrefs API v3.

        Skipped with a log line when AHREFS_API_KEY is not set. Each target is written in one
        transaction; a failing target is recorded in `ops.api_pulls` and fails the asset after
        the others have been pulled."""
        pulled = {"backlinks": 0, "domain_ratings": 0}
        failures: list[str] = []
        with warehouse.get_connection() as con:
            ensure_raw_tables(con)
            if not ahrefs.api_key:
                context.log.info("Ahrefs API skipped: AHREFS_API_KEY is not set")
            else:
                today = date.today()
                start, end = config.days(lookback)
                with ahrefs.get_client() as client:
                    for target in own + competitors:
                        before = client.requests
                        try:
                            rows = write_backlinks(
                                con,
                                client.iter_backlink_pages(
                                    target, max_rows=ahrefs.max_rows_per_pull
                                ),
                                target=target,
                                site=target,
                                pull_id=new_pull_id(),
                                snapshot_date=today,
                            )
                        except Exception as error:  # recorded, then the asset fails below
                            failures.append(f"backlinks {target}: {error}")
                            record_api_pull(
                                con,
                                source="ahrefs_backlinks",
                                subject=target,
                                partition_date=today,
                                status="failed",
                                rows=None,
                                requests=client.requests - before,
                                error=str(error)[:1000],
                            )
                            continue
                        pulled["backlinks"] += rows
                        record_api_pull(
                            con,
                            source="ahrefs_backlinks",
                            subject=target,
                            partition_date=today,
                            status="loaded",
                            rows=rows,
                            requests=client.requests - before,
                        )
                        context.log.info("Ahrefs backlinks %s: %d rows", target, rows)
                    for site in own:
                        before = client.requests
                        try:
                            ratings = client.domain_rating_history(site, start, end)
                            rows = write_domain_ratings(
                                con, ratings, site=site, pull_id=new_pull_id()
                            )
                        except Exception as error:
                            failures.append(f"domain rating {site}: {error}")
                            record_api_pull(
                                con,
                                source="ahrefs_domain_rating",
                                subject=site,
                                partition_date=end,
                                status="failed",
                                rows=None,
                                requests=client.requests - before,
                                error=str(error)[:1000],
                            )
                            continue
                        pulled["domain_ratings"] += rows
                        record_api_pull(
                            con,
                            source="ahrefs_domain_rating",
                            subject=site,
                            partition_date=end,
                            status="loaded",
                            rows=rows,
                            requests=client.requests - before,
                        )
        if failures:
            raise dg.Failure("Ahrefs pulls failed:\n" + "\n".join(failures))
        yield dg.MaterializeResult(
            asset_key=BACKLINKS, metadata={"rows": dg.MetadataValue.int(pulled["backlinks"])}
        )
        yield dg.MaterializeResult(
            asset_key=DOMAIN_RATINGS,
            metadata={"rows": dg.MetadataValue.int(pulled["domain_ratings"])},
        )

    return ahrefs_api
