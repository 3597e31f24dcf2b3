-- Per site and referring domain: domains that link to at least one of the site's competitors and
-- not to the site, as of the site's latest snapshot date (docs/warehouse.md, `fct_link_gap`).
with

sites as (
    select site, competitors from {{ ref('stg_config__sites') }}
    where not is_competitor
),

backlinks as (
    select * from {{ ref('fct_backlinks') }}
),

as_of as (
    select site, latest_snapshot_date as as_of_date
    from {{ ref('dim_sites') }}
    where latest_snapshot_date is not null
),

live_on as (
    select backlinks.*, as_of.as_of_date
    from backlinks
    inner join as_of using (site)
),

site_competitors as (
    select sites.site, competitor
    from sites
    {{ lk_unnest_join('sites.competitors', 'competitor_sites', 'competitor') }}
),

competitor_links as (
    select
        site_competitors.site,
        site_competitors.competitor,
        links.source_domain,
        links.authority_score,
        links.quality_tier,
        links.is_relevant,
        links.first_seen_date,
        own.as_of_date
    from site_competitors
    inner join as_of as own on own.site = site_competitors.site
    inner join backlinks as links
        on links.site = site_competitors.competitor
        and links.first_seen_date <= own.as_of_date
        and (links.lost_date is null or links.lost_date > own.as_of_date)
),

site_domains as (
    select distinct live_on.site, live_on.source_domain
    from live_on
    where live_on.first_seen_date <= live_on.as_of_date
      and (live_on.lost_date is null or live_on.lost_date > live_on.as_of_date)
)

select
    competitor_links.site,
    competitor_links.source_domain as referring_domain,
    {{ lk_array_agg('competitor_links.competitor', order_by='competitor_links.competitor', distinct=true) }}
        as competitors,
    count(distinct competitor_links.competitor) as competitors_linked,
    max(competitor_links.authority_score) as best_authority_score,
    {{ tier_of_rank('cast(min(' ~ tier_rank('competitor_links.quality_tier') ~ ') as integer)') }} as quality_tier,
    bool_or(competitor_links.is_relevant) as is_relevant,
    min(competitor_links.first_seen_date) as first_seen_date,
    any_value(competitor_links.as_of_date) as as_of_date
from competitor_links
anti join site_domains
    on site_domains.site = competitor_links.site
    and site_domains.source_domain = competitor_links.source_domain
group by competitor_links.site, competitor_links.source_domain
