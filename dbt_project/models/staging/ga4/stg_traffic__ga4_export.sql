with

source as (
    select * from {{ source('ga4', 'traffic_ga4_export') }}
),

files as (
    select file_sha256, site from {{ source('ops', 'ingested_files') }} where status = 'loaded'
),

renamed as (
    select
        files.site,
        {{ parse_date('source.traffic_date') }} as traffic_date,
        nullif(trim(source.host_name), '') as host_name,
        trim(source.landing_page) as landing_page_plus_query_string,
        coalesce(nullif(trim(source.channel_group), ''), 'Unassigned') as channel_group,
        trim(source.landing_page) = '(other)' as is_other_row,
        case
            when trim(source.landing_page) = '(other)' then '(other)'
            -- without a Hostname column the pages are on the site itself
            else {{ normalize_page(
                "coalesce(nullif(trim(source.host_name), ''), files.site) || trim(source.landing_page)"
            ) }}
        end as page,
        cast({{ parse_number('source.sessions') }} as bigint) as sessions,
        cast({{ parse_number('source.engaged_sessions') }} as bigint) as engaged_sessions,
        {{ parse_number('source.key_events') }} as key_events,
        cast({{ parse_number('source.transactions') }} as bigint) as transactions,
        {{ parse_number('source.revenue') }} as revenue,
        source._file as file_name,
        source._loaded_at as loaded_at
    from source
    inner join files on source._file_sha256 = files.file_sha256
)

select * from renamed
where traffic_date is not null and site is not null
