"""What the dashboard reads from the marts: key results with their daily progress, the own sites
(for the page without key results) and the attribution by quality tier."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from ingest.warehouse import rows_as_dicts, table_exists

# Columns beyond the docs/warehouse.md contract are read only when the marts have them, so the page
# still renders against a warehouse built by an older dbt project.
OPTIONAL_KR_COLUMNS = ("objective_owner", "unit", "milestones")
OPTIONAL_PROGRESS_COLUMNS = ("expected_value",)
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
