-- One row per own site, acquisition day d and attribution window W: the control group's organic
-- sessions per day before and after d (docs/warehouse.md, "Attribution windows"). The control group
-- is the site's pages with organic traffic that got no new link in [d - W, d + W]; its sessions
-- are the site's organic sessions (the `(other)` row left out: it is no page) minus those of the
-- pages that did get one. Depends only on site, d and W, so it is computed once per (site, d, W)
-- whatever the number of links acquired that day. Windows are the page windows' (cut at the
-- attribution data range); per-day means are over the days with traffic data.
-- Scale: the excluded pages' window sums come from running totals looked up ASOF
-- (lk_asof_lookup: four lookups per site, d, W and page), never from a (d, W, page, day) fan-out.
{#- the columns of a (site, d, W) window and a page, carried through the lookups -#}
{%- set window_columns = [
    'site', 'acquired_date', 'window_days', 'page',
    'pre_start_date', 'pre_end_date', 'post_start_date', 'post_end_date'
] %}
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
        cast(sum(sum(sessions)) over (partition by site, page order by date) as bigint) as running_sessions
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

window_pages as (
    select windows.*, linked_pages.page
    from windows
    inner join linked_pages on linked_pages.site = windows.site
),

next_links as (
    {{ lk_asof_lookup(
        'window_pages', window_columns, ['site', 'page'],
        'probes.acquired_date - probes.window_days',
        'page_link_days', 'first_seen_date', 'first_seen_date', 'next_link_date', direction='forward'
    ) }}
),

excluded_pages as (
    select {{ window_columns | join(', ') }}
    from next_links
    where next_link_date <= acquired_date + window_days
),

-- a window's sum = running total at its last day - running total the day before its first
pre_last as (
    {{ lk_asof_lookup(
        'excluded_pages', window_columns, ['site', 'page'], 'probes.pre_end_date',
        'page_sessions', 'date', 'running_sessions', 'pre_last'
    ) }}
),

pre_before as (
    {{ lk_asof_lookup(
        'pre_last', window_columns + ['pre_last'], ['site', 'page'], 'probes.pre_start_date - 1',
        'page_sessions', 'date', 'running_sessions', 'pre_before'
    ) }}
),

post_last as (
    {{ lk_asof_lookup(
        'pre_before', window_columns + ['pre_last', 'pre_before'], ['site', 'page'], 'probes.post_end_date',
        'page_sessions', 'date', 'running_sessions', 'post_last'
    ) }}
),

post_before as (
    {{ lk_asof_lookup(
        'post_last', window_columns + ['pre_last', 'pre_before', 'post_last'], ['site', 'page'],
        'probes.post_start_date - 1', 'page_sessions', 'date', 'running_sessions', 'post_before'
    ) }}
),

excluded_sessions as (
    select
        site,
        acquired_date,
        window_days,
        count(*) as excluded_pages,
        sum(coalesce(pre_last, 0) - coalesce(pre_before, 0)) as pre_sessions,
        sum(coalesce(post_last, 0) - coalesce(post_before, 0)) as post_sessions
    from post_before
    group by site, acquired_date, window_days
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
