"""The alert message: Slack's `text`, the key result's numbers, and the context a reader needs to
act on a change (docs/config.md, "Checks and alerts"): the links gained and lost for a link
metric, the keywords that dropped most for a rank metric."""

from __future__ import annotations

import logging
import math
from datetime import date, timedelta
from typing import Any

import duckdb

from ingest.config import METRICS
from ingest.warehouse import quote_identifier, rows_as_dicts, table_exists

log = logging.getLogger(__name__)

LINK_FAMILIES = frozenset({"link", "gap"})
RANK_FAMILY = "rank"
# Links listed per direction and keywords listed in an alert: enough to act on, short enough
# for a chat message.
TOP_LINKS = 10
TOP_RANK_DROPS = 5
RANK_WINDOW_DAYS = 7
# Without a previous run to compare with, link changes cover the last week.
DEFAULT_LINK_WINDOW_DAYS = 7


def build_payload(con: duckdb.DuckDBPyConnection, row: dict, previous: dict) -> dict[str, Any]:
    """The JSON message for a key result's change: Slack's `text`, plus structured fields and the
    context a reader needs to act (which links came and went, which keywords dropped)."""
    family = METRICS[row["metric"]].family if row["metric"] in METRICS else None
    context: dict[str, Any] = {}
    try:
        if family in LINK_FAMILIES and row["date"] is not None:
            context["links"] = link_context(con, row["site"], previous.get("date"), row["date"])
        elif family == RANK_FAMILY and row["date"] is not None:
            context["rank_drops"] = rank_drops(con, row["kr_id"], row["date"])
    except duckdb.Error as error:
        # The alert matters more than its context: send it without.
        log.warning("alert for %s goes without context: %s", row["kr_id"], error)
    payload: dict[str, Any] = {
        "kr_id": row["kr_id"],
        "objective_id": row["objective_id"],
        "objective": row["objective_title"] or row["objective_id"],
        "title": row["title"],
        "site": row["site"],
        "metric": row["metric"],
        "old_status": previous.get("status"),
        "new_status": row["status"],
        "value": row["value"],
        "target": row["target"],
        "baseline": row["baseline"],
        "progress": row["progress"],
        "expected_progress": row["expected_progress"],
        "pace": row["pace"],
        "projected_value": row["projected_value"],
        "date": row["date"].isoformat() if row["date"] else None,
        "context": context,
    }
    payload = _json_safe(payload)
    payload["text"] = _text(payload)
    return payload


def _json_safe(value: Any) -> Any:
    """NaN and infinity (a pace over an expected progress of 0) become null: JSON has neither."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


def _number(value: float | None) -> str:
    return "no data" if value is None else f"{value:g}"


def _text(payload: dict[str, Any]) -> str:
    lines = [
        f"linkokr: key result *{payload['kr_id']}* ({payload['title']}) is now "
        f"*{payload['new_status']}* (was {payload['old_status']}): value "
        f"{_number(payload['value'])} vs target {_number(payload['target'])} "
        f"on {payload['date']}. Objective: {payload['objective']}."
    ]
    links = payload["context"].get("links")
    if links:
        lines.append(
            f"Links to {payload['site']} from {links['since']} to {links['until']}: "
            f"{links['gained']} gained, {links['lost']} lost."
        )
        for link in links["lost_links"][:3]:
            lines.append(f"• lost {link['source_url']} → {link['target_page']}")
    drops = payload["context"].get("rank_drops")
    if drops:
        lines.append(f"Biggest rank drops ({drops[0]['source']}, 7-day mean vs the 7 days before):")
        for drop in drops:
            lines.append(
                f"• {drop['keyword']}: {drop['previous_position']:g} → "
                f"{drop['current_position']:g} ({drop['change']:+g})"
            )
    return "\n".join(lines)


def link_context(
    con: duckdb.DuckDBPyConnection, site: str, since: date | None, until: date
) -> dict[str, Any]:
    """Backlinks of `site` first seen or lost after `since` (the data date of the previous run)
    up to `until`, counted, with the strongest of each listed."""
    if since is None or since >= until:
        since = until - timedelta(days=DEFAULT_LINK_WINDOW_DAYS)
    context: dict[str, Any] = {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "gained": 0,
        "lost": 0,
        "gained_links": [],
        "lost_links": [],
    }
    if not table_exists(con, "marts", "fct_backlinks"):
        return context
    for direction, column in (("gained", "first_seen_date"), ("lost", "lost_date")):
        # `column` comes from the tuple above, never from data.
        quoted = quote_identifier(column)
        where = f"site = ? and {quoted} > ? and {quoted} <= ?"
        context[direction] = con.execute(
            f"select count(*) from marts.fct_backlinks where {where}", [site, since, until]
        ).fetchone()[0]
        links = rows_as_dicts(
            con.execute(
                f"""select source_url, source_domain, target_page, quality_tier,
                           authority_score, {quoted} as date
                    from marts.fct_backlinks
                    where {where}
                    order by authority_score desc nulls last, source_url
                    limit ?""",
                [site, since, until, TOP_LINKS],
            )
        )
        for link in links:
            link["date"] = link["date"].isoformat()
        context[f"{direction}_links"] = links
    return context


# `rank_drops`'s query. Parameters: the unranked position; site, source and the 14 days; the page
# group's patterns (twice); the keyword set's tags and keywords (twice); the current window's
# first day (three times); how many drops.
RANK_DROPS_SQL = """
with rankings as (
    select keyword, date, ranking_page, coalesce(position, ?) as position, tags,
    from marts.fct_keyword_rankings_daily
    where site = ? and source = ? and date between ? and ?
),
keywords as (
    select
        keyword,
        arg_max(tags, date) as tags,
        arg_max(ranking_page, date) filter (where ranking_page is not null) as page,
    from rankings
    group by keyword
),
members as (
    select keyword
    from keywords
    where case
        when ?::varchar[] is not null then exists (
            select 1 from unnest(?::varchar[]) as patterns(pattern)
            where keywords.page glob patterns.pattern
        )
        when ?::varchar[] is not null or ?::varchar[] is not null then
            list_has_any(coalesce(?::varchar[], []), keywords.tags)
            or list_contains(coalesce(?::varchar[], []), keywords.keyword)
        else true
    end
),
windows as (
    select
        keyword,
        avg(position) filter (where date < ?) as previous_position,
        avg(position) filter (where date >= ?) as current_position,
        arg_max(ranking_page, date) filter (where date >= ?) as ranking_page,
    from rankings
    where keyword in (select keyword from members)
    group by keyword
)
select
    keyword,
    round(previous_position, 2) as previous_position,
    round(current_position, 2) as current_position,
    round(current_position - previous_position, 2) as change,
    ranking_page,
