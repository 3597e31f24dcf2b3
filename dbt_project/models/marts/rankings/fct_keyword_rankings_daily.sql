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

ranked as (
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
    -- best (lowest) position; ties to more impressions, then the first page
    qualify row_number() over (
        partition by site, source, keyword, ranking_date
        order by position asc nulls last, impressions desc nulls last, ranking_page asc nulls last
    ) = 1
)

select * from ranked
