{#- Dialect macros for the backlink, authority and site marts, in the manner of dialect.sql: each
    with a default__ (DuckDB) and a spark__ version. -#}

{#- The elements of `array`, one row each, as an item of a select list (one per SELECT): rows
    with a null or empty array give none. -#}
{% macro lk_unnest(array) -%}{{ return(adapter.dispatch('lk_unnest')(array)) }}{%- endmacro %}
{% macro default__lk_unnest(array) -%}unnest({{ array }}){%- endmacro %}
{% macro spark__lk_unnest(array) -%}explode({{ array }}){%- endmacro %}

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

{#- dbt-spark's cast of a unit test fixture value, taught the lists of a YAML fixture (dbt writes
    them as Python lists, `['a', 'b']`, which Spark cannot read): an `array(…)` of the elements. -#}
{% macro spark__safe_cast(field, type) -%}
    {%- if field is iterable and field is not string and field is not mapping -%}
        {%- set items = [] -%}
        {%- for item in field -%}
            {%- if item is none -%}
                {%- do items.append('null') -%}
            {%- elif item is string -%}
                {%- do items.append(('"' ~ item ~ '"') if "'" in item else ("'" ~ item ~ "'")) -%}
            {%- else -%}
                {%- do items.append(item | string) -%}
            {%- endif -%}
        {%- endfor -%}
        cast(array({{ items | join(', ') }}) as {{ type }})
    {%- else -%}
        {{ dbt.spark__safe_cast(field, type) }}
    {%- endif -%}
{%- endmacro %}
