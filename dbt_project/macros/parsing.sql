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
{% macro parse_number(column) -%}
    try_cast(replace(trim({{ column }}), '%', '') as double)
{%- endmacro %}

{% macro parse_date(column) -%}
    try_cast(try_cast(trim({{ column }}) as timestamp) as date)
{%- endmacro %}
