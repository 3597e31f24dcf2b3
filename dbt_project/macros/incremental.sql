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


{#- Rows loaded (`loaded_at`) after the newest row already built, plus, for a backfill, every
    row dated on or after `var('from_date')`. -#}
{% macro loaded_since_last_build(date_column) -%}
    (
        loaded_at > (select max(loaded_at) from {{ this }})
        {%- if var('from_date', none) %}
        or {{ date_column }} >= cast('{{ var("from_date") }}' as date)
        {%- endif %}
    )
{%- endmacro %}
