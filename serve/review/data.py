"""What a review digest reads from the marts, aggregated in DuckDB: the period, each key result's
status then and now with its forecast, links won and lost by quality tier, and the keywords and
pages that moved most against the previous period of the same length.

Every value reaches SQL as a bound parameter; only the top movers come back to Python.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from ingest.settings import Paths
from ingest.warehouse import rows_as_dicts, table_exists

# A review covers the week, month or quarter ending on its last day; the previous period, its
# comparison, is as many days again just before it.
PERIOD_MONTHS = {"week": 0, "month": 1, "quarter": 3}
PERIODS = tuple(PERIOD_MONTHS)
TOP_MOVERS = 10
ORGANIC_CHANNEL = "Organic Search"
# Best status first: a change towards the front of this list is an improvement.
STATUS_ORDER = ("achieved", "on_track", "at_risk", "behind", "missed")
REQUIRED_MARTS = ("dim_key_results", "fct_key_result_progress")


class NoMarts(Exception):
    """Nothing to review yet: no warehouse, or its marts are not built."""


@dataclass(frozen=True)
class Period:
    name: str  # week, month or quarter
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous_start(self) -> date:
        return self.start - timedelta(days=self.days)

    @property
    def previous_end(self) -> date:
        return self.start - timedelta(days=1)


def _months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_ending(name: str, end: date) -> Period:
    """The week (7 days), month or quarter (1 or 3 calendar months) that ends on `end`:
    a month ending on 3 December starts on 4 November."""
    if name not in PERIOD_MONTHS:
        raise ValueError(f"unknown period {name!r}: one of {', '.join(PERIODS)}")
    months = PERIOD_MONTHS[name]
    if months == 0:
        start = end - timedelta(days=6)
    else:
        start = _months_before(end, months) + timedelta(days=1)
    return Period(name, start, end)


@dataclass
class Review:
    """Everything a digest shows; rows are dicts of the queries' columns."""

    period: Period
    source: Path
    last_data_day: date
    unranked_position: float
    sites: list[str]
    key_results: list[dict[str, Any]]
    links: list[dict[str, Any]]
    rank_improvements: list[dict[str, Any]]
    rank_drops: list[dict[str, Any]]
    traffic_sites: list[dict[str, Any]]
    traffic_gains: list[dict[str, Any]]
    traffic_drops: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    @property
    def status_changes(self) -> list[dict[str, Any]]:
        return [kr for kr in self.key_results if kr["change"] not in ("same", "no_data")]


def open_marts(paths: Paths) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """A read-only connection to the serving copy (else the warehouse) and the file it opened, as
    `linkokr status` reads them: a review never writes, and never takes the writer's lock."""
    source = paths.serving if paths.serving.exists() else paths.warehouse
    if not source.exists():
        raise NoMarts(f"no warehouse at {paths.warehouse}: run `linkokr run` first")
    con = duckdb.connect(str(source), read_only=True)
    if not all(table_exists(con, "marts", table) for table in REQUIRED_MARTS):
        con.close()
        raise NoMarts("the key-result marts are not built yet: run `linkokr run` first")
    return con, source


def last_data_day(con: duckdb.DuckDBPyConnection) -> date | None:
    """The marts' last day: the latest key-result row (as `linkokr status` has it); without key
    results, the latest day of the backlink, ranking or traffic marts."""
    found = con.execute("select max(date) from marts.fct_key_result_progress").fetchone()[0]
    if found is not None:
        return found
    days = [
        con.execute(f"select max({column}) from marts.{table}").fetchone()[0]
        for table, column in (
            ("fct_backlinks", "last_snapshot_date"),
            ("fct_keyword_rankings_daily", "date"),
            ("fct_page_traffic_daily", "date"),
        )
        if table_exists(con, "marts", table)
    ]
    return max((day for day in days if day is not None), default=None)


def own_sites(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select site from marts.dim_sites where not coalesce(is_competitor, false) "
            "order by site"
        ).fetchall()
    ]


# Each key result's row on the period's last day (its latest on or before it) and its row when the
# period began: its latest before the period, else (a key result that started within the period)
# its first. Parameters: the period's end, the day before its start, the status order (best first).
KEY_RESULTS_SQL = """
with now_rows as (
    select * from marts.fct_key_result_progress
    where date <= $1
    qualify row_number() over (partition by kr_id order by date desc) = 1
),
was_rows as (
    select * from marts.fct_key_result_progress
    where date <= $1
    qualify row_number() over (
        partition by kr_id order by case when date <= $2 then date end desc nulls last, date
    ) = 1
),
joined as (
    select
        dims.kr_id,
        dims.objective_id,
        dims.objective_title,
        dims.site,
        dims.title,
        dims.metric,
        dims.direction,
        dims.unit,
        dims.target,
        dims.end_date,
        was_rows.date as was_date,
        was_rows.value as was_value,
        was_rows.status as was_status,
        now_rows.date as now_date,
        now_rows.value as now_value,
        now_rows.status as now_status,
        now_rows.progress,
        now_rows.expected_progress,
        now_rows.projected_value,
        now_rows.projected_status,
        now_rows.verdict_label,
        -- days left from the objective's end and the period's last day, the same for every key
        -- result of an objective (the mart's days_remaining counts from each one's own last data)
        greatest(dims.end_date - $1::date, 0) as days_remaining,
        list_position($3::varchar[], was_rows.status) as was_rank,
        list_position($3::varchar[], now_rows.status) as now_rank,
    from marts.dim_key_results as dims
    left join now_rows on now_rows.kr_id = dims.kr_id
    left join was_rows on was_rows.kr_id = dims.kr_id
)
select
    * exclude (was_rank, now_rank),
    case
        when now_status is null then 'no_data'
        when was_status is null then 'new'
        when was_status = now_status then 'same'
        when now_rank < was_rank then 'better'
        when now_rank > was_rank then 'worse'
        else 'changed'
    end as change,
from joined
order by objective_id, kr_id
"""

