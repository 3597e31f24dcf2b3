"""GA4 landing-page traffic via the Data API (`google-analytics-data`), one request set per
property and day: https://developers.google.com/analytics/devguides/reporting/data/v1"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.config import LinkokrConfig
from ingest.sources.ga4.api import ensure_tables, fetch_day, write_day
from orchestration.defs.ga4.resources import Ga4Resource
from orchestration.defs.pulls import PullReport, failed_days, pull_one
from orchestration.partitions import SINGLE_RUN, daily_partitions, partition_days
from orchestration.resources import WAREHOUSE_POOL

SOURCE = "ga4"


def build_ga4_asset(config: LinkokrConfig) -> dg.AssetsDefinition:
    properties = [(s.domain, s.ga4_property_id) for s in config.sites if s.ga4_property_id]

    @dg.multi_asset(
        name="ga4_traffic",
        specs=[
            dg.AssetSpec(
                ["raw", "ga4_traffic"],
                group_name="ga4",
                kinds={"duckdb", "googleanalytics"},
                description="GA4 `runReport` rows per property and day: date, hostName, "
                "landingPagePlusQueryString, sessionDefaultChannelGroup; sessions, "
                "engagedSessions, keyEvents, transactions, purchaseRevenue.",
            ),
            dg.AssetSpec(
                ["ops", "ga4_report_metadata"],
                group_name="ga4",
                kinds={"duckdb"},
                description="Per property and day: thresholding, `(other)` row, "
                "sampling, time zone, currency and quota left.",
            ),
        ],
        pool=WAREHOUSE_POOL,
        partitions_def=daily_partitions(config),
        backfill_policy=SINGLE_RUN,
    )
    def ga4_traffic(
        context: dg.AssetExecutionContext,
        warehouse: DuckDBResource,
        ga4: Ga4Resource,
    ):
        """Pull each configured GA4 property for every day partition of the run (each day
        replaced whole, never partly). GA4 revises recent days: the daily schedule re-reads the
        last `lookback_days` partitions; a backfill of a date range runs as one run.

        A day that still fails after retries keeps its earlier copy, is recorded as failed in
        `ops.api_pulls` and named by the `ga4_failed_pulls` check; the other days still load,
        and the next run pulls it again whatever its range."""
        days = partition_days(context)
        start, end = days[0], days[-1]
        report = PullReport(SOURCE)
        with warehouse.get_connection() as con:
            ensure_tables(con)
            if not ga4.is_configured:
                context.log.info(
                    "GA4 skipped: neither LINKOKR_GA4_ENDPOINT nor "
                    "GOOGLE_APPLICATION_CREDENTIALS is set"
                )
            elif not properties:
                context.log.info("GA4 skipped: no site in the config has a ga4_property_id")
            else:
                client = ga4.get_client()
                http = ga4.http()
                earlier_failures = failed_days(con, SOURCE, [p for _, p in properties])
                for site, property_id in properties:
                    again = sorted(set(earlier_failures.get(property_id, ())) - set(days))
                    context.log.info(
                        "GA4 property %s (%s): %d days %s..%s%s",
                        property_id,
                        site,
                        len(days),
                        start,
                        end,
                        f", and {len(again)} failed earlier: {', '.join(map(str, again))}"
                        if again
                        else "",
                    )
                    todo = sorted({*days, *again})
                    for number, day in enumerate(todo, start=1):

                        def pull(property_id=property_id, day=day):
                            result = fetch_day(
                                client, property_id, day, retry=http.retry, timeout=http.timeout
                            )
                            written = write_day(
                                con, property_id, day, result, source_label="ga4_api"
                            )
                            return written, result.requests

                        pull_one(context, con, report, property_id, day, pull, quiet=True)
                        if number % 30 == 0 or number == len(todo):
                            context.log.info(
                                "GA4 %s: %d/%d days, %s rows so far",
                                property_id,
                                number,
                                len(todo),
                                f"{report.rows:,}",
                            )
                report.log_failures(context)
        yield dg.MaterializeResult(
            asset_key=["raw", "ga4_traffic"],
            metadata={**report.metadata(), "days": dg.MetadataValue.text(f"{start}..{end}")},
        )
        yield dg.MaterializeResult(asset_key=["ops", "ga4_report_metadata"])

    return ga4_traffic
