"""The inbox's asset check: files loaded for a domain linkokr.yml does not name.

Such a file is in `raw` (nothing is lost) but held out of the marts; this WARN check names each
one, its domain, and the fix. Adding the domain to the config brings its rows in on the next run.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.inbox.ledger import ensure_ops_tables
from ingest.inbox.run_summary import SITE_KINDS, fix_for
from orchestration.defs.inbox.assets import LEDGER_KEY
from orchestration.resources import WAREHOUSE_POOL


def held_out_files(con, domains: list[str]) -> list[tuple]:
    """(file name, kind, domain, rows, loaded at) of loaded files for unconfigured domains."""
    ensure_ops_tables(con)
    return con.execute(
        """select file_name, kind, site, rows_loaded, loaded_at
           from ops.ingested_files
           where status = 'loaded' and list_contains(?, kind)
             and site is not null and not list_contains(?, site)
           order by site, loaded_at, file_name""",
        [list(SITE_KINDS), domains],
    ).fetchall()


def build_held_out_check(domains: list[str]) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=LEDGER_KEY,
        name="files_for_unconfigured_domains",
        pool=WAREHOUSE_POOL,
        description=(
            "WARN when a backlink, ranking or traffic file is for a domain that is neither a "
            "site nor a competitor in linkokr.yml: its rows are kept in raw, out of the marts."
        ),
    )
    def files_for_unconfigured_domains(warehouse: DuckDBResource) -> dg.AssetCheckResult:
        with warehouse.get_connection() as con:
            held_out = held_out_files(con, domains)
        by_domain: dict[str, list[str]] = {}
        for file_name, kind, domain, _, _ in held_out:
            by_domain.setdefault(domain, []).append(f"{kind}/{file_name}")
        table = "\n".join(
            f"| `{kind}/{name}` | {domain} | {rows:,} | {loaded_at:%Y-%m-%d %H:%M} |"
            for name, kind, domain, rows, loaded_at in held_out
        )
        return dg.AssetCheckResult(
            passed=not held_out,
            severity=dg.AssetCheckSeverity.WARN,
            description=(
                "; ".join(
                    f"{', '.join(files)}: {fix_for(domain)}" for domain, files in by_domain.items()
                )
                or "every loaded file is for a configured site or competitor"
            ),
            metadata={
                "held_out_files": dg.MetadataValue.int(len(held_out)),
                "domains": dg.MetadataValue.text(", ".join(by_domain)),
                "files": dg.MetadataValue.md(
                    "| file | domain | rows | loaded at (UTC) |\n|---|---|---|---|\n" + table
                    if held_out
                    else "none"
                ),
            },
        )

    return files_for_unconfigured_domains
