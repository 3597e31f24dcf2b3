-- Every vendor's snapshot rows in one shape, with normalized pages and hosts.
-- Incremental by load: a loaded file (or API snapshot) never changes, so a run appends the rows
-- loaded since the last build instead of re-parsing every snapshot (docs/scaling.md).
{{ config(materialized=lk_incremental_materialized(), incremental_strategy='append') }}

{%- set columns = [
    'vendor', 'vendor_format', 'site', 'snapshot_date', 'source_url', 'source_title', 'target_url',
    'anchor', 'authority_score', 'authority_source', 'link_type', 'is_nofollow', 'is_ugc',
    'is_sponsored', 'placement', 'spam_score', 'is_flagged_spam', 'source_topic',
    'first_seen_date', 'last_seen_date', 'lost_date', 'file_name', 'file_sha256', 'row_number',
    'loaded_at',
] %}

with

unioned as (
    {%- for vendor in ['ahrefs', 'semrush', 'majestic', 'moz'] %}
    select {{ columns | join(', ') }} from {{ ref('stg_backlinks__' ~ vendor) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
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