# Links first seen or lost in the period and in the previous one, per own site and quality tier.
# Parameters: the period's start and end, the previous period's start and end.
LINKS_SQL = """
select
    links.site,
    coalesce(links.quality_tier, 'unknown') as quality_tier,
    count(*) filter (where links.first_seen_date between $1 and $2) as won,
    count(*) filter (where links.lost_date between $1 and $2) as lost,
    count(*) filter (where links.first_seen_date between $3 and $4) as previous_won,
    count(*) filter (where links.lost_date between $3 and $4) as previous_lost,
    count(distinct links.source_domain) filter (
        where links.first_seen_date between $1 and $2
    ) as won_domains,
from marts.fct_backlinks as links
inner join marts.dim_sites as sites on sites.site = links.site
where not coalesce(sites.is_competitor, false)
  and (links.first_seen_date between $3 and $2 or links.lost_date between $3 and $2)
group by all
order by links.site, quality_tier
"""

# Keyword movers: per own site, rank source and keyword, the mean position over the period's days
# against the previous period's, counting a day the source has rows for the site but none ranked
# for the keyword at the unranked position (the rule of the average_position key results). Only
# keywords ranked on some day of either period, in a source with days in both, are compared.
# Parameters: unranked position, previous start, period start, period end, how many per direction.
RANK_MOVERS_SQL = """
with rankings as (
    select rankings.site, rankings.source, rankings.keyword, rankings.date,
           rankings.position, rankings.ranking_page,
    from marts.fct_keyword_rankings_daily as rankings
    inner join marts.dim_sites as sites on sites.site = rankings.site
    where not coalesce(sites.is_competitor, false) and rankings.date between $2 and $4
),
source_days as (
    select distinct site, source, date from rankings
),
keywords as (
    select distinct site, source, keyword from rankings where position is not null
),
keyword_days as (
    select
        keywords.site,
        keywords.source,
        keywords.keyword,
        source_days.date,
        coalesce(rankings.position, $1) as position,
        rankings.ranking_page,
    from keywords
    inner join source_days
        on source_days.site = keywords.site and source_days.source = keywords.source
    left join rankings
        on rankings.site = keywords.site
        and rankings.source = keywords.source
        and rankings.keyword = keywords.keyword
        and rankings.date = source_days.date
),
periods as (
    select
        site,
        source,
        keyword,
        avg(position) filter (where date < $3) as previous_position,
        avg(position) filter (where date >= $3) as position,
        count(*) filter (where date >= $3) as days,
        arg_max(ranking_page, date) filter (
            where date >= $3 and ranking_page is not null
        ) as ranking_page,
    from keyword_days
    group by site, source, keyword
),
moves as (
    select *, previous_position - position as improvement,
    from periods
    where previous_position is not null and position is not null
      and previous_position <> position
)
select *
from moves
qualify row_number() over (
    partition by improvement > 0 order by abs(improvement) desc, site, source, keyword
) <= $5
order by improvement desc, site, source, keyword
"""

# Organic sessions per day, period against previous period, per own site and per page. A day
# counts when the site has traffic rows of any channel (so a day not loaded yet lowers neither
# period). GA4's `(other)` row is no page. Parameters: previous start, period start, period end,
# the organic channel, how many pages per direction.
TRAFFIC_SQL = """
with own_traffic as (
    select traffic.*
    from marts.fct_page_traffic_daily as traffic
    inner join marts.dim_sites as sites on sites.site = traffic.site
    where not coalesce(sites.is_competitor, false) and traffic.date between $1 and $3
),
data_days as (
    select
        site,
        count(distinct date) filter (where date < $2) as previous_days,
        count(distinct date) filter (where date >= $2) as days,
    from own_traffic
    group by site
),
pages as (
    select
        site,
        page,
        coalesce(sum(sessions) filter (where date < $2), 0) as previous_sessions,
        coalesce(sum(sessions) filter (where date >= $2), 0) as sessions,
    from own_traffic
    where channel_group = $4 and not coalesce(is_other_row, false)
    group by site, page
),
rates as (
    select
        pages.site,
        pages.page,
        pages.sessions,
        pages.previous_sessions,
        data_days.days,
        data_days.previous_days,
        pages.sessions / nullif(data_days.days, 0) as sessions_per_day,
        pages.previous_sessions / nullif(data_days.previous_days, 0) as previous_sessions_per_day,
    from pages
    inner join data_days on data_days.site = pages.site
)
select
    *,
    sessions_per_day - previous_sessions_per_day as change_per_day,
    100 * (sessions_per_day / nullif(previous_sessions_per_day, 0) - 1) as change_pct,
from rates
"""

