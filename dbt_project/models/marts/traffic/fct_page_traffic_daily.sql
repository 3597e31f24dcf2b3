-- One row per site, landing page, day and default channel group (query strings folded away).
-- GA4 Data API rows and GA4 UI exports (the `traffic/` inbox fallback) both feed it; for a site
-- and day that the API covers, the API wins and export rows are left out. Incremental: a daily
-- run rebuilds only the re-read window (whole site-days at a time).
{{ config(
    materialized=lk_incremental_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['site', 'date'],
    post_hook="{{ delete_unconfigured_sites() }}",
) }}
-- depends_on: {{ ref('stg_config__settings') }}

with

api as (
    select site, page, traffic_date, channel_group, sessions, engaged_sessions, key_events,
           transactions, revenue, is_other_row, 'ga4_api' as source
    from {{ ref('stg_ga4__traffic') }}
    {% if is_incremental() %}
    where traffic_date >= {{ incremental_window_start('date') }}
    {% endif %}
),

exported as (
    select site, page, traffic_date, channel_group, sessions, engaged_sessions, key_events,
           transactions, revenue, is_other_row, 'ga4_export' as source
    from {{ ref('stg_traffic__ga4_export') }}
    -- only sites and competitors in linkokr.yml (the API's rows come from configured properties)
    where site in (select site from {{ ref('stg_config__sites') }})
    {% if is_incremental() %}
    and (traffic_date >= {{ incremental_window_start('date') }} or {{ sites_new_to_this() }})
    {% endif %}
    -- a day exported twice: the latest file wins
    qualify loaded_at = max(loaded_at) over (partition by site, traffic_date)
),

api_days as (
    select distinct site, traffic_date from api
),

traffic as (
    select * from api
    union all
    select exported.* from exported
    -- `on`, not `using`: Spark puts the `using` columns first in `exported.*`
    anti join api_days
        on exported.site = api_days.site and exported.traffic_date = api_days.traffic_date
)

select
    site,
    page,
    traffic_date as date,
    channel_group,
    cast(sum(sessions) as bigint) as sessions,
    cast(sum(engaged_sessions) as bigint) as engaged_sessions,
    sum(key_events) as key_events,
    cast(sum(transactions) as bigint) as transactions,
    sum(revenue) as revenue,
    bool_or(is_other_row) as is_other_row,
    min(source) as source
from traffic
group by site, page, traffic_date, channel_group
