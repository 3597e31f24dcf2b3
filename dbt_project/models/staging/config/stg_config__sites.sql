with

source as (
    select * from {{ source('config', 'config_sites') }}
),

renamed as (
    select
        site,
        is_competitor,
        competitor_of,
        competitors,
        ga4_property_id,
        gsc_site_url,
        relevance_topics,
        disavow,
        brand_terms
    from source
)

select * from renamed
