{#- Parsing vendor strings in staging. Every parser returns null for what it cannot read, so one
    odd vendor value never fails a build; the staging tests (warnings) report such rows. -#}

{% macro parse_bool(column) -%}
    case
        when lower(trim({{ column }})) in ('true', 'yes', 'y', '1', 'x') then true
        when lower(trim({{ column }})) in ('false', 'no', 'n', '0', '') then false
    end
{%- endmacro %}

{#- Majestic writes flags empty when false: any non-empty value is true. -#}
{% macro parse_flag(column) -%}
    coalesce(nullif(trim({{ column }}), '') is not null, false)
{%- endmacro %}

{% macro parse_number(column) -%}
    try_cast(replace(replace(trim({{ column }}), '%', ''), ',', '.') as double)
{%- endmacro %}

{#- Dates as vendors write them: `YYYY-MM-DD HH:MM:SS`, ISO with `T`, plain dates, epoch seconds. -#}
{% macro parse_date(column) -%}
    coalesce(
        try_cast(try_strptime(trim({{ column }}), ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%d %H:%M', '%Y-%m-%d', '%d.%m.%Y', '%m/%d/%Y', '%Y%m%d']) as date),
        try_cast(try_cast(trim({{ column }}) as timestamp) as date)
    )
{%- endmacro %}
