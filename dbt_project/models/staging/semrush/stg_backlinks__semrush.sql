{#- The columns read below, the same from both tables. -#}
{% set columns = [
    'source_url', 'source_title', 'target_url', 'anchor', 'page_ascore', 'nofollow', 'ugc', 'sponsored',
    'sitewide', 'image', 'frame', 'form', 'first_seen', 'last_seen', 'lost_link',
    '_format', '_site', '_snapshot_date', '_file', '_file_sha256', '_row_number', '_loaded_at',
] -%}

with

-- Exports dropped in the inbox and API pulls share the export's columns.
source as (
    select {{ columns | join(', ') }} from {{ source('semrush', 'backlinks_semrush') }}
    union all
    select {{ columns | join(', ') }} from {{ source('semrush', 'backlinks_semrush_api') }}
),

files as (
    select file_sha256, site from {{ source('ops', 'ingested_files') }} where status = 'loaded'
),

renamed as (
    select
        'semrush' as vendor,
        source._format as vendor_format,
        coalesce(source._site, files.site) as site,
        source._snapshot_date as snapshot_date,
        source.source_url,
        source.source_title,
        source.target_url,
        source.anchor,
        {{ parse_number('source.page_ascore') }} as authority_score,
        'semrush_as' as authority_source,
        cast(null as string) as link_type,
        coalesce({{ parse_bool('source.nofollow') }}, false) as is_nofollow,
        coalesce({{ parse_bool('source.ugc') }}, false) as is_ugc,
        coalesce({{ parse_bool('source.sponsored') }}, false) as is_sponsored,
        case
            when {{ parse_bool('source.sitewide') }} then 'sitewide'
            when {{ parse_bool('source.image') }} then 'image'
            when {{ parse_bool('source.frame') }} or {{ parse_bool('source.form') }} then 'other'
            else 'unknown'
        end as placement,
        cast(null as double) as spam_score,
        false as is_flagged_spam,
        cast(null as string) as source_topic,
        {{ parse_date('source.first_seen') }} as first_seen_date,
        {{ parse_date('source.last_seen') }} as last_seen_date,
        case when {{ parse_bool('source.lost_link') }} then {{ parse_date('source.last_seen') }} end as lost_date,
        source._file as file_name,
        source._file_sha256 as file_sha256,
        source._row_number as row_number,
        source._loaded_at as loaded_at
    from source
    left join files on source._file_sha256 = files.file_sha256
)

select * from renamed
