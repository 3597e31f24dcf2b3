-- Rank key results over 7-day means (okrs.md): `average_position` over the keyword set, with a
-- keyword that does not rank on a day the source has rows for the site counted as the unranked
-- position; `pages_in_position_range` from each page's best keyword.
with

days as (
    select * from {{ ref('int_key_result_days') }}
    where family = 'rank'
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

page_groups as (
    select * from {{ ref('stg_config__page_groups') }}
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
    select site, source, keyword, arg_max(tags, date) as tags
    from rankings
    group by site, source, keyword
),

rank_key_results as (
    select distinct
        days.kr_id, days.site, days.metric, days.rank_source, key_results.keyword_set,
        key_results.page_group, key_results.min_position, key_results.max_position,
    from days
    inner join key_results using (kr_id)
),

-- The keywords of each average_position key result (all the source's keywords without a set).
members as (
    select rank_key_results.kr_id, keyword_tags.keyword
    from rank_key_results
    inner join keyword_tags
        on keyword_tags.site = rank_key_results.site and keyword_tags.source = rank_key_results.rank_source
    left join keyword_sets
        on keyword_sets.site = rank_key_results.site
        and keyword_sets.keyword_set = rank_key_results.keyword_set
    where rank_key_results.metric = 'average_position'
      and (
          rank_key_results.keyword_set is null
          or list_has_any(coalesce(keyword_sets.tags, []), keyword_tags.tags)
          or list_contains(coalesce(keyword_sets.keywords, []), keyword_tags.keyword)
      )
    union
    -- listed keywords that never appear in the source still count, as unranked
    select rank_key_results.kr_id, listed.keyword
    from rank_key_results
    inner join keyword_sets
        on keyword_sets.site = rank_key_results.site
        and keyword_sets.keyword_set = rank_key_results.keyword_set
    cross join unnest(coalesce(keyword_sets.keywords, [])) as listed(keyword)
    where rank_key_results.metric = 'average_position'
),

-- Each member keyword's position on each day the source has data, from 6 days before the first day.
member_days as (
    select
        members.kr_id,
        members.keyword,
        source_days.date,
        coalesce(rankings.position, settings.unranked_position) as position,
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
),

average_position as (
    select days.kr_id, days.date, avg(keyword_means.mean_position) as value
    from days
    left join (
        select days.kr_id, days.date, member_days.keyword, avg(member_days.position) as mean_position
        from days
        inner join member_days
            on member_days.kr_id = days.kr_id
            and member_days.date between days.date - 6 and days.date
        group by all
    ) as keyword_means on keyword_means.kr_id = days.kr_id and keyword_means.date = days.date
    where days.metric = 'average_position'
    group by days.kr_id, days.date
),

-- pages_in_position_range: per page, its keywords' 7-day mean positions; the best one decides.
page_keyword_means as (
    select
        days.kr_id,
        days.date,
        rankings.ranking_page as page,
        rankings.keyword,
        avg(rankings.position) as mean_position,
    from days
    inner join rank_key_results using (kr_id)
    inner join rankings
        on rankings.site = rank_key_results.site
        and rankings.source = rank_key_results.rank_source
        and rankings.date between days.date - 6 and days.date
        and rankings.position is not null
        and rankings.ranking_page is not null
    where days.metric = 'pages_in_position_range'
      and exists (
          select 1 from page_groups
          where page_groups.site = rank_key_results.site
            and page_groups.page_group = rank_key_results.page_group
            and rankings.ranking_page glob page_groups.pattern
      )
    group by all
),

pages_in_position_range as (
    select days.kr_id, days.date, count(best.page) as value
    from days
    inner join rank_key_results using (kr_id)
    left join (
        select kr_id, date, page, min(mean_position) as best_position
        from page_keyword_means
        group by kr_id, date, page
    ) as best
        on best.kr_id = days.kr_id
        and best.date = days.date
        and best.best_position between rank_key_results.min_position and rank_key_results.max_position
    where days.metric = 'pages_in_position_range'
    group by days.kr_id, days.date
)

select kr_id, date, cast(value as double) as value from average_position
union all
select kr_id, date, cast(value as double) as value from pages_in_position_range
