{#- Incremental facts re-read a window instead of rebuilding all history (style.md: late data is
    re-read, not trusted). The window starts at `var('from_date')` when a backfill passes one,
    else `lookback_days` (config settings) before the latest day already built. -#}
{% macro incremental_window_start(date_column) -%}
    {%- if var('from_date', none) -%}
        cast('{{ var("from_date") }}' as date)
    {%- else -%}
        (
            select max({{ date_column }}) - coalesce(
                (select max(lookback_days) from {{ ref('stg_config__settings') }}), 3)
            from {{ this }}
        )
    {%- endif -%}
{%- endmacro %}
