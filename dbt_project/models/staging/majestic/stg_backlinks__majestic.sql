with

source as (
    select * from {{ source('majestic', 'backlinks_majestic') }}
),

files as (
    select file_sha256, site from {{ source('ops', 'ingested_files') }} where status = 'loaded'
),

renamed as (
    select
        'majestic' as vendor,
        source._format as vendor_format,
        coalesce(source._site, files.site) as site,
        source._snapshot_date as snapshot_date,
        source.source_url,
        source.source_title,
        source.target_url,
        source.anchor_text as anchor,
        {{ parse_number('source.source_trust_flow') }} as authority_score,
        'majestic_tf' as authority_source,
        cast(null as string) as link_type,
        {{ parse_flag('source.flag_no_follow') }} as is_nofollow,
        false as is_ugc,
        false as is_sponsored,
        case
            when {{ parse_flag('source.flag_redirect') }} then 'redirect'
            when {{ parse_flag('source.flag_image_link') }} then 'image'
            when {{ parse_flag('source.flag_frame') }} then 'other'
            else 'unknown'
        end as placement,
        cast(null as double) as spam_score,
        false as is_flagged_spam,
        source.source_topic,
        {{ parse_date('source.source_first_found_date') }} as first_seen_date,
        coalesce({{ parse_date('source.last_seen') }}, {{ parse_date('source.source_crawl_date') }}) as last_seen_date,
        coalesce(
            {{ parse_date('source.date_lost') }},
            case when {{ parse_flag('source.flag_deleted') }} then {{ parse_date('source.source_crawl_date') }} end
        ) as lost_date,
        source._file as file_name,
        source._file_sha256 as file_sha256,
        source._row_number as row_number,
        source._loaded_at as loaded_at
    from source
    left join files on source._file_sha256 = files.file_sha256
)

select * from renamed
