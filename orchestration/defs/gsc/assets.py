"""Search Console search analytics (date × query × page) per site and day partition."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.api_pulls import new_pull_id
from ingest.config import LinkokrConfig
from ingest.sources.gsc.api import ensure_table, write_day
from orchestration.defs.gsc.resources import GscResource
from orchestration.defs.pulls import PullReport, failed_days, pull_one
from orchestration.partitions import SINGLE_RUN, daily_partitions, partition_days
from orchestration.resources import WAREHOUSE_POOL

SEARCH_ANALYTICS = dg.AssetKey(["raw", "gsc_search_analytics"])
SOURCE = "gsc"


def build_gsc_asset(config: LinkokrConfig) -> dg.AssetsDefinition:
    sites = {s.domain: s.gsc_site_url for s in config.sites if s.gsc_site_url}

    @dg.asset(
        key=SEARCH_ANALYTICS,
        group_name="search_console",
        kinds={"duckdb", "api"},
        pool=WAREHOUSE_POOL,
        partitions_def=daily_partitions(config),
        backfill_policy=SINGLE_RUN,
    )
    def gsc_search_analytics(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource, gsc: GscResource
    ) -> dg.MaterializeResult:
        """Clicks, impressions, CTR and position per date, query and page from the Search
        Console API (`dataState: all`, `startRow` paging at 25,000), each site-day replaced
        whole. Search Console revises its last days: the daily schedule re-reads the lookback
        partitions. Not pulled while neither LINKOKR_GSC_ENDPOINT nor
        GOOGLE_APPLICATION_CREDENTIALS is set.

        A site-day that still fails after retries keeps its earlier copy, is recorded as failed
        in `ops.api_pulls` and named by the `gsc_failed_pulls` check; the others still load, and
        the next run pulls it again whatever its range."""
        days = partition_days(context)
        report = PullReport(SOURCE)
        with warehouse.get_connection() as con:
            ensure_table(con)
            if not gsc.is_configured:
                context.log.info(
                    "Search Console skipped: neither LINKOKR_GSC_ENDPOINT nor "
                    "GOOGLE_APPLICATION_CREDENTIALS is set"
                )
                return dg.MaterializeResult(metadata=report.metadata())
            earlier_failures = failed_days(con, SOURCE, list(sites))
            with gsc.get_client() as client:
                for site, site_url in sites.items():
                    again = sorted(set(earlier_failures.get(site, ())) - set(days))
                    if again:
                        context.log.info(
                            "Search Console %s: pulling %d day(s) that failed earlier again: %s",
                            site,
                            len(again),
                            ", ".join(map(str, again)),
                        )
                    todo = sorted({*days, *again})
                    rows_before, loaded_before = report.rows, report.loaded
                    for day in todo:

                        def pull(site=site, site_url=site_url, day=day):
                            before = client.requests
                            rows = client.fetch_day(site_url, day)
                            written = write_day(
                                con,
                                site=site,
                                site_url=site_url,
                                day=day,
                                rows=rows,
                                pull_id=new_pull_id(),
                            )
                            return written, client.requests - before

                        # one line per day at DEBUG, one per site below
                        pull_one(context, con, report, site, day, pull, quiet=True)
                    context.log.info(
                        "Search Console %s: %d of %d days loaded, %s rows (%s..%s)",
                        site,
                        report.loaded - loaded_before,
                        len(todo),
                        f"{report.rows - rows_before:,}",
                        todo[0],
                        todo[-1],
                    )
            report.log_failures(context)
        return dg.MaterializeResult(
            metadata={
                **report.metadata(),
                "days": dg.MetadataValue.text(f"{days[0]}..{days[-1]}"),
            }
        )

    return gsc_search_analytics
