{#- Dialect macros for the OKR marts, in the manner of dialect.sql: each with a default__ (DuckDB)
    and a spark__ version. -#}

{#- `fields` (a mapping of field name to SQL expression, as for lk_struct) as a JSON object text,
    null fields written as `null` (Spark leaves them out unless told). -#}
{% macro lk_struct_to_json(fields) -%}
    {{ return(adapter.dispatch('lk_struct_to_json')(fields)) }}
{%- endmacro %}
{% macro default__lk_struct_to_json(fields) -%}
    cast(to_json({{ lk_struct(fields) }}) as varchar)
{%- endmacro %}
{% macro spark__lk_struct_to_json(fields) -%}
    to_json({{ lk_struct(fields) }}, map('ignoreNullFields', 'false'))
{%- endmacro %}
