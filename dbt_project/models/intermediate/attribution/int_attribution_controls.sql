-- One row per own site, acquisition day d and attribution window W: the control group's organic
-- sessions per day before and after d (docs/warehouse.md, "Attribution windows"). The control group
-- is the site's pages with organic traffic that got no new link in [d - W, d + W]; its sessions
-- are the site's organic sessions (the `(other)` row left out: it is no page) minus those of the
-- pages that did get one. Depends only on site, d and W, so it is computed once per (site, d, W)
-- whatever the number of links acquired that day. Windows are the page windows' (cut at the
-- attribution data range); per-day means are over the days with traffic data.
-- Scale: the excluded pages' window sums come from running totals looked up with ASOF joins
-- (four lookups per site, d, W and page), never from a (d, W, page, day) fan-out.
with

windows as (
    select distinct
        site, acquired_date, window_days,
        pre_start_date, pre_end_date, post_start_date, post_end_date
    from {{ ref('int_attribution_page_windows') }}
),

ranges as (
    select * from {{ ref('int_attribution_ranges') }}
),

traffic as (
    select traffic.*
    from {{ ref('fct_page_traffic_daily') }} as traffic
    inner join ranges
        on ranges.site = traffic.site
        and traffic.date between ranges.range_start_date and ranges.range_end_date
),

-- days with traffic data, and the site's organic sessions on them
site_days as (
    select
        site,
        date,
        coalesce(sum(sessions) filter (
            where channel_group = 'Organic Search' and not coalesce(is_other_row, false)
        ), 0) as organic_sessions
    from traffic
    group by site, date
),

page_sessions as (
    select
        site,
        page,
        date,
        sum(sum(sessions)) over (partition by site, page order by date) as running_sessions
    from traffic
    where channel_group = 'Organic Search' and not coalesce(is_other_row, false)
    group by site, page, date
),

site_totals as (
    select
        windows.site,
        windows.acquired_date,
        windows.window_days,
        {{ in_window('sum(site_days.organic_sessions)', 'site_days', 'windows', 'pre') }} as pre_sessions,
        {{ in_window('count(site_days.date)', 'site_days', 'windows', 'pre') }} as pre_days,
        {{ in_window('sum(site_days.organic_sessions)', 'site_days', 'windows', 'post') }} as post_sessions,
        {{ in_window('count(site_days.date)', 'site_days', 'windows', 'post') }} as post_days
    from windows
    left join site_days
        on site_days.site = windows.site
        and site_days.date between windows.pre_start_date and windows.post_end_date
    group by windows.site, windows.acquired_date, windows.window_days
),

-- the days each page won a link, and the pages with a link in [d - W, d + W]: per (site, d, W)
-- and page, the page's first link day on or after d - W (an ASOF lookup) is on or before d + W
page_link_days as (
    select site, target_page as page, acquired_date as first_seen_date
    from {{ ref('int_attribution_page_link_days') }}
),

linked_pages as (
    select distinct site, page
    from page_link_days
),

excluded_pages as (
    select windows.*, linked_pages.page
    from windows
    inner join linked_pages on linked_pages.site = windows.site
    asof inner join page_link_days as next_link
        on next_link.site = linked_pages.site
        and next_link.page = linked_pages.page
        and next_link.first_seen_date >= windows.acquired_date - windows.window_days
    where next_link.first_seen_date <= windows.acquired_date + windows.window_days
),

-- a window's sum = running total at its last day - running total the day before its first
excluded_sessions as (
    select
        excluded_pages.site,
        excluded_pages.acquired_date,
        excluded_pages.window_days,
        count(*) as excluded_pages,
        sum(coalesce(pre_last.running_sessions, 0) - coalesce(pre_before.running_sessions, 0))
            as pre_sessions,
        sum(coalesce(post_last.running_sessions, 0) - coalesce(post_before.running_sessions, 0))
            as post_sessions
    from excluded_pages
    asof left join page_sessions as pre_last
        on pre_last.site = excluded_pages.site
        and pre_last.page = excluded_pages.page
        and pre_last.date <= excluded_pages.pre_end_date
    asof left join page_sessions as pre_before
        on pre_before.site = excluded_pages.site
        and pre_before.page = excluded_pages.page
        and pre_before.date <= excluded_pages.pre_start_date - 1
    asof left join page_sessions as post_last
        on post_last.site = excluded_pages.site
        and post_last.page = excluded_pages.page
        and post_last.date <= excluded_pages.post_end_date
    asof left join page_sessions as post_before
        on post_before.site = excluded_pages.site
        and post_before.page = excluded_pages.page
        and post_before.date <= excluded_pages.post_start_date - 1
    group by excluded_pages.site, excluded_pages.acquired_date, excluded_pages.window_days
),

per_day as (
    select
        site_totals.site,
        site_totals.acquired_date,
        site_totals.window_days,
        coalesce(excluded_sessions.excluded_pages, 0) as excluded_pages,
        site_totals.pre_days,
        site_totals.post_days,
        (site_totals.pre_sessions - coalesce(excluded_sessions.pre_sessions, 0))
            / nullif(site_totals.pre_days, 0) as control_pre_sessions_per_day,
        (site_totals.post_sessions - coalesce(excluded_sessions.post_sessions, 0))
            / nullif(site_totals.post_days, 0) as control_post_sessions_per_day
    from site_totals
    left join excluded_sessions using (site, acquired_date, window_days)
)

select
    *,
    100.0 * (control_post_sessions_per_day / nullif(control_pre_sessions_per_day, 0) - 1)
        as control_sessions_lift_pct
from per_day
