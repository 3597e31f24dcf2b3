{#- The columns read below, the same from both tables. -#}
{% set columns = [
    'referring_page_url', 'referring_page_title', 'target_url', 'anchor', 'domain_rating', 'link_type',
    'nofollow', 'ugc', 'sponsored', 'content', 'is_spam', 'first_seen', 'last_seen', 'lost', 'lost_status',
    '_format', '_site', '_snapshot_date', '_file', '_file_sha256', '_row_number', '_loaded_at',
] -%}

with

-- Exports dropped in the inbox and API pulls share the export's columns.
source as (
    select {{ columns | join(', ') }} from {{ source('ahrefs', 'backlinks_ahrefs') }}
    union all
    select {{ columns | join(', ') }} from {{ source('ahrefs', 'backlinks_ahrefs_api') }}
),

files as (
    select file_sha256, site from {{ source('ops', 'ingested_files') }} where status = 'loaded'
),

renamed as (
    select
        'ahrefs' as vendor,
        source._format as vendor_format,
        coalesce(source._site, files.site) as site,
        source._snapshot_date as snapshot_date,
        source.referring_page_url as source_url,
        source.referring_page_title as source_title,
        source.target_url,
        source.anchor,
        {{ parse_number('source.domain_rating') }} as authority_score,
        'ahrefs_dr' as authority_source,
        lower(source.link_type) as link_type,
        case
            when lower(source.link_type) = 'nofollow' then true
            when lower(source.link_type) = 'dofollow' then false
            else coalesce({{ parse_bool('source.nofollow') }}, false)
        end as is_nofollow,
        coalesce({{ parse_bool('source.ugc') }}, false) as is_ugc,
        coalesce({{ parse_bool('source.sponsored') }}, false) as is_sponsored,
        case
            when lower(source.link_type) = 'redirect' then 'redirect'
            when lower(source.link_type) = 'image' then 'image'
            when {{ parse_bool('source.content') }} then 'contextual'
            when not {{ parse_bool('source.content') }} then 'other'
            else 'unknown'
        end as placement,
        cast(null as double) as spam_score,
        coalesce({{ parse_bool('source.is_spam') }}, false) as is_flagged_spam,
        cast(null as string) as source_topic,
        {{ parse_date('source.first_seen') }} as first_seen_date,
        {{ parse_date('source.last_seen') }} as last_seen_date,
        coalesce(
            {{ parse_date('source.lost') }},
            case when lower(source.lost_status) = 'lost' then {{ parse_date('source.last_seen') }} end
        ) as lost_date,
        source._file as file_name,
        source._file_sha256 as file_sha256,
        source._row_number as row_number,
        source._loaded_at as loaded_at
    from source
    left join files on source._file_sha256 = files.file_sha256
)

select * from renamed
