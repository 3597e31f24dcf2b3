"""Backlink freshness (docs/config.md, "Checks and alerts"): WARN when an own site's latest backlink
snapshot from a vendor is older than `stale_export_days`. A link stays live until a later
snapshot of the same vendor drops it, so an export nobody refreshes keeps its links live forever
and quietly inflates every link key result."""

from datetime import date

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.resources import WAREHOUSE_POOL

BACKLINKS = dg.AssetKey(["marts", "fct_backlinks"])
DEFAULT_STALE_EXPORT_DAYS = 35


def latest_snapshots(con) -> list[tuple[str, str | None, date | None]]:
    """(site, vendor, latest snapshot date) for every own site and every vendor that ever had a
    snapshot of it; a site without any snapshot comes once, with vendor and date None."""
    return con.execute(
        """with own_sites as (
               select site from marts.dim_sites where not coalesce(is_competitor, false)
           ),
           latest as (
               select site, vendor, max(snapshot_date) as snapshot_date
               from intermediate.int_backlink_snapshots
               group by site, vendor
           )
           select own_sites.site, latest.vendor, latest.snapshot_date
           from own_sites
           left join latest using (site)
           order by own_sites.site, latest.vendor"""
    ).fetchall()


def stale_export_days(con) -> int:
    row = con.execute("select max(stale_export_days) from raw.config_settings").fetchone()
    return int(row[0]) if row and row[0] is not None else DEFAULT_STALE_EXPORT_DAYS


@dg.asset_check(
    asset=BACKLINKS,
    name="backlink_snapshots_fresh",
    pool=WAREHOUSE_POOL,
    description=(
        "WARN when an own site's latest backlink snapshot from a vendor is older than "
        "`stale_export_days`: its links would stay live forever."
    ),
)
def backlink_snapshots_fresh(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    """Age of each own site's latest snapshot per vendor (files and API pulls alike, as the
    marts saw them in `int_backlink_snapshots`) against `stale_export_days`."""
    today = date.today()
    with warehouse.get_connection() as con:
        limit = stale_export_days(con)
        snapshots = latest_snapshots(con)
    lines = ["| site | vendor | latest snapshot | age (days) |", "|---|---|---|---|"]
    stale, without = [], []
    for site, vendor, snapshot_date in snapshots:
        if snapshot_date is None:
            without.append(site)
            lines.append(f"| {site} | — | no snapshot | — |")
            continue
        age = (today - snapshot_date).days
        flag = " ⚠" if age > limit else ""
        lines.append(f"| {site} | {vendor} | {snapshot_date} | {age}{flag} |")
        if age > limit:
            stale.append(f"{site} / {vendor}: latest snapshot {snapshot_date}, {age} days old")
    if stale:
        description = (
            f"{len(stale)} backlink export(s) older than {limit} days "
            "(their links stay live until a newer snapshot of the same vendor): " + "; ".join(stale)
        )
    elif not without:
        description = f"Every own site's latest backlink snapshot is at most {limit} days old."
    elif len(without) < len(snapshots):
        description = f"Every latest backlink snapshot is at most {limit} days old."
    else:
        description = "Nothing to judge yet."
    if without:
        description += f" No backlink snapshot yet for: {', '.join(without)}."
    return dg.AssetCheckResult(
        passed=not stale,
        severity=dg.AssetCheckSeverity.WARN,
        description=description,
        metadata={
            "stale": dg.MetadataValue.int(len(stale)),
            "stale_export_days": dg.MetadataValue.int(limit),
            "snapshots": dg.MetadataValue.md("\n".join(lines)),
        },
    )
