-- One row per site, rank source, ranking page and day: how the page's keywords rank.
{{ config(
    materialized=lk_incremental_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['site', 'source', 'date'],
    post_hook="{{ delete_unconfigured_sites() }}",
) }}
-- depends_on: {{ ref('stg_config__settings') }}
-- depends_on: {{ ref('stg_config__sites') }}

with

-- incrementally: every site-source-day that got keyword rows since the last build, whole
rankings as (
    select * from {{ ref('fct_keyword_rankings_daily') }}
    where ranking_page is not null and position is not null
    {% if is_incremental() %}
      and ((site, source, date) in (
          select distinct site, source, date from {{ ref('fct_keyword_rankings_daily') }}
          where {{ loaded_since_last_build('date') }}
      ) or {{ sites_new_to_this() }})
    {% endif %}
)

select
    site,
    source,
    ranking_page as page,
    date,
    count(*) as keywords_ranked,
    -- summed as decimals: exact whatever order the engine adds the rows in, so the same mean
    -- on every engine (a sum of doubles is not)
    cast(sum(cast(position as decimal(20, 8))) as double) / count(position) as avg_position,
    min(position) as best_position,
    sum(clicks) as clicks,
    sum(impressions) as impressions,
    max(loaded_at) as loaded_at
from rankings
group by site, source, ranking_page, date
