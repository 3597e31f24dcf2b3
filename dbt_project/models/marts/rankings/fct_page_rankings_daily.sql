-- One row per site, rank source, ranking page and day: how the page's keywords rank.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['site', 'source', 'date'],
) }}
-- depends_on: {{ ref('stg_config__settings') }}

with

rankings as (
    select * from {{ ref('fct_keyword_rankings_daily') }}
    where ranking_page is not null and position is not null
    {% if is_incremental() %}
      and date >= {{ incremental_window_start('date') }}
    {% endif %}
)

select
    site,
    source,
    ranking_page as page,
    date,
    count(*) as keywords_ranked,
    avg(position) as avg_position,
    min(position) as best_position,
    sum(clicks) as clicks,
    sum(impressions) as impressions,
from rankings
group by site, source, ranking_page, date
