-- One row per own link and attribution window: how the target page's rank and organic sessions
-- moved around the day the link was acquired (docs/warehouse.md, "Attribution windows").
--
-- Decisions (the spec leaves them open):
-- * acquired_date = fct_backlinks.first_seen_date; only the site's own links (competitors have
--   no attribution range), acquired inside the attribution data range.
-- * The chosen rank source, per site: the dbt var `attribution_rank_source` (a source id, or a
--   mapping {site: source id}); else the rank-tracker source (not `gsc`) with the most page-days
--   for the site; else `gsc`. See int_attribution_ranges.
-- * Positions are the page's daily best_position in that source, on days it ranks. Sessions
--   per day are means over the days the site has traffic data (a page without a GA4 row that
--   day had 0 organic sessions).
-- * days_to_rank_improvement: the 7-day means (days d + k - 6 ... d + k with data) only use days
--   inside the attribution data range, and k stops at the range's last day.
-- * Everything is set-based per page and per (site, d, W): the windows come per page and day
--   (int_attribution_page_windows), the page series is dense per page
--   (int_attribution_page_days), the means, lifts and rank improvement are computed once per
--   page, day and window, and the control group once per (site, d, W)
--   (int_attribution_controls). Links join them at the end: links to one page on one day share
--   everything but their id and tier.
with

page_windows as (
    select * from {{ ref('int_attribution_page_windows') }}
),

page_days as (
    select
        *,
        avg(best_position) over (
            partition by site, page
            order by {{ lk_days_between("cast('2000-01-01' as date)", 'date') }}
            range between 6 preceding and current row
        ) as position_7d_mean
    from {{ ref('int_attribution_page_days') }}
),

controls as (
    select * from {{ ref('int_attribution_controls') }}
),

window_means as (
    select
        page_windows.site,
        page_windows.target_page,
        page_windows.acquired_date,
        page_windows.window_days,
        {{ in_window('avg(page_days.best_position)', 'page_days', 'page_windows', 'pre') }} as pre_avg_position,
        {{ in_window('avg(page_days.best_position)', 'page_days', 'page_windows', 'post') }} as post_avg_position,
        {{ in_window('avg(page_days.organic_sessions)', 'page_days', 'page_windows', 'pre') }} as pre_sessions_per_day,
        {{ in_window('avg(page_days.organic_sessions)', 'page_days', 'page_windows', 'post') }}
            as post_sessions_per_day,
        {{ in_window('count(page_days.best_position)', 'page_days', 'page_windows', 'pre') }} as pre_ranked_days,
        {{ in_window('count(page_days.best_position)', 'page_days', 'page_windows', 'post') }} as post_ranked_days
    from page_windows
    left join page_days
        on page_days.site = page_windows.site
        and page_days.page = page_windows.target_page
        and page_days.date between page_windows.pre_start_date and page_windows.post_end_date
    group by all
),

-- first k in 1 ... W whose 7-day mean position is at least 1.0 better than the pre mean
rank_improvements as (
    select
        page_windows.site,
        page_windows.target_page,
        page_windows.acquired_date,
        page_windows.window_days,
        cast(min({{ lk_days_between('page_windows.acquired_date', 'page_days.date') }}) as bigint)
            as days_to_rank_improvement
    from page_windows
    inner join window_means using (site, target_page, acquired_date, window_days)
    inner join page_days
        on page_days.site = page_windows.site
        and page_days.page = page_windows.target_page
        and page_days.date between page_windows.post_start_date and page_windows.post_end_date
    where page_days.position_7d_mean <= window_means.pre_avg_position - 1.0
    group by all
),

lifts as (
    select
        page_windows.*,
        window_means.pre_avg_position,
        window_means.post_avg_position,
        window_means.pre_avg_position - window_means.post_avg_position as position_change,
        window_means.pre_ranked_days,
        window_means.post_ranked_days,
        window_means.pre_sessions_per_day,
        window_means.post_sessions_per_day,
        100.0 * (
            window_means.post_sessions_per_day / nullif(window_means.pre_sessions_per_day, 0) - 1
        ) as sessions_lift_pct,
        controls.control_sessions_lift_pct,
        rank_improvements.days_to_rank_improvement
    from page_windows
    inner join window_means using (site, target_page, acquired_date, window_days)
    left join controls using (site, acquired_date, window_days)
    left join rank_improvements using (site, target_page, acquired_date, window_days)
),

-- the own links (page windows exist only for own sites and days inside the range)
links as (
    select site, backlink_id, target_page, quality_tier, first_seen_date as acquired_date
    from {{ ref('fct_backlinks') }}
)

select
    links.backlink_id,
    lifts.window_days,
    lifts.site,
    lifts.target_page,
    links.quality_tier,
    lifts.acquired_date,
    pre_avg_position,
    post_avg_position,
    position_change,
    pre_sessions_per_day,
    post_sessions_per_day,
    sessions_lift_pct,
    control_sessions_lift_pct,
    sessions_lift_pct - control_sessions_lift_pct as adjusted_sessions_lift_pct,
    links_in_window,
    credit_share,
    is_window_complete,
    days_to_rank_improvement,
    rank_source,
    -- the site's attribution data range is in dim_attribution_ranges: its end moves every day
    pre_start_date,
    pre_end_date,
    post_start_date,
    post_end_date,
    pre_ranked_days,
    post_ranked_days
from links
inner join lifts using (site, target_page, acquired_date)
