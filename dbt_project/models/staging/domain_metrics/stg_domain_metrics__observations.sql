{#- The columns read below, the same from both tables. -#}
{% set columns = [
    'domain', 'metric_date', 'metric', 'value', '_format', '_site', '_file', '_file_sha256', '_loaded_at',
] -%}

with

source as (
    select {{ columns | join(', ') }} from {{ source('domain_metrics', 'domain_metrics') }}
    union all
    select {{ columns | join(', ') }} from {{ source('ahrefs', 'domain_metrics_ahrefs_api') }}
),

files as (
    select file_sha256, site from {{ source('ops', 'ingested_files') }} where status = 'loaded'
),

renamed as (
    select
        -- the long CSV names the domain per row; the Ahrefs DR history export in its file name
        regexp_replace(lower(trim(coalesce(source.domain, source._site, files.site))), '^www\.', '') as site,
        {{ parse_date('source.metric_date') }} as metric_date,
        coalesce(
            lower(trim(source.metric)),
            case when source._format in ('ahrefs_dr_history', 'ahrefs_api') then 'ahrefs_dr' end
        ) as metric,
        {{ parse_number('source.value') }} as value,
        source._format as source_format,
        source._file as file_name,
        source._loaded_at as loaded_at
    from source
    left join files on source._file_sha256 = files.file_sha256
)

select * from renamed
where metric_date is not null and value is not null and site is not null
