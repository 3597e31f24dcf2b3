"""What the dashboard reads from the marts: key results with their daily progress and what moved
them, the own sites (for the page without key results), the attribution by quality tier, the tier
rules, and the anchor-text distribution."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from ingest.warehouse import rows_as_dicts, table_exists

# Columns beyond the docs/warehouse.md contract are read only when the marts have them, so the page
# still renders against a warehouse built by an older dbt project.
OPTIONAL_KR_COLUMNS = ("objective_owner", "unit", "milestones")
OPTIONAL_PROGRESS_COLUMNS = ("expected_value", "verdict", "verdict_label")
KR_COLUMNS = (
    "kr_id",
    "objective_id",
    "objective_title",
    "site",
    "title",
    "metric",
    "direction",
    "baseline",
    "target",
    "start_date",
    "end_date",
    "owner",
)
PROGRESS_COLUMNS = (
    "kr_id",
    "date",
    "value",
    "baseline",
    "target",
    "progress",
    "expected_progress",
    "pace",
    "status",
    "projected_value",
    "projected_status",
    "days_remaining",
)


@dataclass
class KeyResult:
    kr_id: str
    objective_id: str
    objective_title: str
    objective_owner: str | None
    site: str
    title: str
    metric: str
    direction: str
    unit: str | None
    baseline: float | None
    target: float
    start_date: date
    end_date: date
    owner: str | None
    milestones: list[tuple[date, float]] = field(default_factory=list)
    days: list[dict[str, Any]] = field(default_factory=list)
    # fct_key_result_movers rows, best first per window and movement
    movers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.days[-1] if self.days else None

    @property
    def status(self) -> str:
        latest = self.latest
        return (latest or {}).get("status") or "no_data"


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return {row[0] for row in rows}


def _select(con: duckdb.DuckDBPyConnection, table: str, columns: tuple, optional: tuple) -> str:
    """The select list of `marts.<table>`: `columns`, and those of `optional` the table has.
    Identifiers come from the fixed lists above, never from data."""
    available = _columns(con, "marts", table)
    return ", ".join([*columns, *(c for c in optional if c in available)])


def read_key_results(con: duckdb.DuckDBPyConnection) -> list[KeyResult]:
    """Every key result of `marts.dim_key_results` (config order) with its daily progress rows."""
    select = _select(con, "dim_key_results", KR_COLUMNS, OPTIONAL_KR_COLUMNS)
    # No order by: the mart keeps the config's order, which is the order its owners think in.
    dims = rows_as_dicts(con.execute(f"select {select} from marts.dim_key_results"))
    progress_select = _select(
        con, "fct_key_result_progress", PROGRESS_COLUMNS, OPTIONAL_PROGRESS_COLUMNS
    )
    rows = rows_as_dicts(
        con.execute(
            f"select {progress_select} from marts.fct_key_result_progress order by kr_id, date"
        )
    )
    by_kr: dict[str, list[dict]] = {}
    for row in rows:
        by_kr.setdefault(row["kr_id"], []).append(row)
    movers = read_movers(con)
    return [
        KeyResult(
            kr_id=dim["kr_id"],
            objective_id=dim["objective_id"],
            objective_title=dim["objective_title"] or dim["objective_id"],
            objective_owner=dim.get("objective_owner"),
            site=dim["site"],
            title=dim["title"] or dim["kr_id"],
            metric=dim["metric"],
            direction=dim["direction"] or "up",
            unit=dim.get("unit"),
            baseline=dim["baseline"],
            target=float(dim["target"]),
            start_date=dim["start_date"],
            end_date=dim["end_date"],
            owner=dim["owner"],
            milestones=sorted((m["date"], float(m["value"])) for m in dim.get("milestones") or []),
            days=by_kr.get(dim["kr_id"], []),
            movers=movers.get(dim["kr_id"], []),
        )
        for dim in dims
    ]


def read_own_sites(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The own sites (not competitors) of `marts.dim_sites`; none before dbt has built it."""
    if not table_exists(con, "marts", "dim_sites"):
        return []
    rows = con.execute(
        "select site from marts.dim_sites where not coalesce(is_competitor, false) order by site"
    ).fetchall()
    return [row[0] for row in rows]


def read_attribution(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Rows of `marts.fct_attribution_by_tier`; none when the mart is not built (yet)."""
    if not table_exists(con, "marts", "fct_attribution_by_tier"):
        return []
    return rows_as_dicts(
        con.execute(
            """select site, quality_tier, window_days, links, complete_links,
                      median_position_change, share_improved, median_adjusted_sessions_lift_pct,
                      median_days_to_rank_improvement
               from marts.fct_attribution_by_tier
               order by site, window_days, quality_tier"""
        )
    )


def read_movers(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict]]:
    """Rows of `marts.fct_key_result_movers` per key result (window, movement, rank order); none
    when the mart is not built (a warehouse from an older dbt project)."""
    if not table_exists(con, "marts", "fct_key_result_movers"):
        return {}
    rows = rows_as_dicts(
        con.execute(
            """select kr_id, as_of_date, window_days, movement, movement_rank, movement_count,
                      member_type, member_id, referring_domain, quality_tier, authority_score,
                      source_url, target_page, event_date, before_value, after_value, change
               from marts.fct_key_result_movers
               order by kr_id, window_days, movement, movement_rank"""
        )
    )
    by_kr: dict[str, list[dict]] = {}
    for row in rows:
        by_kr.setdefault(row["kr_id"], []).append(row)
    return by_kr


def read_quality_tiers(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The tier rules of `marts.dim_quality_tiers`, best tier first; none before it is built."""
    if not table_exists(con, "marts", "dim_quality_tiers"):
        return []
    return rows_as_dicts(
        con.execute("select quality_tier, rule from marts.dim_quality_tiers order by tier_rank")
    )


def read_anchor_distribution(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Each site's latest month of `marts.fct_anchor_distribution` (anchor types by share of live
    backlinks); none when the warehouse has no such mart."""
    if not table_exists(con, "marts", "fct_anchor_distribution"):
        return []
    return rows_as_dicts(
        con.execute(
            """select site, month, anchor_type, live_backlinks, new_backlinks, share_of_live
               from marts.fct_anchor_distribution
               qualify month = max(month) over (partition by site)
               order by site, share_of_live desc nulls last, anchor_type"""
        )
    )
