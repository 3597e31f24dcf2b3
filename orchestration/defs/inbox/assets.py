"""Inbox files -> `raw`: backlink exports, rank-tracker exports and domain metrics (sources.md).

Drop a vendor export into `inbox/<kind>/`; the next materialization loads every file it has not
seen (by content hash), moves unparseable ones to `_rejected/` with a reason, and records each in
`ops.ingested_files`.
"""

from collections import Counter
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.formats import FORMATS_BY_KIND
from ingest.inbox import ensure_raw_tables, load_file, scan_inbox
from orchestration.resources import WAREHOUSE_POOL

RAW_TABLES = sorted({fmt.table for formats in FORMATS_BY_KIND.values() for fmt in formats})
TABLE_DOCS = {
    "backlinks_ahrefs": "Ahrefs backlink exports (UTF-16 TAB or UTF-8; current and legacy). "
    "[Ahrefs export docs](https://help.ahrefs.com/en/articles/72658-how-do-i-export-backlinks)",
    "backlinks_semrush": "Semrush Backlink Analytics exports.",
    "backlinks_majestic": "Majestic backlink exports.",
    "backlinks_moz": "Moz Link Explorer exports.",
    "rankings_tracker": "Rank-tracker exports (Semrush Position Tracking, SE Ranking, Ahrefs "
    "Rank Tracker, AccuRanker, generic long files), reshaped to keyword, date, position, URL.",
    "gsc_export": "Search Console UI exports (zips of Queries, Pages, Dates... in any locale): "
    "period aggregates, kept in staging only.",
    "domain_metrics": "Domain authority observations (`date, domain, metric, value`) and the "
    "Ahrefs Domain Rating history export.",
    "traffic_ga4_export": "GA4 UI exports of landing-page traffic, the offline fallback for the "
    "Data API (an API-pulled day wins over an exported one).",
}


def build_inbox_asset(inbox: Path, date_order: str = "auto") -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            ["raw", table],
            group_name="inbox",
            kinds={"duckdb", "csv"},
            description=TABLE_DOCS.get(table, f"`raw.{table}`"),
        )
        for table in RAW_TABLES
    ]
    specs.append(
        dg.AssetSpec(
            ["ops", "ingested_files"],
            group_name="inbox",
            kinds={"duckdb"},
            description="The ledger of inbox files: one row per file seen, with its status.",
        )
    )

    @dg.multi_asset(name="inbox_files", specs=specs, pool=WAREHOUSE_POOL)
    def inbox_files(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
        """Load every new file under the inbox (`backlinks/`, `rankings/`, `domain_metrics/`)."""
        files = scan_inbox(inbox, kinds=FORMATS_BY_KIND)
        context.log.info("inbox %s: %d files to check", inbox, len(files))
        rows_by_table: Counter[str] = Counter()
        statuses: Counter[str] = Counter()
        rejected: list[str] = []
        with warehouse.get_connection() as con:
            ensure_raw_tables(con)
            for number, (kind, path) in enumerate(files, start=1):
                result = load_file(con, path, kind, kind_dir=inbox / kind, date_order=date_order)
                statuses[result.status] += 1
                if result.status == "loaded":
                    table = next(
                        f.table for f in FORMATS_BY_KIND[kind] if f.source == result.source
                    )
                    rows_by_table[table] += result.rows_loaded
                    context.log.info(
                        "[%d/%d] %s/%s: %d rows (%s, site %s, snapshot %s)",
                        number,
                        len(files),
                        kind,
                        path.name,
                        result.rows_loaded,
                        result.source,
                        result.site,
                        result.snapshot_date,
                    )
                elif result.status == "rejected":
                    rejected.append(f"{kind}/{path.name}: {result.error}")
                    context.log.warning("rejected %s/%s: %s", kind, path.name, result.error)
            ledger = con.execute(
                "select status, count(*) from ops.ingested_files group by status order by status"
            ).fetchall()
        for table in RAW_TABLES:
            yield dg.MaterializeResult(
                asset_key=["raw", table],
                metadata={"rows_loaded_this_run": dg.MetadataValue.int(rows_by_table[table])},
            )
        summary = "\n".join(f"- {line}" for line in rejected) or "none"
        yield dg.MaterializeResult(
            asset_key=["ops", "ingested_files"],
            metadata={
                "files_checked": dg.MetadataValue.int(len(files)),
                **{f"files_{status}": dg.MetadataValue.int(n) for status, n in statuses.items()},
                "ledger": dg.MetadataValue.md(
                    "| status | files |\n|---|---|\n"
                    + "\n".join(f"| {status} | {n} |" for status, n in ledger)
                ),
                "rejected": dg.MetadataValue.md(summary),
            },
        )

    return inbox_files
