-- One row per own site: the rank source attribution reads and the attribution data range, the
-- first and last date that both that source and the traffic data cover for the site
-- (docs/warehouse.md, "Attribution windows"). Competitors get no row: attribution is for own links.
--
-- The chosen rank source, per site: the dbt var `attribution_rank_source` when set (a source id
-- for every site, or a mapping {site: source id}); else the rank-tracker source (not `gsc`) with
-- the most page-days for the site (ties: the first id alphabetically), because the tracker
-- with the densest history gives the steadiest daily positions; else `gsc`.
{%- set configured = var('attribution_rank_source', none) %}
with

own_sites as (
    select site from {{ ref('dim_sites') }}
    where not is_competitor
),

configured_sources as (
    {%- if configured is mapping %}
    select * from (values
        {%- for site, source in configured.items() %}
        ('{{ site | replace("'", "''") }}', '{{ source | replace("'", "''") }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as configured(site, source)
    {%- elif configured %}
    select site, '{{ configured | replace("'", "''") }}' as source from own_sites
    {%- else %}
    select cast(null as string) as site, cast(null as string) as source
    where false
    {%- endif %}
),

rank_sources as (
    select
        site,
        source,
        count(*) as page_days,
        min(date) as first_date,
        max(date) as last_date
    from {{ ref('fct_page_rankings_daily') }}
    where best_position is not null
    group by site, source
),

busiest_tracker as (
    select site, source
    from rank_sources
    where source <> 'gsc'
    qualify row_number() over (partition by site order by page_days desc, source asc) = 1
),

traffic_dates as (
    select site, min(date) as first_date, max(date) as last_date
    from {{ ref('fct_page_traffic_daily') }}
    group by site
),

chosen as (
    select
        own_sites.site,
        coalesce(configured_sources.source, busiest_tracker.source, 'gsc') as rank_source
    from own_sites
    left join configured_sources using (site)
    left join busiest_tracker using (site)
)

select
    chosen.site,
    chosen.rank_source,
    greatest(rank_sources.first_date, traffic_dates.first_date) as range_start_date,
    least(rank_sources.last_date, traffic_dates.last_date) as range_end_date
from chosen
inner join rank_sources
    on rank_sources.site = chosen.site and rank_sources.source = chosen.rank_source
inner join traffic_dates on traffic_dates.site = chosen.site
where greatest(rank_sources.first_date, traffic_dates.first_date)
    <= least(rank_sources.last_date, traffic_dates.last_date)
