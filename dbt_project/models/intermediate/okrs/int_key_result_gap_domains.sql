-- Link-gap domains of the gap key results, per day: referring domains with a live qualifying link
-- to a competitor (or to the key result's `competitor`) and no live link of any kind to the site
-- (docs/config.md). link_gap_opportunities needs every day; competitor_gap_links_acquired only start - 1.
-- Links are handled as live spans [first seen, lost) clipped to the key result's days; only the
-- domains the site does not cover on every one of those days are expanded to single days, as
-- joining every day to every live link is hundreds of millions of rows at 4M links per site.
with

gap_days as (
    select * from {{ ref('int_key_result_days') }}
    where metric = 'link_gap_opportunities'
       or (metric = 'competitor_gap_links_acquired' and date = start_date - 1)
),

competitor_links as (
    select * from {{ ref('int_key_result_links') }}
    where is_competitor_link
),

all_site_links as (
    select site, source_domain, first_seen_date, lost_date from {{ ref('fct_backlinks') }}
),

-- A key result's days are consecutive, so they are the span [first_day, after_last_day).
gap_periods as (
    select kr_id, site, min(date) as first_day, max(date) + 1 as after_last_day
    from gap_days
    group by kr_id, site
),

competitor_spans as (
    select
        gap_periods.kr_id,
        competitor_links.link_site,
        competitor_links.source_domain,
        competitor_links.authority_score,
        greatest(competitor_links.first_seen_date, gap_periods.first_day) as live_from,
        least(
            coalesce(competitor_links.lost_date, gap_periods.after_last_day),
            gap_periods.after_last_day
        ) as live_until
    from gap_periods
    inner join competitor_links on competitor_links.kr_id = gap_periods.kr_id
    where competitor_links.first_seen_date < gap_periods.after_last_day
      and (competitor_links.lost_date is null or competitor_links.lost_date > gap_periods.first_day)
),

competitor_domains as (
    select distinct kr_id, source_domain from competitor_spans
),

-- The site's links (of any kind) from the domains the competitors' links come from.
site_spans as (
    select
        gap_periods.kr_id,
        all_site_links.source_domain,
        gap_periods.first_day,
        gap_periods.after_last_day,
        greatest(all_site_links.first_seen_date, gap_periods.first_day) as live_from,
        least(
            coalesce(all_site_links.lost_date, gap_periods.after_last_day),
            gap_periods.after_last_day
        ) as live_until
    from gap_periods
    inner join all_site_links on all_site_links.site = gap_periods.site
    semi join competitor_domains
        on competitor_domains.kr_id = gap_periods.kr_id
        and competitor_domains.source_domain = all_site_links.source_domain
    where all_site_links.first_seen_date < gap_periods.after_last_day
      and (all_site_links.lost_date is null or all_site_links.lost_date > gap_periods.first_day)
),

-- Domains with one site link live on every day of the key result: never a gap domain.
covered_domains as (
    select kr_id, source_domain
    from site_spans
    group by kr_id, source_domain
    having bool_or(live_from = first_day and live_until = after_last_day)
),

-- Spans expanded to their days [live_from, live_until). Spans left empty by the clipping (a link
-- lost on or before the day first seen) have no days: kept out, as Spark's sequence fails on them.
competitor_days as (
    select
        competitor_spans.kr_id,
        cast(day as date) as date,
        competitor_spans.source_domain,
        competitor_spans.link_site,
        competitor_spans.authority_score
    from (select * from competitor_spans where live_from < live_until) as competitor_spans
    anti join covered_domains using (kr_id, source_domain)
    {{ lk_unnest_join(
        lk_date_sequence('competitor_spans.live_from', 'competitor_spans.live_until - 1'), 'days', 'day'
    ) }}
),

site_days as (
    select distinct site_spans.kr_id, cast(day as date) as date, site_spans.source_domain
    from (select * from site_spans where live_from < live_until) as site_spans
    anti join covered_domains using (kr_id, source_domain)
    {{ lk_unnest_join(lk_date_sequence('site_spans.live_from', 'site_spans.live_until - 1'), 'days', 'day') }}
)

select
    competitor_days.kr_id,
    competitor_days.date,
    competitor_days.source_domain,
    {{ lk_array_agg(
        'competitor_days.link_site', order_by='competitor_days.link_site', distinct=true
    ) }} as competitors,
    count(*) as competitor_links,
    max(competitor_days.authority_score) as best_authority_score
from competitor_days
anti join site_days using (kr_id, date, source_domain)
group by competitor_days.kr_id, competitor_days.date, competitor_days.source_domain
