"""Inbox files -> `raw`: backlink exports, rank-tracker exports, domain metrics and GA4 report
downloads (docs/sources.md).

Drop a vendor export into `inbox/<kind>/` (or a date-named folder below it); the next
materialization loads every file it has not seen (by content hash), moves unparseable ones to
`_rejected/` with a reason, and records each in `ops.ingested_files`. A file still being written
waits for the next run. The run summary (what became of each file) is in the metadata of
`ops/ingested_files`, and `linkokr run` prints it.
"""

from collections import Counter
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest import scratch as scratch_files
from ingest.config import LinkokrConfig
from ingest.inbox import ensure_raw_tables, load_file, run_summary, scan_inbox, settle, shown
from ingest.inbox.formats import FORMATS_BY_KIND
from ingest.inbox.load import LoadResult, already_loaded
from orchestration.resources import WAREHOUSE_POOL

RAW_TABLES = sorted({fmt.table for formats in FORMATS_BY_KIND.values() for fmt in formats})
LEDGER_KEY = dg.AssetKey(["ops", "ingested_files"])
RUN_SUMMARY = "run_summary"  # the metadata key `linkokr run` prints
TABLE_DOCS = {
    "backlinks_ahrefs": "Ahrefs backlink exports (UTF-16 TAB or UTF-8; current and legacy). "
    "[Ahrefs export docs](https://help.ahrefs.com/en/articles/72658-how-do-i-export-backlinks)",
    "backlinks_semrush": "Semrush Backlink Analytics exports.",
    "backlinks_majestic": "Majestic backlink exports.",
    "backlinks_moz": "Moz Link Explorer exports.",
    "rankings_tracker": "Rank-tracker exports (Semrush Position Tracking, SE Ranking, Ahrefs "
    "Rank Tracker, AccuRanker, generic long files), reshaped to keyword, date, position, URL.",
    "gsc_export": "Search Console UI exports (the Performance report's zip as downloaded, any "
    "UI language, compare mode's current period): period aggregates per query, page, country, "
    "device; they reach `marts.fct_search_console_periods`.",
    "domain_metrics": "Domain authority observations (`date, domain, metric, value`) and the "
    "Ahrefs Domain Rating history export.",
    "traffic_ga4_export": "GA4 report downloads of landing-page traffic (with a Date dimension, "
    "or one day per file), the offline fallback for the Data API (an API-pulled day wins over "
    "an exported one).",
}


def configured_domains(config: LinkokrConfig) -> list[str]:
    """Every site and competitor linkokr.yml names: the domains whose files reach the marts."""
    return sorted(
        {s.domain for s in config.sites} | {c for s in config.sites for c in s.competitors}
    )


def build_inbox_asset(
    inbox: Path, config: LinkokrConfig, scratch: Path | None = None
) -> dg.AssetsDefinition:
    """The inbox multi-asset; `scratch` is where zips are extracted and files transcoded."""
    date_order = config.settings.date_order
    settle_seconds = config.settings.inbox_settle_seconds
    domains = configured_domains(config)
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
            LEDGER_KEY,
            group_name="inbox",
            kinds={"duckdb"},
            description="The ledger of inbox files: one row per file seen, with its status.",
        )
    )

    @dg.multi_asset(name="inbox_files", specs=specs, pool=WAREHOUSE_POOL)
    def inbox_files(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
        """Load every new file under the inbox (`backlinks/`, `rankings/`, `domain_metrics/`,
        `traffic/`), once it has stopped changing."""
        if scratch is not None:
            # this step runs alone (the warehouse pool): what is there was left by a dead run
            for path in scratch_files.remove(scratch_files.inbox_leftovers(scratch)):
                context.log.info("removed %s, left by a run that did not finish", path)
        found = settle(scan_inbox(inbox, kinds=FORMATS_BY_KIND), settle_seconds)
        for kind, path in found.changing:
            context.log.info(
                "%s/%s is still being written: left for the next run", kind, shown(path.name)
            )
        files = found.ready
        rows_by_table: Counter[str] = Counter()
        statuses: Counter[str] = Counter()
        results = []
        with warehouse.get_connection() as con:
            ensure_raw_tables(con)
            # the counter below counts the files to load, not those loaded on an earlier run
            known = {(kind, path) for kind, path in files if already_loaded(con, path)}
            new = [file for file in files if file not in known]
            if new:  # else the summary line below says "no new files"
                context.log.info(
                    "inbox %s: %d new file(s) to load, %d already loaded",
                    inbox,
                    len(new),
                    len(known),
                )
            for kind, path in sorted(known):
                results.append(LoadResult(path, kind, "skipped"))
                statuses["skipped"] += 1
            for number, (kind, path) in enumerate(new, start=1):
                result = load_file(con, path, kind, kind_dir=inbox / kind, date_order=date_order)
                results.append(result)
                statuses[result.status] += 1
                counter = f"[{number}/{len(new)}] {kind}/{shown(path.name)}"
                if result.status == "loaded":
                    table = next(
                        f.table for f in FORMATS_BY_KIND[kind] if f.source == result.source
                    )
                    rows_by_table[table] += result.rows_loaded
                    context.log.info(
                        "%s: %s rows (%s, site %s, snapshot %s)",
                        counter,
                        f"{result.rows_loaded:,}",
                        result.source,
                        result.site or "none",
                        result.snapshot_date,
                    )
                elif result.status == "rejected":
                    context.log.warning("%s rejected: %s", counter, shown(result.error))
                elif result.status == "duplicate":
                    context.log.info(
                        "%s: same content as %s, nothing loaded",
                        counter,
                        shown(result.duplicate_of),
                    )
                elif result.status == "skipped":  # moved or touched: loaded under this name
                    context.log.info("%s: already loaded, nothing to do", counter)
                else:  # unreadable or vanished: tried again on the next run
                    context.log.warning("%s: %s", counter, shown(result.error))
            ledger = con.execute(
                "select status, count(*) from ops.ingested_files group by status order by status"
            ).fetchall()
        fates = run_summary.fates(results, domains, inbox=inbox, changing=found.changing)
        for fate in fates:
            if fate.fate == "held out":
                context.log.warning("held out %s: %s", fate.file, fate.detail)
        # the whole table is in the metadata below (and `linkokr run` prints it at the end)
        context.log.info(run_summary.as_text(fates, statuses["skipped"]).splitlines()[0])
        for table in RAW_TABLES:
            yield dg.MaterializeResult(
                asset_key=["raw", table],
                metadata={"rows_loaded_this_run": dg.MetadataValue.int(rows_by_table[table])},
            )
        yield dg.MaterializeResult(
            asset_key=LEDGER_KEY,
            metadata={
                "files_checked": dg.MetadataValue.int(len(files)),
                **{f"files_{status}": dg.MetadataValue.int(n) for status, n in statuses.items()},
                "files_still_being_written": dg.MetadataValue.int(len(found.changing)),
                "run_summary_table": dg.MetadataValue.md(run_summary.as_markdown(fates)),
                RUN_SUMMARY: dg.MetadataValue.json(
                    {
                        "files": [fate.as_dict() for fate in fates],
                        "already_loaded": statuses["skipped"],
                    }
                ),
                "ledger": dg.MetadataValue.md(
                    "| status | files |\n|---|---|\n"
                    + "\n".join(f"| {status} | {n} |" for status, n in ledger)
                ),
            },
        )

    return inbox_files
