{#- Array constructs int_host_domains needs, in the manner of dialect.sql: a duckdb__ (default)
    and a spark__ version each. -#}

{#- The integers from `start` to `stop`, both included, as an array (`stop` >= `start`: Spark
    counts down otherwise, DuckDB gives an empty array). -#}
{% macro lk_integer_sequence(start, stop) -%}
    {{ return(adapter.dispatch('lk_integer_sequence')(start, stop)) }}
{%- endmacro %}
{% macro default__lk_integer_sequence(start, stop) -%}generate_series({{ start }}, {{ stop }}){%- endmacro %}
{% macro spark__lk_integer_sequence(start, stop) -%}sequence({{ start }}, {{ stop }}){%- endmacro %}

{#- The elements of `array` from 1-based `start` to `stop`, both included. -#}
{% macro lk_array_slice(array, start, stop) -%}
    {{ return(adapter.dispatch('lk_array_slice')(array, start, stop)) }}
{%- endmacro %}
{% macro default__lk_array_slice(array, start, stop) -%}
    list_slice({{ array }}, {{ start }}, {{ stop }})
{%- endmacro %}
{% macro spark__lk_array_slice(array, start, stop) -%}
    slice({{ array }}, {{ start }}, {{ stop }} - ({{ start }}) + 1)
{%- endmacro %}

{#- The elements of an array of strings joined with `separator` (null elements left out). -#}
{% macro lk_array_join(array, separator) -%}
    {{ return(adapter.dispatch('lk_array_join')(array, separator)) }}
{%- endmacro %}
{% macro default__lk_array_join(array, separator) -%}array_to_string({{ array }}, {{ separator }}){%- endmacro %}
{% macro spark__lk_array_join(array, separator) -%}array_join({{ array }}, {{ separator }}){%- endmacro %}
