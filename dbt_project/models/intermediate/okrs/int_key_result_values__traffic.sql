-- Traffic key results: S(t), the organic sessions (or key events, revenue, transactions) to the
-- page group over days t - 27 .. t; null when a day of the window has no traffic data. The
-- `(other)` row counts in site totals, never in a page group.
with

days as (
    select * from {{ ref('int_key_result_days') }}
    where family = 'traffic'
),

key_results as (
    select kr_id, page_group from {{ ref('stg_config__key_results') }}
),

page_groups as (
    select * from {{ ref('stg_config__page_groups') }}
),

traffic as (
    select * from {{ ref('fct_page_traffic_daily') }}
),

site_days as (
    select distinct site, date from traffic
),

-- Each key result's daily organic figures from 27 days before its first day.
spine as (
    select distinct
        days.kr_id,
        days.site,
        days.metric,
        cast(day as date) as date,
    from (select kr_id, site, metric, min(date) as first_day, max(date) as last_day
          from days group by kr_id, site, metric) as days,
        range(days.first_day - 27, days.last_day + 1, interval 1 day) as range_days(day)
),

organic as (
    select
        spine.kr_id,
        spine.date,
        spine.metric,
        site_days.date is not null as has_data,
        sum(traffic.sessions) as sessions,
        sum(traffic.key_events) as key_events,
        sum(traffic.revenue) as revenue,
        sum(traffic.transactions) as transactions,
    from spine
    inner join key_results on key_results.kr_id = spine.kr_id
    left join site_days on site_days.site = spine.site and site_days.date = spine.date
    left join traffic
        on traffic.site = spine.site
        and traffic.date = spine.date
        and traffic.channel_group = 'Organic Search'
        and (
            key_results.page_group is null
            or (
                not traffic.is_other_row
                and exists (
                    select 1 from page_groups
                    where page_groups.site = spine.site
                      and page_groups.page_group = key_results.page_group
                      and traffic.page glob page_groups.pattern
                )
            )
        )
    group by all
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
        end, 0) as amount,
    from organic
),

rolling as (
    select
        *,
        sum(amount) over last_28_days as amount_28d,
        count(*) filter (where has_data) over last_28_days as days_with_data,
    from daily
    window last_28_days as (partition by kr_id order by date rows between 27 preceding and current row)
),

sums as (
    select kr_id, date, metric, case when days_with_data = 28 then amount_28d end as s,
    from rolling
),

with_base as (
    select
        days.kr_id,
        days.date,
        days.metric,
        sums.s,
        base.s as base_s,
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
    end as value,
from with_base
