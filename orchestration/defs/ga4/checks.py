"""GA4 checks: the signals most GA4 connectors throw away (docs/config.md, docs/sources.md §4),
and the days that could not be pulled.

The data-quality checks WARN (never block) over the last 28 days each configured property has
been pulled for: a thresholded day (Google withheld rows to protect privacy), a sampled day, a
day whose rows spilled into the `(other)` row, and a day that is missing altogether.
`ga4_failed_pulls` is an ERROR naming the property-days that still fail after retries."""

from datetime import date, timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.config import LinkokrConfig
from ingest.sources.ga4.api import ensure_tables
from orchestration.defs.pulls import failed_pulls_check
from orchestration.resources import WAREHOUSE_POOL

TRAFFIC = dg.AssetKey(["raw", "ga4_traffic"])
WINDOW_DAYS = 28
CHECKS = {
    "ga4_thresholded_days": ("subject_to_thresholding", "GA4 applied thresholding"),
    "ga4_sampled_days": ("is_sampled", "GA4 sampled the report"),
    "ga4_other_row_days": ("data_loss_from_other_row", "rows were folded into `(other)`"),
}


def build_ga4_checks(config: LinkokrConfig) -> list[dg.AssetChecksDefinition]:
    properties = [s.ga4_property_id for s in config.sites if s.ga4_property_id]
    specs = [
        dg.AssetCheckSpec(name, asset=TRAFFIC, description=f"WARN when {what} on a recent day.")
        for name, (_, what) in CHECKS.items()
    ]
    specs.append(
        dg.AssetCheckSpec(
            "ga4_missing_days",
            asset=TRAFFIC,
            description="WARN when a recent day of a configured property has not been pulled.",
        )
    )

    @dg.multi_asset_check(
        specs=specs, can_subset=True, pool=WAREHOUSE_POOL, name="ga4_data_quality"
    )
    def ga4_data_quality(context: dg.AssetCheckExecutionContext, warehouse: DuckDBResource):
        """Read `ops.ga4_report_metadata` for the last 28 days of every configured property."""
        yesterday = date.today() - timedelta(days=1)
        with warehouse.get_connection() as con:
            ensure_tables(con)
            rows = con.execute(
                """select property_id, date, subject_to_thresholding, is_sampled,
                          data_loss_from_other_row
                   from ops.ga4_report_metadata
                   where property_id in (select unnest(?))
                     and date > (select max(date) from ops.ga4_report_metadata) - ?""",
                [properties, WINDOW_DAYS],
            ).fetchall()
        flags = {name: [] for name in CHECKS}
        seen: dict[str, set[date]] = {p: set() for p in properties}
        for property_id, day, thresholded, sampled, other in rows:
            seen[property_id].add(day)
            values = {
                "subject_to_thresholding": thresholded,
                "is_sampled": sampled,
                "data_loss_from_other_row": other,
            }
            for name, (column, _) in CHECKS.items():
                if values[column]:
                    flags[name].append(f"{property_id} {day}")
        selected = {key.name for key in context.selected_asset_check_keys}
        for name, (_, what) in CHECKS.items():
            if name in selected:
                days = sorted(flags[name])
                yield dg.AssetCheckResult(
                    check_name=name,
                    asset_key=TRAFFIC,
                    passed=not days,
                    severity=dg.AssetCheckSeverity.WARN,
                    description=f"{what} on {len(days)} day(s)" if days else f"never {what}",
                    metadata={
                        "days": dg.MetadataValue.int(len(days)),
                        "which": dg.MetadataValue.text(", ".join(days[:50])),
                    },
                )
        if "ga4_missing_days" in selected:
            missing = []
            for property_id, days in seen.items():
                if not days:
                    continue
                last = max(max(days), yesterday)
                first = max(min(days), last - timedelta(days=WINDOW_DAYS - 1))
                missing += [
                    f"{property_id} {first + timedelta(n)}"
                    for n in range((last - first).days + 1)
                    if first + timedelta(n) not in days
                ]
            yield dg.AssetCheckResult(
                check_name="ga4_missing_days",
                asset_key=TRAFFIC,
                passed=not missing,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"{len(missing)} day(s) not pulled" if missing else "no day missing",
                metadata={
                    "days": dg.MetadataValue.int(len(missing)),
                    "which": dg.MetadataValue.text(", ".join(missing[:50])),
                },
            )

    failed_pulls = failed_pulls_check(
        name="ga4_failed_pulls",
        asset_key=TRAFFIC,
        source="ga4",
        subjects=properties,
        per_day=True,
        resource_key="ga4",
        is_configured=lambda ga4: ga4.is_configured,
    )
    return [ga4_data_quality, failed_pulls]
