-- Traffic key results: the organic rows (page x day) that count toward each key result, from 27
-- days before its first day through its last: every page, `(other)` included, without a page group;
-- the group's pages, never `(other)`, with one (docs/config.md). Summed per day by the values model and
-- per page over the 28-day window by the members mart.
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
    where channel_group = 'Organic Search'
),

ranges as (
    select kr_id, site, min(date) - 27 as first_date, max(date) as last_date
    from days
    group by kr_id, site
)

select
    ranges.kr_id,
    traffic.site,
    traffic.page,
    traffic.date,
    traffic.is_other_row,
    traffic.sessions,
    traffic.key_events,
    traffic.transactions,
    traffic.revenue
from ranges
inner join key_results on key_results.kr_id = ranges.kr_id
inner join traffic
    on traffic.site = ranges.site
    and traffic.date between ranges.first_date and ranges.last_date
where key_results.page_group is null
   or (
       not traffic.is_other_row
       and exists (
           select 1 from page_groups
           where page_groups.site = ranges.site
             and page_groups.page_group = key_results.page_group
             and {{ lk_glob_match('traffic.page', 'page_groups.pattern') }}
       )
   )
