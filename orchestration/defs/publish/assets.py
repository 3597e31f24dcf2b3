"""The serving copy: the marts published for analysts and BI tools after every dbt build.

BI tools and notebooks read `LINKOKR_SERVING` (a DuckDB file in the v1.4 storage format) and
`<warehouse dir>/parquet/<mart>.parquet`, never the warehouse itself, so they neither block the
pipeline nor see a half-built table (`serve/publish.py`).
"""

import json
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtProject
from dagster_duckdb import DuckDBResource

from ingest.settings import Paths
from orchestration.defs.dbt.assets import LinkokrDbtTranslator
from orchestration.resources import WAREHOUSE_POOL
from serve.publish import publish

SERVING_KEY = dg.AssetKey(["serving", "linkokr_serving"])


def mart_keys(manifest_path: Path) -> list[dg.AssetKey]:
    """The asset key of every dbt model in the `marts` schema, as the dbt assets name them."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    translator = LinkokrDbtTranslator()
    keys = (
        translator.get_asset_key(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    )
    return sorted((key for key in keys if key.path[0] == "marts"), key=lambda k: k.path)


def parquet_dir(paths: Paths) -> Path:
    return paths.warehouse.parent / "parquet"


def build_publish_asset(project: DbtProject, paths: Paths) -> dg.AssetsDefinition:
    serving, parquet = paths.serving, parquet_dir(paths)

    @dg.asset(
        key=SERVING_KEY,
        deps=mart_keys(project.manifest_path),
        group_name="serving",
        kinds={"duckdb", "parquet"},
        pool=WAREHOUSE_POOL,
    )
    def linkokr_serving(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
        """The read-only copy of the `marts` schema (and the `ops` ledger) that analysts and BI
        tools query: Metabase, Superset, Evidence, a notebook, the DuckDB CLI, `linkokr status`.
        Written in DuckDB's v1.4 storage format, swapped in atomically after every dbt build, and
        also published as one Parquet file per mart. A publish writes only the rows that changed
        (into the previous copy, kept as a standby) and the Parquet files of changed marts. See
        "Reading the marts (BI tools)" in the README and the [DuckDB storage docs](https://duckdb.org/docs/stable/internals/storage)."""
        with warehouse.get_connection() as con:
            result = publish(con, serving, parquet)
        context.log.info(
            "serving copy %s: %d tables, %d bytes",
            serving,
            len(result.row_counts),
            result.serving_bytes,
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.serving_path)),
                "parquet_dir": dg.MetadataValue.path(str(result.parquet_dir)),
                "storage_version": result.storage_version,
                "bytes": dg.MetadataValue.int(result.serving_bytes),
                "parquet_bytes": dg.MetadataValue.int(result.parquet_bytes),
                "tables": dg.MetadataValue.int(len(result.row_counts)),
                "rows": dg.MetadataValue.int(sum(result.row_counts.values())),
                # what this publish wrote: proportional to what the dbt build changed
                "method": result.method,
                "rows_deleted": dg.MetadataValue.int(
                    sum(d for d, _ in result.changed_rows.values())
                ),
                "rows_inserted": dg.MetadataValue.int(
                    sum(i for _, i in result.changed_rows.values())
                ),
                "parquet_rewritten": dg.MetadataValue.int(len(result.parquet_rewritten)),
                "row_counts": dg.MetadataValue.md(
                    "| table | rows |\n|---|---:|\n"
                    + "\n".join(f"| {name} | {n:,} |" for name, n in result.row_counts.items())
                ),
            }
        )

    return linkokr_serving
