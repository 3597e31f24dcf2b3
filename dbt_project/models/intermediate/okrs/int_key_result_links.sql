-- The backlinks that qualify for each link and gap key result: the site's (or, for gap metrics,
-- the competitors') links that pass the key result's filters and page group (docs/config.md). Shared by
-- the daily values, the gap domains and the members mart, so all of them count the same links.
-- Only the links some metric can count on a day from start - 1 through end are kept: at 4M
-- links per site, every link times every key result is tens of millions of rows nobody reads.
with

key_results as (
    select * from {{ ref('stg_config__key_results') }}
    where metric in (
        'referring_domains', 'live_backlinks', 'backlinks_acquired', 'referring_domains_acquired',
        'min_monthly_new_backlinks', 'link_gap_opportunities', 'competitor_gap_links_acquired'
    )
),

sites as (
    select * from {{ ref('stg_config__sites') }}
),

-- Read in several places below: inlined, as materializing every link with all its columns
-- spills past the memory limit at 4M links.
backlinks as {{ lk_not_materialized() }} (
    select * from {{ ref('fct_backlinks') }}
),

page_groups as (
    select * from {{ ref('stg_config__page_groups') }}
),

-- Whose links count, and the window a link must fall in to count at all (docs/config.md, metric
-- catalog). Acquisition metrics count the site's links first seen in [start, t], lost or not;
-- referring_domains and live_backlinks count links live on t, so one lost by start - 1 never
-- counts. Gap metrics
-- read the competitors' links live on a day of the period (link_gap_opportunities) or on
-- start - 1 only (competitor_gap_links_acquired); link_gap_opportunities never reads the
-- site's own qualifying links (its "no live link of any kind" test reads fct_backlinks).
link_owners as (
    select
        key_results.kr_id,
        key_results.site as owner_site,
        false as is_competitor_link,
        case
            when key_results.metric not in ('referring_domains', 'live_backlinks')
                then key_results.start_date
        end as first_seen_from,
        key_results.end_date as first_seen_until,
        case
            when key_results.metric in ('referring_domains', 'live_backlinks')
                then key_results.start_date - 1
        end as lost_after
    from key_results
    where key_results.metric <> 'link_gap_opportunities'

    union all

    select
        key_results.kr_id,
        competitor.site as owner_site,
        true as is_competitor_link,
        null as first_seen_from,
        case
            when key_results.metric = 'competitor_gap_links_acquired' then key_results.start_date - 1
            else key_results.end_date
        end as first_seen_until,
        key_results.start_date - 1 as lost_after
    from key_results
    inner join sites as own on own.site = key_results.site
    {{ lk_unnest_join('own.competitors', 'competitor', 'site') }}
    where key_results.metric in ('link_gap_opportunities', 'competitor_gap_links_acquired')
      and (key_results.competitor is null or key_results.competitor = competitor.site)
),

-- The glob patterns of the key result's page group travel as a list and are matched per link:
-- joined as a table after the links, DuckDB would build its hash table on the millions of links.
page_group_patterns as (
    select key_results.kr_id, {{ lk_array_agg('page_groups.pattern') }} as patterns
    from key_results
    inner join page_groups
        on page_groups.site = key_results.site
        and page_groups.page_group = key_results.page_group
    group by key_results.kr_id
),

link_rules as (
    select
        key_results.*,
        link_owners.owner_site,
        link_owners.is_competitor_link,
        link_owners.first_seen_from,
        link_owners.first_seen_until,
        link_owners.lost_after,
        page_group_patterns.patterns as page_patterns
    from key_results
    inner join link_owners on link_owners.kr_id = key_results.kr_id
    left join page_group_patterns on page_group_patterns.kr_id = key_results.kr_id
),

qualifying as {{ lk_not_materialized() }} (
    select
        link_rules.kr_id,
        link_rules.metric,
        link_rules.is_competitor_link,
        backlinks.site as link_site,
        backlinks.backlink_id,
        backlinks.source_domain,
        backlinks.first_seen_date,
        backlinks.lost_date,
        backlinks.quality_tier,
        backlinks.authority_score
    from link_rules
    inner join backlinks on backlinks.site = link_rules.owner_site
    where backlinks.first_seen_date <= link_rules.first_seen_until
      and (link_rules.first_seen_from is null or backlinks.first_seen_date >= link_rules.first_seen_from)
      and (
          link_rules.lost_after is null
          or backlinks.lost_date is null
          or backlinks.lost_date > link_rules.lost_after
      )
      and (link_rules.min_authority is null or backlinks.authority_score >= link_rules.min_authority)
      and (link_rules.tiers is null or array_contains(link_rules.tiers, backlinks.quality_tier))
      and (not coalesce(link_rules.followed_only, false) or backlinks.is_followed)
      and (not coalesce(link_rules.relevant_only, false) or backlinks.is_relevant)
      and (not coalesce(link_rules.exclude_toxic, true) or not backlinks.is_toxic)
      and (link_rules.placements is null or array_contains(link_rules.placements, backlinks.placement))
      and (link_rules.anchor_types is null or array_contains(link_rules.anchor_types, backlinks.anchor_type))
      -- a page group narrows the site's own target pages, not the competitors'
      and (
          link_rules.page_group is null
          or link_rules.is_competitor_link
          or {{ lk_array_any(
              'link_rules.page_patterns', 'pattern', lk_glob_match('backlinks.target_page', 'pattern')
          ) }}
      )
),

-- Domains with a live link of any quality to the site on start - 1: such a domain is not
-- "acquired" in the period (referring_domains_acquired, the only metric that asks).
domains_linked_before_start as (
    select distinct key_results.kr_id, backlinks.source_domain
    from key_results
    inner join backlinks
        on backlinks.site = key_results.site
        and backlinks.first_seen_date <= key_results.start_date - 1
        and (backlinks.lost_date is null or backlinks.lost_date > key_results.start_date - 1)
    where key_results.metric = 'referring_domains_acquired'
)

-- Two branches so that only referring_domains_acquired's links meet the join above.
select
    kr_id,
    is_competitor_link,
    link_site,
    backlink_id,
    source_domain,
    first_seen_date,
    lost_date,
    quality_tier,
    authority_score,
    cast(null as boolean) as was_domain_linked_before_start
from qualifying
where metric <> 'referring_domains_acquired'

union all

select
    qualifying.kr_id,
    qualifying.is_competitor_link,
    qualifying.link_site,
    qualifying.backlink_id,
    qualifying.source_domain,
    qualifying.first_seen_date,
    qualifying.lost_date,
    qualifying.quality_tier,
    qualifying.authority_score,
    linked_before.source_domain is not null as was_domain_linked_before_start
from qualifying
left join domains_linked_before_start as linked_before
    on linked_before.kr_id = qualifying.kr_id
    and linked_before.source_domain = qualifying.source_domain
where qualifying.metric = 'referring_domains_acquired'
