-- One row per site, rank source, keyword and day: the keyword's best position that day.
-- Incremental by load: a run takes only rows loaded since the last build (new files, and API
-- days re-pulled for the lookback), replacing those keyword-days; a backfill (`from_date`) also
-- re-derives every day from that date on.
{{ config(
    materialized=lk_incremental_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['site', 'source', 'keyword', 'date'],
    post_hook="{{ delete_unconfigured_sites() }}",
) }}
-- depends_on: {{ ref('stg_config__settings') }}

with

-- Only sites and competitors in linkokr.yml: a file for any other domain stays in raw (a WARN
-- check names it) until the config names the domain.
configured as (
    select site from {{ ref('stg_config__sites') }}
),

tracker as (
    select * from {{ ref('stg_rankings__tracker') }}
    where site in (select site from configured) and ranking_date is not null
    {% if is_incremental() %}
      and ({{ loaded_since_last_build('ranking_date') }} or {{ sites_new_to_this() }})
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
        loaded_at
    from latest_load
),

-- Search Console: one row per page; the keyword's clicks and impressions are summed over its
-- pages. Its keywords carry the rank tracker's tags (docs/config.md).
search_console as (
    select * from {{ ref('stg_gsc__search_analytics') }}
    where site in (select site from configured)
    {% if is_incremental() %}
      and ({{ loaded_since_last_build('ranking_date') }} or {{ sites_new_to_this() }})
    {% endif %}
),

-- the latest tracker tags of the Search Console keywords in this run (from this run's tracker
-- rows and, incrementally, the facts already built); two trackers on the latest day: the later
-- load, then the first source
tracker_tags as (
    select site, keyword, tags
    from (
        select site, keyword, source, ranking_date as date, tags, loaded_at from latest_load
        {% if is_incremental() %}
        union all
        select site, keyword, source, date, tags, loaded_at from {{ this }}
        where source <> 'gsc' and keyword in (select keyword from search_console)
        {% endif %}
    ) as tagged
    where keyword in (select keyword from search_console)
    qualify row_number() over (
        partition by site, keyword
        order by date desc nulls last, loaded_at desc nulls last, source asc nulls last, tags asc nulls last
    ) = 1
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
        coalesce(tracker_tags.tags, {{ lk_empty_array('string') }}) as tags,
        search_console.loaded_at
    from search_console
    left join tracker_tags using (site, keyword)
    window keyword_day as (
        partition by search_console.site, search_console.keyword, search_console.ranking_date
    )
),

candidates as (
    select * from tracked
    union all
    select * from console
),

ranked as (
    select *
    from candidates
    -- best (lowest) position; ties to more impressions, then the first page (then the later
    -- load and the larger volume, so that every engine keeps the same row)
    qualify row_number() over (
        partition by site, source, keyword, date
        order by
            position asc nulls last, impressions desc nulls last, ranking_page asc nulls last,
            loaded_at desc nulls last, search_volume desc nulls last
    ) = 1
)

select * from ranked
