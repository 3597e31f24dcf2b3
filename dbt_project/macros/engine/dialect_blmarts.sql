{#- Dialect macros for the backlink, authority and site marts, in the manner of dialect.sql: each
    with a default__ (DuckDB) and a spark__ version. -#}

{#- The first day of every month from the month of `start` through `stop` (dates), as an array of
    dates; empty when `stop` is before that month. -#}
{% macro lk_month_sequence(start, stop) -%}
    {{ return(adapter.dispatch('lk_month_sequence')(start, stop)) }}
{%- endmacro %}
{% macro default__lk_month_sequence(start, stop) -%}
    cast(generate_series(
        cast(date_trunc('month', {{ start }}) as date), cast({{ stop }} as date), interval 1 month
    ) as date[])
{%- endmacro %}
{% macro spark__lk_month_sequence(start, stop) -%}
    case
        when cast(trunc({{ start }}, 'MM') as date) <= cast({{ stop }} as date)
            then sequence(cast(trunc({{ start }}, 'MM') as date), cast({{ stop }} as date), interval 1 month)
        when {{ start }} is not null and {{ stop }} is not null then cast(array() as array<date>)
    end
{%- endmacro %}

{#- The last non-null value of `expression` in the window frame; follow it with `over (…)`. -#}
{% macro lk_last_value_ignore_nulls(expression) -%}
    {{ return(adapter.dispatch('lk_last_value_ignore_nulls')(expression)) }}
{%- endmacro %}
{% macro default__lk_last_value_ignore_nulls(expression) -%}last_value({{ expression }} ignore nulls){%- endmacro %}
{% macro spark__lk_last_value_ignore_nulls(expression) -%}last_value({{ expression }}, true){%- endmacro %}