from windows
where current_position > previous_position
order by change desc, keyword
limit ?
"""


def rank_drops(con: duckdb.DuckDBPyConnection, kr_id: str, day: date) -> list[dict[str, Any]]:
    """The keywords of a rank key result that lost the most: mean position over the 7 days to
    `day` against the 7 days before (an unranked day counts as `unranked_position`).

    The keywords are the key result's keyword set, or those ranking on its page group's pages
    (`pages_in_position_range`), or all of the site's keywords in its rank source.
    """
    needed = (("marts", "fct_keyword_rankings_daily"), ("marts", "dim_key_results"))
    if not all(table_exists(con, schema, table) for schema, table in needed):
        return []
    found = rows_as_dicts(
        con.execute(
            "select site, source, keyword_set, page_group from marts.dim_key_results "
            "where kr_id = ?",
            [kr_id],
        )
    )
    if not found:
        return []
    kr = found[0]
    source = kr["source"] or _default_rank_source(con, kr["site"])
    tags, keywords = _config_row(
        con,
        "select tags, keywords from raw.config_keyword_sets where site = ? and keyword_set = ?",
        [kr["site"], kr["keyword_set"]],
        2,
    )
    (patterns,) = _config_row(
        con,
        "select list(pattern) from raw.config_page_groups where site = ? and page_group = ?",
        [kr["site"], kr["page_group"]],
        1,
    )
    current_start = day - timedelta(days=RANK_WINDOW_DAYS - 1)
    previous_start = current_start - timedelta(days=RANK_WINDOW_DAYS)
    drops = rows_as_dicts(
        con.execute(
            RANK_DROPS_SQL,
            [
                _unranked_position(con),
                kr["site"],
                source,
                previous_start,
                day,
                patterns,
                patterns,
                tags,
                keywords,
                tags,
                keywords,
                current_start,
                current_start,
                current_start,
                TOP_RANK_DROPS,
            ],
        )
    )
    for drop in drops:
        drop["source"] = source
    return drops


def _default_rank_source(con: duckdb.DuckDBPyConnection, site: str) -> str:
    # The rule of dbt's int_key_result_spans: the only rank-tracker source with data, else gsc.
    sources = con.execute(
        """select distinct source from marts.fct_keyword_rankings_daily
           where site = ? and source <> 'gsc'""",
        [site],
    ).fetchall()
    return sources[0][0] if len(sources) == 1 else "gsc"


def _config_row(
    con: duckdb.DuckDBPyConnection, sql: str, params: list, width: int
) -> tuple[list[str] | None, ...]:
    """The list columns of one config row, all None when the row (or the table) is missing."""
    missing = (None,) * width
    if any(p is None for p in params):
        return missing
    try:
        row = con.execute(sql, params).fetchone()
    except duckdb.CatalogException:
        return missing
    if row is None:
        return missing
    return tuple(None if value is None else list(value) for value in row)


def _unranked_position(con: duckdb.DuckDBPyConnection) -> float:
    if table_exists(con, "raw", "config_settings"):
        row = con.execute("select unranked_position from raw.config_settings").fetchone()
        if row and row[0] is not None:
            return float(row[0])
    return 101.0
