with

source as (
    select * from {{ source('moz', 'backlinks_moz') }}
),

files as (
    select file_sha256, site from {{ source('ops', 'ingested_files') }} where status = 'loaded'
),

renamed as (
    select
        'moz' as vendor,
        source._format as vendor_format,
        coalesce(source._site, files.site) as site,
        source._snapshot_date as snapshot_date,
        source.url as source_url,
        source.title as source_title,
        source.target_url,
        source.anchor_text as anchor,
        {{ parse_number('source.domain_authority') }} as authority_score,
        'moz_da' as authority_source,
        lower(source.link_type) as link_type,
        case
            when lower(source.link_type) like '%nofollow%' then true
            when lower(source.link_type) like '%follow%' then false
            when {{ parse_bool('source.only_rel_nofollow') }} then true
            when {{ parse_bool('source.followable') }} = false then true
            else false
        end as is_nofollow,
        false as is_ugc,
        false as is_sponsored,
        case when {{ parse_bool('source.redirect_301') }} then 'redirect' else 'unknown' end as placement,
        {{ parse_number('source.spam_score') }} as spam_score,
        -- Old exports write the 1-17 scale as `N%`; newer ones use 1-100.
        case
            when contains(trim(source.spam_score), '%') and {{ parse_number('source.spam_score') }} <= 17
                then {{ parse_number('source.spam_score') }} >= {{ var('toxic_min_spam_score_old_scale') }}
            else coalesce({{ parse_number('source.spam_score') }} >= {{ var('toxic_min_spam_score') }}, false)
        end as is_flagged_spam,
        cast(null as string) as source_topic,
        {{ parse_date('source.date_first_seen') }} as first_seen_date,
        {{ parse_date('source.date_last_seen') }} as last_seen_date,
        {{ parse_date('source.date_lost') }} as lost_date,
        source._file as file_name,
        source._file_sha256 as file_sha256,
        source._row_number as row_number,
        source._loaded_at as loaded_at
    from source
    left join files on source._file_sha256 = files.file_sha256
)

select * from renamed
