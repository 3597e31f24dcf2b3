-- The configuration fct_backlinks classifies each site's links with, one row per site: relevance
-- topics (a competitor's include those of the sites watching it), disavow list, authority
-- priority and tier thresholds. `rules` holds them all as one JSON text, so a change to any of
-- them shows as a changed value (fct_backlinks then reclassifies that site's links).
with

sites as (
    select * from {{ ref('stg_config__sites') }}
),

settings as (
    select * from {{ ref('stg_config__settings') }}
),

site_topics as (
    select
        sites.site,
        coalesce(sites.disavow, []) as disavow,
        list_sort(list_distinct(flatten(list(coalesce(watchers.relevance_topics, [])))
            || coalesce(sites.relevance_topics, []))) as relevance_topics,
    from sites
    left join sites as watchers on list_contains(sites.competitor_of, watchers.site)
    group by sites.site, sites.disavow, sites.relevance_topics
)

select
    site_topics.site,
    site_topics.relevance_topics,
    site_topics.disavow,
    settings.authority_priority,
    cast(to_json(struct_pack(
        relevance_topics := site_topics.relevance_topics,
        disavow := list_sort(site_topics.disavow),
        authority_priority := settings.authority_priority,
        tier_1_min_authority := {{ var('tier_1_min_authority') }},
        tier_2_min_authority := {{ var('tier_2_min_authority') }},
        tier_3_min_authority := {{ var('tier_3_min_authority') }},
        tier_3_nofollow_min_authority := {{ var('tier_3_nofollow_min_authority') }}
    )) as varchar) as rules,
from site_topics
cross join settings
