-- One row per own site, quality tier and attribution window: how links of each tier moved their
-- target pages (from fct_link_attribution).
-- * `links` counts every attributed link; the medians and shares use only links whose window is
--   complete (d + W within the data range), because a link acquired a few days ago has a post
--   window shorter than any ranking lag and would pull its tier toward "no effect".
-- * median_days_to_rank_improvement is a time-to-event median: links whose page never improved
--   within W count as "later than W" instead of being skipped (skipping them would credit a tier
--   whose few improvers rode on other links' effects); null when the median link of the tier did
--   not improve within W. share_rank_improved says how many did.
-- * Medians are percentile_cont(0.5) computed from counts: each measure's distinct values per
--   (site, tier, window) with how often they occur, a running count in value order, and the
--   value(s) at the middle rank(s), interpolated halfway when the count is even. An ordered
--   aggregate (percentile_cont) would hold every value of a group in memory and cannot spill; at
--   20M backlinks (30M attributed rows) that alone took 1.5 GB next to the other models' work.
{#- each median: its name, the value it is the median of, and which complete links count -#}
{%- set medians = {
    'median_position_change': ('position_change', none),
    'median_adjusted_sessions_lift_pct': ('adjusted_sessions_lift_pct', none),
    'median_days_until_improved': (
        'coalesce(days_to_rank_improvement, window_days + 1)', 'pre_avg_position is not null'
    ),
    'median_sessions_lift_pct': ('sessions_lift_pct', none),
} %}
with

attribution as (
    select * from {{ ref('fct_link_attribution') }}
),

summarized as (
    select
        site,
        quality_tier,
        window_days,
        count(*) as links,
        count(*) filter (where is_window_complete) as complete_links,
        avg(case when position_change > 0 then 1 else 0 end) filter (
            where is_window_complete and position_change is not null
        ) as share_improved,
        avg(case when days_to_rank_improvement is not null then 1 else 0 end) filter (
            where is_window_complete and pre_avg_position is not null
        ) as share_rank_improved,
        sum(credit_share) as credited_links
    from attribution
    group by site, quality_tier, window_days
),

measured as (
    {%- for name, (value, condition) in medians.items() %}
    {% if not loop.first %}union all
    {% endif -%}
    select
        site,
        quality_tier,
        window_days,
        '{{ name }}' as measure,
        cast({{ value }} as double) as value
    from attribution
    where is_window_complete
      and {{ value }} is not null
      {%- if condition %}
      and {{ condition }}
      {%- endif %}
    {%- endfor %}
),

value_counts as (
    select site, quality_tier, window_days, measure, value, count(*) as occurrences
    from measured
    group by site, quality_tier, window_days, measure, value
),

running_counts as (
    select
        *,
        sum(occurrences) over (
            partition by site, quality_tier, window_days, measure
            order by value
            rows between unbounded preceding and current row
        ) as up_to,
        sum(occurrences) over (partition by site, quality_tier, window_days, measure) as total
    from value_counts
),

-- the values at the 0-based ranks floor((n - 1) / 2) and ceil((n - 1) / 2): the first whose
-- running count passes the rank
middle_values as (
    select
        site,
        quality_tier,
        window_days,
        measure,
        min(value) filter (where up_to > floor((total - 1) / 2.0)) as lower_value,
        min(value) filter (where up_to > ceil((total - 1) / 2.0)) as upper_value
    from running_counts
    group by site, quality_tier, window_days, measure
),

pivoted as (
    select
        site,
        quality_tier,
        window_days,
        {%- for name in medians %}
        max(lower_value + 0.5 * (upper_value - lower_value)) filter (where measure = '{{ name }}')
            as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from middle_values
    group by site, quality_tier, window_days
)

select
    summarized.site,
    summarized.quality_tier,
    summarized.window_days,
    summarized.links,
    summarized.complete_links,
    pivoted.median_position_change,
    summarized.share_improved,
    pivoted.median_adjusted_sessions_lift_pct,
    case when pivoted.median_days_until_improved <= summarized.window_days
        then pivoted.median_days_until_improved end as median_days_to_rank_improvement,
    summarized.share_rank_improved,
    pivoted.median_sessions_lift_pct,
    summarized.credited_links
from summarized
left join pivoted
    on pivoted.site = summarized.site
    and pivoted.quality_tier = summarized.quality_tier
    and pivoted.window_days = summarized.window_days
