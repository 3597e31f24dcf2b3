-- One row per own site, target page, acquisition day d (a day the page got a link inside the
-- site's attribution data range) and attribution window W (settings `attribution_windows`): the
-- window's days, cut at the range, and how many links the page got within [d - W, d + W]
-- (docs/warehouse.md, "Attribution windows"). acquired_date = first_seen_date.
-- pre = [d - W, d - 1] and post = [d + 1, d + W], each cut at [range_start_date, range_end_date];
-- a cut can leave a side empty (start after end), and its means are then null. Links acquired
-- outside the range get no window (they have no data on one side or both) but still count in
-- other days' links_in_window and in the control group's exclusions.
-- Everything here depends on the page and the day, not on the link: links to one page on one day
-- share one row, so the windows, means and controls are computed per page-day, and
-- fct_link_attribution joins the links to them once, at the end.
{#- the columns of a page, day and window, carried through the lookups -#}
{%- set attributed_columns = [
    'site', 'target_page', 'acquired_date', 'links_acquired', 'window_days',
    'rank_source', 'range_start_date', 'range_end_date'
] %}
with

ranges as (
    select * from {{ ref('int_attribution_ranges') }}
),

settings as (
    select any_value(attribution_windows) as attribution_windows
    from {{ ref('stg_config__settings') }}
),

configured_windows as (
    select {{ lk_unnest('coalesce(attribution_windows, ' ~ lk_array([30, 60, 90]) ~ ')') }} as window_days
    from settings
),

windows as (
    select distinct cast(window_days as integer) as window_days
    from configured_windows
),

page_link_days as (
    select * from {{ ref('int_attribution_page_link_days') }}
),

attributed as (
    select
        page_link_days.site,
        page_link_days.target_page,
        page_link_days.acquired_date,
        page_link_days.links_acquired,
        windows.window_days,
        ranges.rank_source,
        ranges.range_start_date,
        ranges.range_end_date
    from page_link_days
    inner join ranges
        on ranges.site = page_link_days.site
        and page_link_days.acquired_date between ranges.range_start_date and ranges.range_end_date
    cross join windows
),

-- links_in_window is the page's running link count at the window's end minus the count before
-- its start, looked up once per page, day and window (never a join of each link with its
-- neighbours: a page with 10,000 links would square)
links_up_to_end as (
    {{ lk_asof_lookup(
        'attributed', attributed_columns, ['site', 'target_page'],
        'probes.acquired_date + probes.window_days',
        'page_link_days', 'acquired_date', 'running_links', 'links_up_to_end'
    ) }}
),

links_before_start as (
    {{ lk_asof_lookup(
        'links_up_to_end', attributed_columns + ['links_up_to_end'], ['site', 'target_page'],
        'probes.acquired_date - probes.window_days',
        'page_link_days', 'acquired_date', 'running_links', 'links_before_start', strict=true
    ) }}
),

links_in_window as (
    select *, links_up_to_end - coalesce(links_before_start, 0) as links_in_window
    from links_before_start
)

select
    site,
    target_page,
    acquired_date,
    window_days,
    links_acquired,
    rank_source,
    range_start_date,
    range_end_date,
    greatest(acquired_date - window_days, range_start_date) as pre_start_date,
    least(acquired_date - 1, range_end_date) as pre_end_date,
    greatest(acquired_date + 1, range_start_date) as post_start_date,
    least(acquired_date + window_days, range_end_date) as post_end_date,
    links_in_window,
    1 / cast(links_in_window as double) as credit_share,
    acquired_date + window_days <= range_end_date as is_window_complete
from links_in_window
