-- pages_in_position_range key results: each page of the page group that ranks, per day t, with its
-- best keyword (the lowest mean position over days t - 6 .. t among the keywords it ranks for,
-- docs/config.md). The value counts the pages whose best position lies in the range.
with

days as (
    select * from {{ ref('int_key_result_days') }}
    where metric = 'pages_in_position_range'
),

key_results as (
    select * from {{ ref('stg_config__key_results') }}
),

page_groups as (
    select * from {{ ref('stg_config__page_groups') }}
),

rankings as (
    select * from {{ ref('fct_keyword_rankings_daily') }}
),

page_keyword_means as (
    select
        days.kr_id,
        days.date,
        rankings.ranking_page as page,
        rankings.keyword,
        avg(rankings.position) as mean_position
    from days
    inner join key_results using (kr_id)
    inner join rankings
        on rankings.site = days.site
        and rankings.source = days.rank_source
        and rankings.date between days.date - 6 and days.date
        and rankings.position is not null
        and rankings.ranking_page is not null
    where exists (
        select 1 from page_groups
        where page_groups.site = days.site
          and page_groups.page_group = key_results.page_group
          and {{ lk_glob_match('rankings.ranking_page', 'page_groups.pattern') }}
    )
    group by all
)

select
    kr_id,
    date,
    page,
    min(mean_position) as best_position,
    -- ties go to the lexicographically first keyword, so the member detail is stable
    min_by(keyword, {{ lk_struct({'mean_position': 'mean_position', 'keyword': 'keyword'}) }}) as best_keyword,
    count(*) as keywords_ranked
from page_keyword_means
group by kr_id, date, page
