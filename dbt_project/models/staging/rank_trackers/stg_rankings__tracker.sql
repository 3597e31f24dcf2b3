with

source as (
    select * from {{ source('rank_trackers', 'rankings_tracker') }}
),

files as (
    select file_sha256, site from {{ source('ops', 'ingested_files') }} where status = 'loaded'
),

renamed as (
    select
        source._source as source,
        -- a Semrush Position Tracking file also tracks competitors: each row names its domain
        coalesce(source._site, nullif(trim(source.target_domain), ''), files.site) as site,
        {{ parse_date('source.ranking_date') }} as ranking_date,
        lower(trim(source.keyword)) as keyword,
        -- every "not ranking" marker (`-`, empty, `>100`, `100+`, `Not in top 100`) reaches raw as
        -- null (ingest/inbox/values.py reads positions): null is not ranking
        {{ parse_number('source.position') }} as position,
        nullif(trim(source.url), '') as ranking_url,
        {{ normalize_page('source.url') }} as ranking_page,
        {{ parse_number('source.search_volume') }} as search_volume,
        -- tags are separated by `,`, `;` or `|`
        {{ lk_filter(
            lk_transform(
                lk_split(lk_regexp_replace_all("coalesce(source.tags, '')", "'[;|]'", "','"), "','"),
                't', 'lower(trim(t))'
            ),
            't', "t <> ''"
        ) }} as tags,
        nullif(trim(source.serp_feature), '') as serp_feature,
        source._format as file_format,
        source._file as file_name,
        source._file_sha256 as file_sha256,
        source._row_number as row_number,
        source._loaded_at as loaded_at
    from source
    left join files on source._file_sha256 = files.file_sha256
    where nullif(trim(source.keyword), '') is not null
)

select * from renamed
