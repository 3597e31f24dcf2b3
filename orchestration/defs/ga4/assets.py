"""GA4 landing-page traffic via the Data API (`google-analytics-data`), one request set per
property and day: https://developers.google.com/analytics/devguides/reporting/data/v1"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.config import LinkokrConfig
from ingest.ga4 import ensure_tables, fetch_day, write_day
from ingest.ledger import record_api_pull
from orchestration.defs.ga4.resources import Ga4Resource
from orchestration.resources import (
    DAILY_PARTITIONS,
    SINGLE_RUN,
    WAREHOUSE_POOL,
    partition_days,
)


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
        partitions_def=DAILY_PARTITIONS,
        backfill_policy=SINGLE_RUN,
    )
    def ga4_traffic(
        context: dg.AssetExecutionContext,
        warehouse: DuckDBResource,
        ga4: Ga4Resource,
    ):
        """Pull each configured GA4 property for every day partition of the run (each day
        replaced whole, never partly). GA4 revises recent days: the daily schedule re-reads the
        last `lookback_days` partitions; a backfill of a date range runs as one run."""
        days = partition_days(context)
        start, end = days[0], days[-1]
        rows = requests = 0
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
                for site, property_id in properties:
                    context.log.info(
                        "GA4 property %s (%s): %d days %s..%s",
                        property_id,
                        site,
                        len(days),
                        start,
                        end,
                    )
                    for number, day in enumerate(days, start=1):
                        try:
                            result = fetch_day(client, property_id, day)
                        except Exception as error:
                            record_api_pull(
                                con,
                                source="ga4",
                                subject=property_id,
                                partition_date=day,
                                status="failed",
                                rows=None,
                                requests=None,
                                error=str(error)[:1000],
                            )
                            raise
                        written = write_day(con, property_id, day, result, source_label="ga4_api")
                        record_api_pull(
                            con,
                            source="ga4",
                            subject=property_id,
                            partition_date=day,
                            status="loaded",
                            rows=written,
                            requests=result.requests,
                        )
                        rows += written
                        requests += result.requests
                        if number % 30 == 0 or number == len(days):
                            context.log.info(
                                "GA4 %s: %d/%d days, %d rows so far",
                                property_id,
                                number,
                                len(days),
                                rows,
                            )
        yield dg.MaterializeResult(
            asset_key=["raw", "ga4_traffic"],
            metadata={
                "rows": dg.MetadataValue.int(rows),
                "requests": dg.MetadataValue.int(requests),
                "days": dg.MetadataValue.text(f"{start}..{end}"),
            },
        )
        yield dg.MaterializeResult(asset_key=["ops", "ga4_report_metadata"])

    return ga4_traffic
