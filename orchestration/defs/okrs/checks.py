"""One asset check per configured key result on `marts.fct_key_result_progress` (docs/config.md,
"Checks and alerts"): passes when achieved or on track, WARN when at risk or without data,
ERROR when behind or missed. The day-by-day history lives in the mart; Dagster plots the numeric
metadata of each evaluation."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.config import LinkokrConfig
from orchestration.resources import WAREHOUSE_POOL

PROGRESS = dg.AssetKey(["marts", "fct_key_result_progress"])
PASSING = {"achieved", "on_track"}
WARNING = {"at_risk", "no_data"}
NUMERIC_FIELDS = (
    "value",
    "baseline",
    "target",
    "progress",
    "expected_progress",
    "pace",
    "projected_value",
    "days_remaining",
)
# Decimals shown in the check metadata (the UI and its plots): a ratio such as progress
# 0.5784946236559139 reads 0.578. The marts keep the raw values.
DISPLAY_DECIMALS = 3


def display_float(value: float, decimals: int = DISPLAY_DECIMALS) -> float:
    """`value` rounded for a person to read in metadata (never -0.0)."""
    return round(float(value), decimals) + 0.0


def check_outcome(status: str | None) -> tuple[bool, dg.AssetCheckSeverity]:
    if status in PASSING:
        return True, dg.AssetCheckSeverity.WARN
    if status in WARNING or status is None:
        return False, dg.AssetCheckSeverity.WARN
    return False, dg.AssetCheckSeverity.ERROR


def build_key_result_checks(config: LinkokrConfig) -> list[dg.AssetChecksDefinition]:
    key_results = config.key_results()
    if not key_results:
        return []
    by_check = {kr.check_name: kr for kr in key_results}
    specs = [
        dg.AssetCheckSpec(
            name=kr.check_name,
            asset=PROGRESS,
            description=f"{kr.objective_id} / {kr.title} ({kr.metric}, target {kr.target:g})",
        )
        for kr in key_results
    ]

    @dg.multi_asset_check(
        specs=specs, can_subset=True, pool=WAREHOUSE_POOL, name="key_result_checks"
    )
    def key_result_checks(context: dg.AssetCheckExecutionContext, warehouse: DuckDBResource):
        """Evaluate each key result's latest row of `fct_key_result_progress`."""
        wanted = [by_check[key.name] for key in context.selected_asset_check_keys]
        with warehouse.get_connection() as con:
            rows = con.execute(
                """select kr_id, date, status, projected_status, value, baseline, target, progress,
                          expected_progress, pace, projected_value, days_remaining
                   from marts.fct_key_result_progress
                   where is_latest and kr_id in (select unnest(?))""",
                [[kr.kr_id for kr in wanted]],
            ).fetchall()
            names = [d[0] for d in con.description]
        latest = {row[0]: dict(zip(names, row, strict=True)) for row in rows}
        for kr in wanted:
            row = latest.get(kr.kr_id)
            status = row["status"] if row else None
            passed, severity = check_outcome(status)
            metadata: dict[str, dg.RawMetadataValue] = {
                "kr_id": kr.kr_id,
                "status": status or "not computed",
                "metric": kr.metric,
            }
            if row:
                metadata["date"] = str(row["date"])
                metadata["projected_status"] = row["projected_status"] or ""
                for field in NUMERIC_FIELDS:
                    if row[field] is not None:
                        metadata[field] = dg.MetadataValue.float(display_float(row[field]))
            yield dg.AssetCheckResult(
                check_name=kr.check_name,
                asset_key=PROGRESS,
                passed=passed,
                severity=severity,
                description=_describe(kr.title, row),
                metadata=metadata,
            )

    return [key_result_checks]


def _describe(title: str, row: dict | None) -> str:
    if row is None:
        return f"{title}: not in fct_key_result_progress (has dbt built since the config changed?)"
    value = "no data" if row["value"] is None else f"{row['value']:g}"
    return f"{title}: {row['status']} — value {value} vs target {row['target']:g} on {row['date']}"
