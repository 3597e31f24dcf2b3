-- One row per own site, quality tier and attribution window: how links of each tier moved their
-- target pages (from fct_link_attribution).
-- * `links` counts every attributed link; the medians and shares use only links whose window is
--   complete (d + W within the data range), because a link acquired a few days ago has a post
--   window shorter than any ranking lag and would pull its tier toward "no effect".
-- * median_days_to_rank_improvement is a time-to-event median: links whose page never improved
--   within W count as "later than W" instead of being skipped (skipping them would credit a tier
--   whose few improvers rode on other links' effects); null when the median link of the tier did
--   not improve within W. share_rank_improved says how many did.
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
        percentile_cont(0.5) within group (order by position_change) filter (
            where is_window_complete
        ) as median_position_change,
        avg(case when position_change > 0 then 1 else 0 end) filter (
            where is_window_complete and position_change is not null
        ) as share_improved,
        percentile_cont(0.5) within group (order by adjusted_sessions_lift_pct) filter (
            where is_window_complete
        ) as median_adjusted_sessions_lift_pct,
        percentile_cont(0.5) within group (
            order by coalesce(days_to_rank_improvement, window_days + 1)
        ) filter (
            where is_window_complete and pre_avg_position is not null
        ) as median_days_until_improved,
        avg(case when days_to_rank_improvement is not null then 1 else 0 end) filter (
            where is_window_complete and pre_avg_position is not null
        ) as share_rank_improved,
        percentile_cont(0.5) within group (order by sessions_lift_pct) filter (
            where is_window_complete
        ) as median_sessions_lift_pct,
        sum(credit_share) as credited_links
    from attribution
    group by site, quality_tier, window_days
)

select
    site,
    quality_tier,
    window_days,
    links,
    complete_links,
    median_position_change,
    share_improved,
    median_adjusted_sessions_lift_pct,
    case when median_days_until_improved <= window_days
        then median_days_until_improved end as median_days_to_rank_improvement,
    share_rank_improved,
    median_sessions_lift_pct,
    credited_links
from summarized
