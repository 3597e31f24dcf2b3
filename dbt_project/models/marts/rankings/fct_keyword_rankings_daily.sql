-- One row per site, rank source, keyword and day: the keyword's best position that day.
-- Incremental: a daily run rebuilds only the re-read window (whole site-days at a time).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['site', 'source', 'date'],
) }}
-- depends_on: {{ ref('stg_config__settings') }}

with

tracker as (
    select * from {{ ref('stg_rankings__tracker') }}
    where site is not null and ranking_date is not null
    {% if is_incremental() %}
      and ranking_date >= {{ incremental_window_start('date') }}
    {% endif %}
),

-- Overlapping loads of the same source, day and keyword: the latest load wins (a tracker
-- export split into files by keyword keeps every file's keywords).
latest_load as (
    select *
    from tracker
    qualify loaded_at = max(loaded_at) over (partition by site, source, ranking_date, keyword)
),

tracked as (
    select
        site,
        source,
        keyword,
        ranking_date as date,
        position,
        ranking_page,
        search_volume,
        cast(null as double) as clicks,
        cast(null as double) as impressions,
        tags,
    from latest_load
),

-- Search Console: one row per page; the keyword's clicks and impressions are summed over its
-- pages. Its keywords carry the rank tracker's tags (okrs.md).
search_console as (
    select * from {{ ref('stg_gsc__search_analytics') }}
    where site is not null
    {% if is_incremental() %}
      and ranking_date >= {{ incremental_window_start('date') }}
    {% endif %}
),

tracker_tags as (
    select site, keyword, arg_max(tags, loaded_at) as tags
    from {{ ref('stg_rankings__tracker') }}
    where site is not null
    group by site, keyword
),

console as (
    select
        search_console.site,
        search_console.source,
        search_console.keyword,
        search_console.ranking_date as date,
        search_console.position,
        search_console.ranking_page,
        cast(null as double) as search_volume,
        sum(search_console.clicks) over keyword_day as clicks,
        sum(search_console.impressions) over keyword_day as impressions,
        coalesce(tracker_tags.tags, []) as tags,
    from search_console
    left join tracker_tags using (site, keyword)
    window keyword_day as (
        partition by search_console.site, search_console.keyword, search_console.ranking_date
    )
),

ranked as (
    select *
    from (select * from tracked union all by name select * from console)
    -- best (lowest) position; ties to more impressions, then the first page
    qualify row_number() over (
        partition by site, source, keyword, date
        order by position asc nulls last, impressions desc nulls last, ranking_page asc nulls last
    ) = 1
)

select * from ranked
