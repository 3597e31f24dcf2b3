-- Per site, calendar month and anchor class (docs/config.md, "Anchor classes"): the backlinks
-- live at the month's end (in the month of the site's latest snapshot: on that date, the last
-- day anything is known), those first seen in the month, and each class's share of the live
-- ones. Every class in every month from the site's earliest link through its latest snapshot,
-- zeros included. Live counts are running sums of each month's arrivals and losses, not a join
-- of every link to every month.
with

backlinks as (
    select site, anchor_type, first_seen_date, lost_date
    from {{ ref('fct_backlinks') }}
),

site_spans as (
    select
        backlinks.site,
        min(backlinks.first_seen_date) as first_date,
        max(sites.latest_snapshot_date) as latest_snapshot_date
    from backlinks
    inner join {{ ref('dim_sites') }} as sites using (site)
    group by backlinks.site
),

months as (
    select
        site_spans.site,
        cast(month_start as date) as month,
        least(last_day(cast(month_start as date)), site_spans.latest_snapshot_date) as as_of_date
    from site_spans
    {{ lk_unnest_join(
        lk_month_sequence('site_spans.first_date', 'site_spans.latest_snapshot_date'),
        'months', 'month_start'
    ) }}
),

anchor_types as (
    select {{ lk_unnest(anchor_types()) }} as anchor_type
),

-- A link adds one on the day it is first seen and removes it on the day it is lost; one lost
-- on or before the day first seen (never live) removes it on that same day.
events as (
    select
        site,
        anchor_type,
        first_seen_date as date,
        1 as live_change,
        1 as is_new
    from backlinks

    union all

    select
        site,
        anchor_type,
        greatest(lost_date, first_seen_date) as date,
        -1 as live_change,
        0 as is_new
    from backlinks
    where lost_date is not null
),

monthly_events as (
    select
        events.site,
        months.month,
        events.anchor_type,
        sum(events.live_change) as live_change,
        sum(events.is_new) as new_backlinks
    from events
    inner join months
        on months.site = events.site
        and months.month = cast(date_trunc('month', events.date) as date)
    where events.date <= months.as_of_date
    group by events.site, months.month, events.anchor_type
),

counts as (
    select
        months.site,
        months.month,
        anchor_types.anchor_type,
        months.as_of_date,
        coalesce(monthly_events.new_backlinks, 0) as new_backlinks,
        sum(coalesce(monthly_events.live_change, 0)) over (
            partition by months.site, anchor_types.anchor_type
            order by months.month
            rows between unbounded preceding and current row
        ) as live_backlinks
    from months
    cross join anchor_types
    left join monthly_events
        on monthly_events.site = months.site
        and monthly_events.month = months.month
        and monthly_events.anchor_type = anchor_types.anchor_type
)

select
    site,
    month,
    anchor_type,
    cast(live_backlinks as bigint) as live_backlinks,
    cast(new_backlinks as bigint) as new_backlinks,
    cast(live_backlinks as double)
        / nullif(sum(live_backlinks) over (partition by site, month), 0) as share_of_live,
    as_of_date
from counts
