-- One row per own site, attributed page and day of the site's attribution data range: the daily
-- series the attribution windows average. Pages are the target pages of the site's links
-- acquired (first seen) inside the range; the calendar is dense so 7-day means and windows are
-- plain window functions and range joins, computed per page rather than per link.
-- `best_position` is null on days the page does not rank in the chosen source;
-- `organic_sessions` is null on days without any traffic data for the site, else the page's
-- organic sessions (0 when GA4 has no row for it: GA4 leaves out rows with no sessions).
with

ranges as (
    select * from {{ ref('int_attribution_ranges') }}
),

pages as (
    select distinct link_days.site, link_days.target_page as page
    from {{ ref('int_attribution_page_link_days') }} as link_days
    inner join ranges
        on ranges.site = link_days.site
        and link_days.acquired_date between ranges.range_start_date and ranges.range_end_date
),

calendar as (
    select ranges.site, days.date
    from ranges
    {{ lk_unnest_join(lk_date_sequence('ranges.range_start_date', 'ranges.range_end_date'), 'days', 'date') }}
),

positions as (
    select rankings.site, rankings.page, rankings.date, rankings.best_position
    from {{ ref('fct_page_rankings_daily') }} as rankings
    inner join ranges
        on ranges.site = rankings.site and ranges.rank_source = rankings.source
    where rankings.best_position is not null
),

traffic_days as (
    select distinct site, date from {{ ref('fct_page_traffic_daily') }}
),

organic as (
    select site, page, date, cast(sum(sessions) as bigint) as sessions
    from {{ ref('fct_page_traffic_daily') }}
    where channel_group = 'Organic Search' and not coalesce(is_other_row, false)
    group by site, page, date
)

select
    pages.site,
    pages.page,
    calendar.date,
    positions.best_position,
    case when traffic_days.date is not null then coalesce(organic.sessions, 0) end
        as organic_sessions
from pages
inner join calendar on calendar.site = pages.site
left join positions
    on positions.site = pages.site and positions.page = pages.page and positions.date = calendar.date
left join traffic_days on traffic_days.site = pages.site and traffic_days.date = calendar.date
left join organic
    on organic.site = pages.site and organic.page = pages.page and organic.date = calendar.date
