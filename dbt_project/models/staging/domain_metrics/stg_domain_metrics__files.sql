with

source as (
    select * from {{ source('domain_metrics', 'domain_metrics') }}
),

renamed as (
    select
        regexp_replace(lower(trim(source.domain)), '^www\.', '') as site,
        {{ parse_date('source.metric_date') }} as metric_date,
        lower(trim(source.metric)) as metric,
        {{ parse_number('source.value') }} as value,
        source._file as file_name,
        source._loaded_at as loaded_at,
    from source
)

select * from renamed
where metric_date is not null and value is not null
