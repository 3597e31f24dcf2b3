-- Daily values of the link and gap key results (docs/config.md, metric catalog).
-- A key result's days run consecutively from start - 1, so each count is a running sum of what
-- changes on each day, not a join of every day to every link: at 4M links per site that join is
-- hundreds of millions of rows.
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

key_results as (
    select kr_id, metric, start_date, min(date) as first_day, max(date) + 1 as after_last_day
    from days
    group by kr_id, metric, start_date
),

-- referring_domains: a domain is live while any of its links is, so its links' live spans
-- [first seen, lost) are merged into disjoint spans, each adding 1 on its first day and
-- removing it on its end. Spans are clipped to the key result's days first: most links are
-- live on all of them, and identical spans collapse into one before the windows sort them.
domain_live_spans as (
    select distinct
        own_links.kr_id,
        own_links.source_domain,
        greatest(own_links.first_seen_date, key_results.first_day) as live_from,
        least(
            coalesce(own_links.lost_date, key_results.after_last_day), key_results.after_last_day
        ) as live_until
    from own_links
    inner join key_results on key_results.kr_id = own_links.kr_id
    where key_results.metric = 'referring_domains'
),

-- Over the domain's spans in order: one starts a merged span when it begins after every earlier
-- one has ended, and closes it when the next begins after the merged span's latest end.
domain_spans as (
    select
        kr_id,
        live_from,
        max(live_until) over (
            partition by kr_id, source_domain
            order by live_from, live_until
            rows between unbounded preceding and 1 preceding
        ) as ended_before,
        max(live_until) over (
            partition by kr_id, source_domain
            order by live_from, live_until
            rows between unbounded preceding and current row
        ) as ended_by,
        lead(live_from) over (partition by kr_id, source_domain order by live_from, live_until) as next_live_from
    from domain_live_spans
    -- empty once clipped, or lost on (or before) the day first seen: never live on a day
    where live_from < live_until
),

domain_span_bounds as (
    select
        kr_id,
        live_from,
        ended_by,
        ended_before is null or live_from > ended_before as is_span_start,
        next_live_from is null or next_live_from > ended_by as is_span_end
    from domain_spans
    where ended_before is null
       or live_from > ended_before
       or next_live_from is null
       or next_live_from > ended_by
),

changes as (
    select kr_id, live_from as date, 1 as change
    from domain_span_bounds
    where is_span_start

    union all

    select kr_id, ended_by as date, -1 as change
    from domain_span_bounds
    where is_span_end

    union all

    -- live_backlinks: a link adds 1 from the day it is first seen (or the first day) and removes
    -- it on the day it is lost; one lost on or before the day first seen is never live.
    select own_links.kr_id, greatest(own_links.first_seen_date, key_results.first_day) as date, 1 as change
    from own_links
    inner join key_results on key_results.kr_id = own_links.kr_id
    where key_results.metric = 'live_backlinks'
      and (own_links.lost_date is null or own_links.lost_date > own_links.first_seen_date)

    union all

    select own_links.kr_id, own_links.lost_date as date, -1 as change
    from own_links
    inner join key_results on key_results.kr_id = own_links.kr_id
    where key_results.metric = 'live_backlinks'
      and own_links.lost_date > own_links.first_seen_date

    union all

    -- backlinks_acquired: links first seen in [start, t], lost or not.
    select own_links.kr_id, own_links.first_seen_date as date, 1 as change
    from own_links
    inner join key_results on key_results.kr_id = own_links.kr_id
    where key_results.metric = 'backlinks_acquired'
      and own_links.first_seen_date >= key_results.start_date

    union all

    -- referring_domains_acquired: a domain counts from the first day one of its links is first
    -- seen in the period, unless it had a live link to the site on start - 1.
    select own_links.kr_id, min(own_links.first_seen_date) as date, 1 as change
    from own_links
    inner join key_results on key_results.kr_id = own_links.kr_id
    where key_results.metric = 'referring_domains_acquired'
      and own_links.first_seen_date >= key_results.start_date
      and not own_links.was_domain_linked_before_start
    group by own_links.kr_id, own_links.source_domain

    union all

    -- competitor_gap_links_acquired: links first seen in [start, t] from a gap domain of start - 1.
    select own_links.kr_id, own_links.first_seen_date as date, 1 as change
    from own_links
    inner join key_results on key_results.kr_id = own_links.kr_id
    semi join gap_domains
        on gap_domains.kr_id = own_links.kr_id
        and gap_domains.date = key_results.start_date - 1
        and gap_domains.source_domain = own_links.source_domain
    where key_results.metric = 'competitor_gap_links_acquired'
      and own_links.first_seen_date >= key_results.start_date
),

daily_changes as (
    select kr_id, date, sum(change) as change
    from changes
    group by kr_id, date
),

running_counts as (
    select
        days.kr_id,
        days.date,
        sum(coalesce(daily_changes.change, 0)) over (
            partition by days.kr_id
            order by days.date
            rows between unbounded preceding and current row
        ) as value
    from days
    left join daily_changes
        on daily_changes.kr_id = days.kr_id
        and daily_changes.date = days.date
    where days.metric in (
        'referring_domains', 'live_backlinks', 'backlinks_acquired', 'referring_domains_acquired',
        'competitor_gap_links_acquired'
    )
),

-- min_monthly_new_backlinks: the minimum over the months of [start, t] that have ended by t;
-- before the first month ends, that month's count so far.
new_backlinks as (
    select own_links.kr_id, own_links.first_seen_date as date, count(*) as new_backlinks
    from own_links
    inner join key_results on key_results.kr_id = own_links.kr_id
    where key_results.metric = 'min_monthly_new_backlinks'
      and own_links.first_seen_date >= key_results.start_date
    group by own_links.kr_id, own_links.first_seen_date
),

monthly_counts as (
    select
        days.kr_id,
        days.date,
        last_day(days.date) as month_end,
        sum(coalesce(new_backlinks.new_backlinks, 0)) over (
            partition by days.kr_id, cast(date_trunc('month', days.date) as date)
            order by days.date
            rows between unbounded preceding and current row
        ) as month_to_date
    from days
    left join new_backlinks
        on new_backlinks.kr_id = days.kr_id
        and new_backlinks.date = days.date
    where days.metric = 'min_monthly_new_backlinks'
      and days.date >= days.start_date
),

min_monthly as (
    select
        kr_id,
        date,
        coalesce(
            min(case when date = month_end then month_to_date end) over (
                partition by kr_id
                order by date
                rows between unbounded preceding and current row
            ),
            month_to_date
        ) as value
    from monthly_counts
),

link_gap_opportunities as (
    select days.kr_id, days.date, count(gap_domains.source_domain) as value
    from days
    left join gap_domains on gap_domains.kr_id = days.kr_id and gap_domains.date = days.date
    where days.metric = 'link_gap_opportunities'
    group by days.kr_id, days.date
),

unioned as (
    select * from running_counts
    union all
    select * from min_monthly
    union all
    select * from link_gap_opportunities
)

select
    unioned.kr_id,
    unioned.date,
    cast(unioned.value as double) as value
from unioned
