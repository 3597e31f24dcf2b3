{#- Parsing raw values in staging. Inbox files reach `raw` with their typed columns already in one
    canonical text form, decided per file from its values (ingest/inbox/values.py): dates and times as
    `YYYY-MM-DD[ HH:MM:SS]`, numbers with a decimal point and no thousands separator, booleans as
    `true`/`false`. API pulls are written in the same form. A value that did not read was held out
    of `raw` with its row (ops.rejected_rows), so these parsers see canonical text or null. -#}

{% macro parse_bool(column) -%}
    case
        when lower(trim({{ column }})) = 'true' then true
        when lower(trim({{ column }})) = 'false' then false
    end
{%- endmacro %}

{#- Majestic writes flags empty when false: any non-empty value is true. -#}
{% macro parse_flag(column) -%}
    coalesce(nullif(trim({{ column }}), '') is not null, false)
{%- endmacro %}

{#- A percentage keeps its `%` sign in raw (Moz's old spam-score scale is told apart by it). -#}
{% macro parse_number(column) -%}{{ return(adapter.dispatch('parse_number')(column)) }}{%- endmacro %}
{% macro default__parse_number(column) -%}
    try_cast(replace(trim({{ column }}), '%', '') as double)
{%- endmacro %}
{#- Spark's cast also reads Java's `1.5d` and `1.5f`, which DuckDB refuses. -#}
{% macro spark__parse_number(column) -%}
    case when not (trim({{ column }}) rlike '[0-9.][dDfF]$') then
        try_cast(replace(trim({{ column }}), '%', '') as double)
    end
{%- endmacro %}

{#- The date of a `YYYY-MM-DD[ HH:MM:SS]` value (an ISO `T`, fraction or zone is read too, the
    zone ignored). -#}
{% macro parse_date(column) -%}{{ return(adapter.dispatch('parse_date')(column)) }}{%- endmacro %}
{% macro default__parse_date(column) -%}
    try_cast(try_cast(trim({{ column }}) as timestamp) as date)
{%- endmacro %}
{#- Spark's cast also reads a bare year (`2026`), a year and month, a leading `+` and trailing
    tabs, all null on DuckDB: a value must start with a whole date. -#}
{% macro spark__parse_date(column) -%}
    case when trim({{ column }}) rlike '^\d{4}-\d{1,2}-\d{1,2}([ T]|\z)' then
        try_cast(try_cast(trim({{ column }}) as timestamp) as date)
    end
{%- endmacro %}
