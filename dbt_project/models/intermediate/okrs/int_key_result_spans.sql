-- Per key result: its metric family and the last date its source has data for the site
-- (docs/config.md, "last data date"). Metric models compute values for [start - 1, min(end, last data)].
with

key_results as (
    select * from {{ ref('stg_config__key_results') }}
),

backlink_dates as (
    select site, latest_snapshot_date as last_date
    from {{ latest_snapshot_dates() }} as latest_snapshot_dates
),

ranking_dates as (
    select site, source, max(date) as last_date
    from {{ ref('fct_keyword_rankings_daily') }}
    group by site, source
),

traffic_dates as (
    select site, max(date) as last_date
    from {{ ref('fct_page_traffic_daily') }}
    group by site
),

authority_dates as (
    select site, metric, max(date) as last_date
    from {{ ref('fct_domain_authority_daily') }}
    where is_observed
    group by site, metric
),

-- A rank key result reads its configured source; else the only rank-tracker source with data for
-- the site; else Search Console.
rank_sources as (
    select
        site,
        case when count(*) filter (where source <> 'gsc') = 1
            then max(source) filter (where source <> 'gsc') else 'gsc' end as default_source
    from ranking_dates
    group by site
),

families as (
    select
        key_results.*,
        case
            when metric = 'domain_authority' then 'authority'
            when metric in ('link_gap_opportunities', 'competitor_gap_links_acquired') then 'gap'
            when metric in ('average_position', 'pages_in_position_range') then 'rank'
            when metric like 'organic_%' then 'traffic'
            else 'link'
        end as family
    from key_results
),

resolved as (
    select
        families.*,
        case when family = 'rank'
            then coalesce(families.source, rank_sources.default_source, 'gsc') end as rank_source
    from families
    left join rank_sources on families.site = rank_sources.site
)

select
    resolved.kr_id,
    resolved.site,
    resolved.metric,
    resolved.family,
    resolved.rank_source,
    resolved.start_date,
    resolved.end_date,
    case resolved.family
        when 'authority' then authority_dates.last_date
        when 'rank' then ranking_dates.last_date
        when 'traffic' then traffic_dates.last_date
        else backlink_dates.last_date
    end as last_data_date
from resolved
left join backlink_dates on resolved.site = backlink_dates.site
left join ranking_dates
    on resolved.site = ranking_dates.site and resolved.rank_source = ranking_dates.source
left join traffic_dates on resolved.site = traffic_dates.site
left join authority_dates
    on resolved.site = authority_dates.site and resolved.authority_metric = authority_dates.metric
