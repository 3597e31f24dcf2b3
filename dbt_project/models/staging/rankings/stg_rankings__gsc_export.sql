-- Search Console UI exports: period aggregates per query, page, day, country, device or search
-- appearance. The period is the first to last day of the export's Dates (Chart) report. These
-- rows stay here: they have no date per query, so they never enter the daily rank facts.
with

source as (
    select * from {{ source('rankings', 'gsc_export') }}
),

files as (
    select file_sha256, site from {{ source('ops', 'ingested_files') }} where status = 'loaded'
),

renamed as (
    select
        source._source as source,
        coalesce(source._site, files.site) as site,
        lower(trim(source.report)) as report,
        nullif(trim(source.query), '') as query,
        nullif(trim(source.page), '') as page_url,
        {{ normalize_page('source.page') }} as page,
        {{ parse_date('source.report_date') }} as report_date,
        nullif(trim(source.country), '') as country,
        nullif(trim(source.device), '') as device,
        nullif(trim(source.search_appearance), '') as search_appearance,
        cast({{ parse_number('source.clicks') }} as bigint) as clicks,
        cast({{ parse_number('source.impressions') }} as bigint) as impressions,
        -- `6.47%` -> 0.0647; empty on a day without impressions
        {{ parse_number('source.ctr') }} / 100 as ctr,
        {{ parse_number('source.position') }} as position,
        source.member as export_file,
        source._snapshot_date as snapshot_date,
        source._file as file_name,
        source._file_sha256 as file_sha256,
        source._row_number as row_number,
        source._loaded_at as loaded_at,
    from source
    left join files on source._file_sha256 = files.file_sha256
),

periods as (
    select
        file_sha256,
        min(report_date) as period_start,
        max(report_date) as period_end,
    from renamed
    where report = 'date'
    group by file_sha256
),

with_period as (
    select
        renamed.*,
        periods.period_start,
        periods.period_end,
    from renamed
    left join periods on renamed.file_sha256 = periods.file_sha256
)

select * from with_period
