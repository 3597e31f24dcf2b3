-- The configuration fct_backlinks classifies each site's links with, one row per site: relevance
-- topics (a competitor's include those of the sites watching it), disavow list, authority
-- priority, tier thresholds, and what classifies anchors: brand terms, the keywords of the
-- site's keyword sets (a competitor's anchors are read against those of the sites watching it)
-- and the generic anchors. `rules` holds them all as one JSON text, so a change to any of them
-- shows as a changed value (fct_backlinks then reclassifies that site's links).
with

sites as (
    select * from {{ ref('stg_config__sites') }}
),

settings as (
    select * from {{ ref('stg_config__settings') }}
),

keyword_sets as (
    select * from {{ ref('stg_config__keyword_sets') }}
),

-- A keyword's tags come from each rank tracker's latest rows for it (Search Console keywords
-- carry the trackers' tags, so reading them adds nothing), as for average_position.
keyword_tags as (
    select site, source, keyword, max_by(tags, date) as tags
    from {{ ref('fct_keyword_rankings_daily') }}
    where source <> 'gsc'
    group by site, source, keyword
),

-- The keywords of each own site's keyword sets: listed, or tagged with a tag of the set.
site_keywords as (
    select keyword_sets.site, listed.keyword
    from keyword_sets
    {{ lk_unnest_join('keyword_sets.keywords', 'listed', 'keyword') }}

    union

    select keyword_sets.site, keyword_tags.keyword
    from keyword_sets
    inner join keyword_tags
        on keyword_tags.site = keyword_sets.site
        and {{ lk_arrays_overlap('keyword_sets.tags', 'keyword_tags.tags') }}
),

keyword_words as (
    select site, {{ anchor_words('keyword') }} as words
    from site_keywords
),

anchor_keywords as (
    select
        sites.site,
        {{ lk_array_agg('keyword_words.words', order_by='keyword_words.words', distinct=true) }} as anchor_keywords
    from sites
    inner join keyword_words
        on keyword_words.site = sites.site
        or array_contains(coalesce(sites.competitor_of, {{ lk_empty_array('string') }}), keyword_words.site)
    where keyword_words.words <> ''
    group by sites.site
),

site_topics as (
    select
        sites.site,
        coalesce(sites.disavow, {{ lk_empty_array('string') }}) as disavow,
        array_sort(array_distinct(
            flatten({{ lk_array_agg('coalesce(watchers.relevance_topics, ' ~ lk_empty_array('string') ~ ')') }})
            || coalesce(sites.relevance_topics, {{ lk_empty_array('string') }})
        )) as relevance_topics,
        array_sort(array_distinct({{ lk_filter(
            lk_transform('coalesce(sites.brand_terms, ' ~ lk_empty_array('string') ~ ')', 'term', anchor_words('term')),
            'term', "term <> ''"
        ) }})) as brand_terms
    from sites
    left join sites as watchers on array_contains(sites.competitor_of, watchers.site)
    group by sites.site, sites.disavow, sites.relevance_topics, sites.brand_terms
)

select
    site_topics.site,
    site_topics.relevance_topics,
    site_topics.disavow,
    settings.authority_priority,
    site_topics.brand_terms,
    coalesce(anchor_keywords.anchor_keywords, {{ lk_empty_array('string') }}) as anchor_keywords,
    {{ lk_struct_to_json({
        'relevance_topics': 'site_topics.relevance_topics',
        'disavow': 'array_sort(site_topics.disavow)',
        'authority_priority': 'settings.authority_priority',
        'tier_1_min_authority': var('tier_1_min_authority'),
        'tier_2_min_authority': var('tier_2_min_authority'),
        'tier_3_min_authority': var('tier_3_min_authority'),
        'tier_3_nofollow_min_authority': var('tier_3_nofollow_min_authority'),
        'brand_terms': 'site_topics.brand_terms',
        'anchor_keywords': 'coalesce(anchor_keywords.anchor_keywords, ' ~ lk_empty_array('string') ~ ')',
        'generic_anchors': generic_anchor_texts()
    }) }} as rules
from site_topics
cross join settings
left join anchor_keywords using (site)
