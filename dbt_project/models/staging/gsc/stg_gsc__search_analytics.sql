with

source as (
    select * from {{ source('gsc', 'gsc_search_analytics') }}
),

renamed as (
    select
        'gsc' as source,
        source.site,
        source.date as ranking_date,
        lower(trim(source.query)) as keyword,
        source.page as ranking_url,
        {{ normalize_page('source.page') }} as ranking_page,
        source.position,
        source.clicks,
        source.impressions,
        source.ctr,
        source._loaded_at as loaded_at
    from source
    where nullif(trim(source.query), '') is not null
)

select * from renamed
