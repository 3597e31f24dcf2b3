-- One row per site, Search Console export period, dimension and value: the period aggregates of
-- the UI exports (the zips dropped in `rankings/`), which have no date per query and so stay out
-- of the daily rank facts. Only whole-site web exports of configured sites: a filtered export
-- (a country, a page, image search) holds a slice, not the site's totals, and stays in staging
-- with the rows of sites nobody configured.
with

exports as (
    select * from {{ ref('stg_rankings__gsc_export') }}
    where report in ('query', 'page', 'country', 'device')
      and period_start is not null
      and period_end is not null
      and coalesce(lower(search_type), 'web') = 'web'
      and filters is null
),

configured as (
    select exports.*
    from exports
    semi join {{ ref('stg_config__sites') }} as sites on exports.site = sites.site
),

valued as (
    select
        site,
        period_start,
        period_end,
        report as dimension,
        case report
            when 'query' then query
            when 'page' then page
            when 'country' then country
            when 'device' then device
        end as value,
        clicks,
        impressions,
        ctr,
        position,
        file_sha256,
        file_name,
        loaded_at
    from configured
),

-- the same site, period, dimension and value in several files: the latest load wins
latest_load as (
    select *
    from valued
    where value is not null
    qualify dense_rank() over (
        partition by site, period_start, period_end, dimension, value
        order by loaded_at desc, file_sha256 desc
    ) = 1
)

-- URLs that normalize to one page (`http://` and `https://`, `?ref=`) are summed; a single row
-- keeps the CTR and position as Search Console wrote them
select
    site,
    period_start,
    period_end,
    dimension,
    value,
    cast(sum(clicks) as bigint) as clicks,
    cast(sum(impressions) as bigint) as impressions,
    case
        when count(*) = 1 then any_value(ctr)
        else sum(clicks) / nullif(sum(impressions), 0)
    end as ctr,
    case
        when count(*) = 1 then any_value(position)
        -- the weighted sum in decimals: exact in any order of addition, the same on every engine
        else cast(sum(cast(position as decimal(18, 6)) * impressions) as double)
            / nullif(sum(impressions) filter (where position is not null), 0)
    end as position,
    any_value(file_sha256) as file_sha256,
    any_value(file_name) as file_name,
    any_value(loaded_at) as loaded_at
from latest_load
group by site, period_start, period_end, dimension, value
