-- Search Console UI exports: period aggregates per query, page, day, country, device or search
-- appearance. The period is the explicit date range of the export's Filters.csv, else the first
-- to last day of its Dates (Chart) report (the loader refuses a zip with neither). These rows
-- have no date per query, so they never enter the daily rank facts; fct_search_console_periods
-- keeps them per period.
with

source as (
    select * from {{ source('gsc', 'gsc_export') }}
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
        {{ parse_date('source.period_start') }} as filter_period_start,
        {{ parse_date('source.period_end') }} as filter_period_end,
        nullif(trim(source.search_type), '') as search_type,
        nullif(trim(source.filters), '') as filters,
        source.member as export_file,
        source._snapshot_date as snapshot_date,
        source._file as file_name,
        source._file_sha256 as file_sha256,
        source._row_number as row_number,
        source._loaded_at as loaded_at
    from source
    left join files on source._file_sha256 = files.file_sha256
),

date_report_periods as (
    select
        file_sha256,
        min(report_date) as period_start,
        max(report_date) as period_end
    from renamed
    where report = 'date'
    group by file_sha256
),

with_period as (
    select
        {{ lk_star_except(['filter_period_start', 'filter_period_end'], 'renamed') }},
        -- the range the user chose covers the aggregates even when its last days had no data
        coalesce(renamed.filter_period_start, date_report_periods.period_start) as period_start,
        coalesce(renamed.filter_period_end, date_report_periods.period_end) as period_end,
        case
            when renamed.filter_period_start is not null then 'filters'
            when date_report_periods.period_start is not null then 'dates'
        end as period_source
    from renamed
    left join date_report_periods on renamed.file_sha256 = date_report_periods.file_sha256
)

select * from with_period