TRAFFIC_SITES_SQL = f"""
with rates as ({TRAFFIC_SQL})
select
    site,
    any_value(days) as days,
    any_value(previous_days) as previous_days,
    sum(sessions) as sessions,
    sum(previous_sessions) as previous_sessions,
    sum(sessions) / nullif(any_value(days), 0) as sessions_per_day,
    sum(previous_sessions) / nullif(any_value(previous_days), 0) as previous_sessions_per_day,
    100 * (
        (sum(sessions) / nullif(any_value(days), 0))
        / nullif(sum(previous_sessions) / nullif(any_value(previous_days), 0), 0) - 1
    ) as change_pct,
from rates
group by site
order by site
"""

TRAFFIC_MOVERS_SQL = f"""
with rates as ({TRAFFIC_SQL})
select *
from rates
where change_per_day is not null and change_per_day <> 0
qualify row_number() over (
    partition by change_per_day > 0 order by abs(change_per_day) desc, site, page
) <= $5
order by change_per_day desc, site, page
"""


def read_key_results(con: duckdb.DuckDBPyConnection, period: Period) -> list[dict[str, Any]]:
    return rows_as_dicts(
        con.execute(KEY_RESULTS_SQL, [period.end, period.previous_end, list(STATUS_ORDER)])
    )


def read_links(con: duckdb.DuckDBPyConnection, period: Period) -> list[dict[str, Any]]:
    if not table_exists(con, "marts", "fct_backlinks"):
        return []
    return rows_as_dicts(
        con.execute(
            LINKS_SQL, [period.start, period.end, period.previous_start, period.previous_end]
        )
    )


def read_rank_movers(
    con: duckdb.DuckDBPyConnection, period: Period, unranked_position: float, top: int = TOP_MOVERS
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(improvements, drops): the `top` keywords whose mean position rose most, and fell most."""
    if not table_exists(con, "marts", "fct_keyword_rankings_daily"):
        return [], []
    moves = rows_as_dicts(
        con.execute(
            RANK_MOVERS_SQL,
            [float(unranked_position), period.previous_start, period.start, period.end, top],
        )
    )
    return (
        [m for m in moves if m["improvement"] > 0],
        sorted(
            (m for m in moves if m["improvement"] < 0),
            key=lambda m: (m["improvement"], m["site"], m["source"], m["keyword"]),
        ),
    )


def read_traffic(
    con: duckdb.DuckDBPyConnection, period: Period, top: int = TOP_MOVERS
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(sites, gains, drops): organic sessions per day of each own site, and the `top` pages whose
    organic sessions per day rose most, and fell most."""
    if not table_exists(con, "marts", "fct_page_traffic_daily"):
        return [], [], []
    window = [period.previous_start, period.start, period.end, ORGANIC_CHANNEL]
    sites = rows_as_dicts(con.execute(TRAFFIC_SITES_SQL, window))
    moves = rows_as_dicts(con.execute(TRAFFIC_MOVERS_SQL, [*window, top]))
    gains = [m for m in moves if m["change_per_day"] > 0]
    drops = sorted(
        (m for m in moves if m["change_per_day"] < 0),
        key=lambda m: (m["change_per_day"], m["site"], m["page"]),
    )
    return sites, gains, drops


def read_review(
    con: duckdb.DuckDBPyConnection,
    period_name: str,
    *,
    source: Path,
    unranked_position: float,
    on: date | None = None,
) -> Review:
    """The review of the `period_name` ending on `on` (None: the last data day; a later day is
    brought back to it, with a note)."""
    last = last_data_day(con)
    if last is None:
        raise NoMarts("the marts hold no data yet: run `linkokr run` first")
    notes = []
    end = on or last
    if end > last:
        notes.append(f"no data after {last}; the review ends on {last}")
        end = last
    period = period_ending(period_name, end)
    rank_improvements, rank_drops = read_rank_movers(con, period, unranked_position)
    traffic_sites, traffic_gains, traffic_drops = read_traffic(con, period)
    return Review(
        period=period,
        source=source,
        last_data_day=last,
        unranked_position=float(unranked_position),
        sites=own_sites(con),
        key_results=read_key_results(con, period),
        links=read_links(con, period),
        rank_improvements=rank_improvements,
        rank_drops=rank_drops,
        traffic_sites=traffic_sites,
        traffic_gains=traffic_gains,
        traffic_drops=traffic_drops,
        notes=notes,
    )
