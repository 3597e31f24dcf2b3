-- One row per site, authority metric and day, each day carrying the last observation forward.
with

observations as (
    select site, metric_date, metric, max_by(value, loaded_at) filter (where value is not null) as value
    from {{ ref('stg_domain_metrics__observations') }}
    -- only sites and competitors in linkokr.yml, and the four authority metrics (a row with any
    -- other metric name stays in staging, where a WARN test names it)
    where site in (select site from {{ ref('stg_config__sites') }})
      and metric in ('ahrefs_dr', 'moz_da', 'semrush_as', 'majestic_tf')
    group by site, metric_date, metric
),

latest as (
    select max(metric_date) as last_date from observations
),

bounds as (
    select
        observations.site,
        observations.metric,
        min(observations.metric_date) as first_date,
        any_value(latest.last_date) as last_date
    from observations
    cross join latest
    group by observations.site, observations.metric
),

spine as (
    select bounds.site, bounds.metric, cast(day as date) as date
    from bounds
    {{ lk_unnest_join(lk_date_sequence('bounds.first_date', 'bounds.last_date'), 'days', 'day') }}
)

select
    spine.site,
    spine.date,
    spine.metric,
    {{ lk_last_value_ignore_nulls('observations.value') }} over (
        partition by spine.site, spine.metric order by spine.date
        rows between unbounded preceding and current row
    ) as value,
    observations.value is not null as is_observed
from spine
left join observations
    on observations.site = spine.site
    and observations.metric = spine.metric
    and observations.metric_date = spine.date
