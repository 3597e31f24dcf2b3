with

source as (
    select * from {{ source('ga4', 'ga4_traffic') }}
),

sites as (
    select site, ga4_property_id from {{ ref('stg_config__sites') }}
    where ga4_property_id is not null
),

renamed as (
    select
        sites.site,
        source.property_id,
        source.date as traffic_date,
        source.host_name,
        source.landing_page_plus_query_string,
        source.session_default_channel_group as channel_group,
        source.landing_page_plus_query_string = '(other)' as is_other_row,
        case
            when source.landing_page_plus_query_string = '(other)' then '(other)'
            else {{ normalize_page("source.host_name || source.landing_page_plus_query_string") }}
        end as page,
        source.sessions,
        source.engaged_sessions,
        source.key_events,
        source.transactions,
        source.purchase_revenue as revenue,
        source._source as source_id,
        source._loaded_at as loaded_at
    from source
    inner join sites on source.property_id = sites.ga4_property_id
)

select * from renamed
