-- One row per own link acquired inside its site's attribution data range and attribution window
-- W (settings `attribution_windows`): the window's days, cut at the range, and the link's share
-- of the credit (warehouse.md, "Attribution windows"). acquired_date = first_seen_date.
-- pre = [d - W, d - 1] and post = [d + 1, d + W], each cut at [range_start_date, range_end_date];
-- a cut can leave a side empty (start after end), and its means are then null. Links acquired
-- outside the range are left out (they have no data on one side or both) but still count in
-- other links' links_in_window and in the control group's exclusions.
with

ranges as (
    select * from {{ ref('int_attribution_ranges') }}
),

windows as (
    select distinct cast(unnest(coalesce(
        (select any_value(attribution_windows) from {{ ref('stg_config__settings') }}),
        [30, 60, 90]
    )) as integer) as window_days,
),

-- every link of an own site, also those acquired outside the range
own_links as (
    select
        backlinks.site,
        backlinks.backlink_id,
        backlinks.target_page,
        backlinks.quality_tier,
        backlinks.first_seen_date as acquired_date,
    from {{ ref('fct_backlinks') }} as backlinks
    inner join ranges using (site)
    where backlinks.first_seen_date is not null
),

attributed as (
    select
        own_links.*,
        windows.window_days,
        ranges.rank_source,
        ranges.range_start_date,
        ranges.range_end_date,
    from own_links
    inner join ranges
        on ranges.site = own_links.site
        and own_links.acquired_date between ranges.range_start_date and ranges.range_end_date
    cross join windows
),

-- the page's links acquired within [d - W, d + W], the link itself included: a running count
-- of the page's links by day, looked up at both ends of the window once per page, day and
-- window (never a join of each link with its neighbours: a page with 10,000 links would square)
page_link_days as (
    select
        site,
        target_page,
        acquired_date,
        sum(count(*)) over (
            partition by site, target_page order by acquired_date
        ) as running_links,
    from own_links
    group by site, target_page, acquired_date
),

page_windows as (
    select distinct site, target_page, acquired_date, window_days,
    from attributed
),

links_in_window as (
    select
        page_windows.site,
        page_windows.target_page,
        page_windows.acquired_date,
        page_windows.window_days,
        up_to_end.running_links - coalesce(before_start.running_links, 0) as links_in_window,
    from page_windows
    asof inner join page_link_days as up_to_end
        on up_to_end.site = page_windows.site
        and up_to_end.target_page = page_windows.target_page
        and up_to_end.acquired_date <= page_windows.acquired_date + page_windows.window_days
    asof left join page_link_days as before_start
        on before_start.site = page_windows.site
        and before_start.target_page = page_windows.target_page
        and before_start.acquired_date < page_windows.acquired_date - page_windows.window_days
)

select
    attributed.backlink_id,
    attributed.window_days,
    attributed.site,
    attributed.target_page,
    attributed.quality_tier,
    attributed.acquired_date,
    attributed.rank_source,
    attributed.range_start_date,
    attributed.range_end_date,
    greatest(attributed.acquired_date - attributed.window_days, attributed.range_start_date)
        as pre_start_date,
    least(attributed.acquired_date - 1, attributed.range_end_date) as pre_end_date,
    greatest(attributed.acquired_date + 1, attributed.range_start_date) as post_start_date,
    least(attributed.acquired_date + attributed.window_days, attributed.range_end_date)
        as post_end_date,
    links_in_window.links_in_window,
    1.0 / links_in_window.links_in_window as credit_share,
    attributed.acquired_date + attributed.window_days <= attributed.range_end_date
        as is_window_complete,
from attributed
inner join links_in_window using (site, target_page, acquired_date, window_days)
