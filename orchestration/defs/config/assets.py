"""The validated `linkokr.yml`, written to `raw.config_*` so dbt can read sites, page groups,
keyword sets and key results (docs/config.md, "How the config reaches the warehouse")."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.config import LinkokrConfig, write_config_tables
from orchestration.resources import WAREHOUSE_POOL

CONFIG_TABLES = (
    "config_settings",
    "config_sites",
    "config_page_groups",
    "config_keyword_sets",
    "config_key_results",
)


def build_config_asset(config: LinkokrConfig, config_path: str) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name="linkokr_config",
        specs=[
            dg.AssetSpec(
                ["raw", table],
                group_name="config",
                kinds={"duckdb"},
                description=f"`raw.{table}`: from the config file {config_path} (docs/config.md).",
            )
            for table in CONFIG_TABLES
        ],
        pool=WAREHOUSE_POOL,
    )
    def linkokr_config(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
        """Write the config loaded with this code location into `raw.config_*` (one transaction).

        Reload the code location after editing the file: the per-key-result checks are generated
        from the same config, so the two never disagree."""
        with warehouse.get_connection() as con:
            counts = write_config_tables(con, config)
        for table in CONFIG_TABLES:
            yield dg.MaterializeResult(
                asset_key=["raw", table],
                metadata={"rows": dg.MetadataValue.int(counts[f"raw.{table}"])},
            )
        context.log.info("config: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))

    return linkokr_config
