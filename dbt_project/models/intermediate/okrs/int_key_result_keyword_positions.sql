-- average_position key results: each keyword of the set and its mean position over days t - 6 .. t,
-- per day t (docs/config.md). On a day the source has rows for the site, a keyword of the set without a
-- ranked row counts as the unranked position; keywords listed in the set but never seen in the
-- source count too. The value is the mean of these means; the members mart lists them.
with

days as (
    select * from {{ ref('int_key_result_days') }}
    where metric = 'average_position'
),

key_results as (
    select * from {{ ref('stg_config__key_results') }}
),

settings as (
    select unranked_position from {{ ref('stg_config__settings') }}
),

keyword_sets as (
    select * from {{ ref('stg_config__keyword_sets') }}
),

rankings as (
    select * from {{ ref('fct_keyword_rankings_daily') }}
),

-- Days the chosen source has rows for the site.
source_days as (
    select distinct site, source, date from rankings
),

-- Tags come from the source's latest rows for each keyword.
keyword_tags as (
    select site, source, keyword, max_by(tags, date) as tags
    from rankings
    group by site, source, keyword
),

rank_key_results as (
    select distinct days.kr_id, days.site, days.rank_source, key_results.keyword_set
    from days
    inner join key_results using (kr_id)
),

-- The keywords of each key result (all the source's keywords without a set).
members as (
    select rank_key_results.kr_id, keyword_tags.keyword
    from rank_key_results
    inner join keyword_tags
        on keyword_tags.site = rank_key_results.site and keyword_tags.source = rank_key_results.rank_source
    left join keyword_sets
        on keyword_sets.site = rank_key_results.site
        and keyword_sets.keyword_set = rank_key_results.keyword_set
    where rank_key_results.keyword_set is null
       or {{ lk_arrays_overlap("coalesce(keyword_sets.tags, " ~ lk_empty_array('string') ~ ")", 'keyword_tags.tags') }}
       or array_contains(coalesce(keyword_sets.keywords, {{ lk_empty_array('string') }}), keyword_tags.keyword)
    union
    -- listed keywords that never appear in the source still count, as unranked
    select rank_key_results.kr_id, listed.keyword
    from rank_key_results
    inner join keyword_sets
        on keyword_sets.site = rank_key_results.site
        and keyword_sets.keyword_set = rank_key_results.keyword_set
    {{ lk_unnest_join('keyword_sets.keywords', 'listed', 'keyword') }}
),

-- Each member keyword's position on each day the source has data, from 6 days before the first day.
member_days as (
    select
        members.kr_id,
        members.keyword,
        source_days.date,
        rankings.position is not null as is_ranked,
        coalesce(rankings.position, settings.unranked_position) as position
    from members
    inner join rank_key_results using (kr_id)
    inner join source_days
        on source_days.site = rank_key_results.site
        and source_days.source = rank_key_results.rank_source
        and source_days.date between (select min(date) from days) - 6 and (select max(date) from days)
    cross join settings
    left join rankings
        on rankings.site = rank_key_results.site
        and rankings.source = rank_key_results.rank_source
        and rankings.keyword = members.keyword
        and rankings.date = source_days.date
)

select
    days.kr_id,
    days.date,
    member_days.keyword,
    avg(member_days.position) as mean_position,
    count(*) as source_days,
    count(*) filter (where member_days.is_ranked) as ranked_days
from days
inner join member_days
    on member_days.kr_id = days.kr_id
    and member_days.date between days.date - 6 and days.date
group by days.kr_id, days.date, member_days.keyword
