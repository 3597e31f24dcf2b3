-- Link-gap domains of the gap key results, per day: referring domains with a live qualifying link
-- to a competitor (or to the key result's `competitor`) and no live link of any kind to the site
-- (okrs.md). link_gap_opportunities needs every day; competitor_gap_links_acquired only start - 1.
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

competitor_live as (
    select
        gap_days.kr_id,
        gap_days.date,
        competitor_links.source_domain,
        list(distinct competitor_links.link_site order by competitor_links.link_site) as competitors,
        count(*) as competitor_links,
        max(competitor_links.authority_score) as best_authority_score,
    from gap_days
    inner join competitor_links
        on competitor_links.kr_id = gap_days.kr_id
        and competitor_links.first_seen_date <= gap_days.date
        and (competitor_links.lost_date is null or competitor_links.lost_date > gap_days.date)
    group by gap_days.kr_id, gap_days.date, competitor_links.source_domain
),

site_live as (
    select distinct gap_days.kr_id, gap_days.date, all_site_links.source_domain
    from gap_days
    inner join all_site_links
        on all_site_links.site = gap_days.site
        and all_site_links.first_seen_date <= gap_days.date
        and (all_site_links.lost_date is null or all_site_links.lost_date > gap_days.date)
)

select
    competitor_live.kr_id,
    competitor_live.date,
    competitor_live.source_domain,
    competitor_live.competitors,
    competitor_live.competitor_links,
    competitor_live.best_authority_score,
from competitor_live
anti join site_live using (kr_id, date, source_domain)
