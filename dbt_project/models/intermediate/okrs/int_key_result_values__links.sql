-- Daily values of the link and gap key results (okrs.md, metric catalog).
with

days as (
    select * from {{ ref('int_key_result_days') }}
    where family in ('link', 'gap')
),

links as (
    select * from {{ ref('int_key_result_links') }}
),

own_links as (
    select * from links where not is_competitor_link
),

gap_domains as (
    select * from {{ ref('int_key_result_gap_domains') }}
),

referring_domains as (
    select days.kr_id, days.date, count(distinct own_links.source_domain) as value
    from days
    left join own_links
        on own_links.kr_id = days.kr_id
        and own_links.first_seen_date <= days.date
        and (own_links.lost_date is null or own_links.lost_date > days.date)
    where days.metric = 'referring_domains'
    group by days.kr_id, days.date
),

backlinks_acquired as (
    select days.kr_id, days.date, count(own_links.backlink_id) as value
    from days
    left join own_links
        on own_links.kr_id = days.kr_id
        and own_links.first_seen_date between days.start_date and days.date
    where days.metric = 'backlinks_acquired'
    group by days.kr_id, days.date
),

referring_domains_acquired as (
    select days.kr_id, days.date, count(distinct own_links.source_domain) as value
    from days
    left join own_links
        on own_links.kr_id = days.kr_id
        and own_links.first_seen_date between days.start_date and days.date
        and not own_links.was_domain_linked_before_start
    where days.metric = 'referring_domains_acquired'
    group by days.kr_id, days.date
),

-- min_monthly_new_backlinks: the minimum over the months of [start, t] that have ended by t;
-- before the first month ends, that month's count so far.
monthly_days as (
    select
        days.*,
        date_trunc('month', days.date) as month,
        last_day(days.date) as month_end,
    from days
    where days.metric = 'min_monthly_new_backlinks'
      and days.date >= days.start_date
),

monthly_counts as (
    select
        monthly_days.kr_id,
        monthly_days.date,
        monthly_days.month,
        monthly_days.month_end,
        count(own_links.backlink_id) as month_to_date,
    from monthly_days
    left join own_links
        on own_links.kr_id = monthly_days.kr_id
        and own_links.first_seen_date between greatest(monthly_days.month, monthly_days.start_date)
            and monthly_days.date
    group by all
),

month_totals as (
    select kr_id, month, month_end, max(month_to_date) filter (where date = month_end) as total
    from monthly_counts
    group by kr_id, month, month_end
),

min_monthly as (
    select
        monthly_counts.kr_id,
        monthly_counts.date,
        coalesce(
            (select min(month_totals.total) from month_totals
             where month_totals.kr_id = monthly_counts.kr_id
               and month_totals.month_end <= monthly_counts.date
               and month_totals.total is not null),
            monthly_counts.month_to_date
        ) as value,
    from monthly_counts
),

link_gap_opportunities as (
    select days.kr_id, days.date, count(gap_domains.source_domain) as value
    from days
    left join gap_domains on gap_domains.kr_id = days.kr_id and gap_domains.date = days.date
    where days.metric = 'link_gap_opportunities'
    group by days.kr_id, days.date
),

competitor_gap_links_acquired as (
    select days.kr_id, days.date, count(own_links.backlink_id) as value
    from days
    left join own_links
        on own_links.kr_id = days.kr_id
        and own_links.first_seen_date between days.start_date and days.date
        and exists (
            select 1 from gap_domains
            where gap_domains.kr_id = own_links.kr_id
              and gap_domains.date = days.start_date - 1
              and gap_domains.source_domain = own_links.source_domain
        )
    where days.metric = 'competitor_gap_links_acquired'
    group by days.kr_id, days.date
),

unioned as (
    select * from referring_domains
    union all select * from backlinks_acquired
    union all select * from referring_domains_acquired
    union all select * from min_monthly
    union all select * from link_gap_opportunities
    union all select * from competitor_gap_links_acquired
)

select
    unioned.kr_id,
    unioned.date,
    cast(unioned.value as double) as value,
from unioned
