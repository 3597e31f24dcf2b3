-- One row per site, landing page, day and default channel group (query strings folded away).
with

traffic as (
    select * from {{ ref('stg_ga4__traffic') }}
)

select
    site,
    page,
    traffic_date as date,
    channel_group,
    sum(sessions) as sessions,
    sum(engaged_sessions) as engaged_sessions,
    sum(key_events) as key_events,
    sum(transactions) as transactions,
    sum(revenue) as revenue,
    bool_or(is_other_row) as is_other_row,
from traffic
group by site, page, traffic_date, channel_group
