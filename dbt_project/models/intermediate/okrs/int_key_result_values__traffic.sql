-- Traffic key results: S(t), the organic sessions (or key events, revenue, transactions) to the
-- page group over days t - 27 .. t; null when a day of the window has no traffic data. The
-- `(other)` row counts in site totals, never in a page group.
with

days as (
    select * from {{ ref('int_key_result_days') }}
    where family = 'traffic'
),

organic_pages as (
    select * from {{ ref('int_key_result_organic_pages') }}
),

-- Days with traffic data of any channel: a missing day nulls every window that holds it.
site_days as (
    select distinct site, date from {{ ref('fct_page_traffic_daily') }}
),

-- Each key result's daily organic figures from 27 days before its first day.
spine as (
    select distinct
        days.kr_id,
        days.site,
        days.metric,
        cast(day as date) as date
    from (select kr_id, site, metric, min(date) as first_day, max(date) as last_day
          from days group by kr_id, site, metric) as days
    {{ lk_unnest_join(lk_date_sequence('days.first_day - 27', 'days.last_day'), 'range_days', 'day') }}
),

organic_by_day as (
    select
        kr_id,
        date,
        sum(sessions) as sessions,
        sum(key_events) as key_events,
        sum(revenue) as revenue,
        sum(transactions) as transactions
    from organic_pages
    group by kr_id, date
),

organic as (
    select
        spine.kr_id,
        spine.date,
        spine.metric,
        site_days.date is not null as has_data,
        organic_by_day.sessions,
        organic_by_day.key_events,
        organic_by_day.revenue,
        organic_by_day.transactions
    from spine
    left join site_days on site_days.site = spine.site and site_days.date = spine.date
    left join organic_by_day on organic_by_day.kr_id = spine.kr_id and organic_by_day.date = spine.date
),

daily as (
    select
        kr_id,
        date,
        metric,
        has_data,
        coalesce(case
            when metric in ('organic_sessions', 'organic_sessions_change_pct') then sessions
            when metric = 'organic_key_events_change_pct' then key_events
            when metric = 'organic_revenue_change_pct' then revenue
            when metric = 'organic_transactions_change_pct' then transactions
        end, 0) as amount
    from organic
),

rolling as (
    select
        *,
        sum(amount) over last_28_days as amount_28d,
        count(*) filter (where has_data) over last_28_days as days_with_data
    from daily
    window last_28_days as (partition by kr_id order by date rows between 27 preceding and current row)
),

sums as (
    select kr_id, date, metric, case when days_with_data = 28 then amount_28d end as s
    from rolling
),

with_base as (
    select
        days.kr_id,
        days.date,
        days.metric,
        sums.s,
        base.s as base_s
    from days
    inner join sums on sums.kr_id = days.kr_id and sums.date = days.date
    left join sums as base on base.kr_id = days.kr_id and base.date = days.start_date - 1
)

select
    kr_id,
    date,
    case
        when metric = 'organic_sessions' then s
        when base_s is null or base_s = 0 then null
        else 100.0 * (s / base_s - 1)
    end as value
from with_base
