-- Every vendor's snapshot rows in one shape, with normalized pages and hosts.
-- Incremental by load: a loaded file (or API snapshot) never changes, so a run appends the rows
-- loaded since the last build instead of re-parsing every snapshot (docs/scaling.md).
{{ config(materialized='incremental', incremental_strategy='append') }}

with

unioned as (
    select * from {{ ref('stg_backlinks__ahrefs') }}
    union all by name
    select * from {{ ref('stg_backlinks__semrush') }}
    union all by name
    select * from {{ ref('stg_backlinks__majestic') }}
    union all by name
    select * from {{ ref('stg_backlinks__moz') }}
),

normalized as (
    select
        *,
        {{ normalize_source_page('source_url') }} as source_page,
        {{ normalize_page('target_url') }} as target_page,
        split_part({{ url_host('source_url') }}, ':', 1) as source_host,
        split_part({{ url_host('target_url') }}, ':', 1) as target_host
    from unioned
    where nullif(trim(source_url), '') is not null
      and nullif(trim(target_url), '') is not null
    {% if is_incremental() %}
      and {{ loaded_after_last_build() }}
    {% endif %}
)

select * from normalized
