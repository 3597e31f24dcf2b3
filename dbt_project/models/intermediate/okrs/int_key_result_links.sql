-- The backlinks that qualify for each link and gap key result: the site's (or, for gap metrics,
-- the competitors') links that pass the key result's filters and page group (okrs.md). Shared by
-- the daily values and the members mart, so both count the same links.
with

key_results as (
    select * from {{ ref('stg_config__key_results') }}
    where metric in (
        'referring_domains', 'backlinks_acquired', 'referring_domains_acquired',
        'min_monthly_new_backlinks', 'link_gap_opportunities', 'competitor_gap_links_acquired'
    )
),

sites as (
    select * from {{ ref('stg_config__sites') }}
),

backlinks as (
    select * from {{ ref('fct_backlinks') }}
),

page_groups as (
    select * from {{ ref('stg_config__page_groups') }}
),

-- Whose links count: the site's own, plus its competitors' (or the one named) for gap metrics.
link_owners as (
    select key_results.kr_id, key_results.site as owner_site, false as is_competitor_link
    from key_results
    union all
    select key_results.kr_id, competitor.site as owner_site, true as is_competitor_link
    from key_results
    inner join sites as own on own.site = key_results.site
    cross join unnest(coalesce(own.competitors, [])) as competitor(site)
    where key_results.metric in ('link_gap_opportunities', 'competitor_gap_links_acquired')
      and (key_results.competitor is null or key_results.competitor = competitor.site)
),

-- Domains with a live link of any quality to the site on start - 1: such a domain is not
-- "acquired" in the period (referring_domains_acquired).
domains_linked_before_start as (
    select distinct key_results.kr_id, backlinks.source_domain
    from key_results
    inner join backlinks
        on backlinks.site = key_results.site
        and backlinks.first_seen_date <= key_results.start_date - 1
        and (backlinks.lost_date is null or backlinks.lost_date > key_results.start_date - 1)
)

select
    key_results.kr_id,
    key_results.metric,
    link_owners.is_competitor_link,
    backlinks.site as link_site,
    backlinks.backlink_id,
    backlinks.source_domain,
    backlinks.target_page,
    backlinks.first_seen_date,
    backlinks.lost_date,
    backlinks.quality_tier,
    backlinks.authority_score,
    linked_before.source_domain is not null as was_domain_linked_before_start,
from key_results
inner join link_owners on link_owners.kr_id = key_results.kr_id
inner join backlinks on backlinks.site = link_owners.owner_site
left join domains_linked_before_start as linked_before
    on linked_before.kr_id = key_results.kr_id
    and linked_before.source_domain = backlinks.source_domain
where (key_results.min_authority is null or backlinks.authority_score >= key_results.min_authority)
  and (key_results.tiers is null or list_contains(key_results.tiers, backlinks.quality_tier))
  and (not coalesce(key_results.followed_only, false) or backlinks.is_followed)
  and (not coalesce(key_results.relevant_only, false) or backlinks.is_relevant)
  and (not coalesce(key_results.exclude_toxic, true) or not backlinks.is_toxic)
  -- a page group narrows the site's own target pages, not the competitors'
  and (
      key_results.page_group is null
      or link_owners.is_competitor_link
      or exists (
          select 1 from page_groups
          where page_groups.site = key_results.site
            and page_groups.page_group = key_results.page_group
            and backlinks.target_page glob page_groups.pattern
      )
  )
