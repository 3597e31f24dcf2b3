"""The OKR dashboard as an asset: a self-contained HTML page rebuilt after every dbt build, so the
page a marketing lead opens always matches the marts and the key-result checks."""

from collections.abc import Iterable
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.config import ADD_KEY_RESULTS_HINT
from orchestration.resources import WAREHOUSE_POOL
from serve.dashboard import dashboard_path, read_key_results, write_dashboard

DASHBOARD = dg.AssetKey(["dashboard", "okr_dashboard"])
OKR_MARTS = (
    dg.AssetKey(["marts", "fct_key_result_progress"]),
    dg.AssetKey(["marts", "dim_key_results"]),
)
# Read when the dbt project has them (the page renders without each).
OPTIONAL_MARTS = (
    dg.AssetKey(["marts", "fct_attribution_by_tier"]),
    dg.AssetKey(["marts", "fct_key_result_movers"]),
    dg.AssetKey(["marts", "dim_quality_tiers"]),
    dg.AssetKey(["marts", "fct_anchor_distribution"]),
)


def build_dashboard_asset(upstream: Iterable[dg.AssetsDefinition]) -> dg.AssetsDefinition:
    """The dashboard asset, downstream of the OKR marts, and of the attribution, movers, tier and
    anchor marts the dbt project has (a dep on a key nothing defines would show a phantom
    external asset)."""
    defined = {key for assets_def in upstream for key in assets_def.keys}
    deps = [*OKR_MARTS, *(key for key in OPTIONAL_MARTS if key in defined)]

    @dg.asset(
        key=DASHBOARD,
        deps=deps,
        group_name="dashboard",
        kinds={"html"},
        pool=WAREHOUSE_POOL,
    )
    def okr_dashboard(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource
    ) -> dg.MaterializeResult:
        """The OKR dashboard: per objective, each key result's value against its baseline and
        target, progress against its expected pace, one verdict that reads pace and the 28-day
        trend together, the daily trend, and why it moved (links won and lost, keywords and
        pages that moved, over 7 and 30 days); the behind / missed ones first; what links did
        by quality tier, the tier rules, and the anchor-text mix. One HTML file next to the
        warehouse (`dashboard/okr_dashboard.html`); it needs no network to open."""
        out_path = dashboard_path(Path(warehouse.database))
        with warehouse.get_connection() as con:
            write_dashboard(con, out_path)
            key_results = read_key_results(con)
        exceptions = [kr for kr in key_results if kr.status in ("behind", "missed")]
        context.log.info("OKR dashboard: %s", out_path.as_uri())
        if not key_results:
            preview = f"No key results yet: {ADD_KEY_RESULTS_HINT}."
        else:
            preview = (
                "\n".join(f"- **{kr.status}** {kr.title} (`{kr.kr_id}`)" for kr in exceptions)
                or "No key result is behind or missed."
            )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(out_path)),
                "url": dg.MetadataValue.url(out_path.as_uri()),
                "bytes": dg.MetadataValue.int(out_path.stat().st_size),
                "key_results": dg.MetadataValue.int(len(key_results)),
                "exceptions": dg.MetadataValue.int(len(exceptions)),
                "needs_attention": dg.MetadataValue.md(preview),
            }
        )

    return okr_dashboard
