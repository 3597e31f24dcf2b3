{#- Dialect macros for the backlink models, in the manner of dialect.sql: each with a default__
    (DuckDB) and a spark__ version. -#}

{#- An array of the string constants `values` (a list of Jinja strings), as SQL literals. -#}
{% macro lk_string_array(values) -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append("'" ~ (value | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ lk_array(literals) }}
{%- endmacro %}

{#- The distinct non-null values of `expression` in a group, in ascending order, joined with
    `separator`; null when there are none. -#}
{% macro lk_string_agg_distinct(expression, separator) -%}
    {{ return(adapter.dispatch('lk_string_agg_distinct')(expression, separator)) }}
{%- endmacro %}
{% macro default__lk_string_agg_distinct(expression, separator) -%}
    string_agg(distinct {{ expression }}, {{ separator }} order by {{ expression }})
{%- endmacro %}
{% macro spark__lk_string_agg_distinct(expression, separator) -%}
    case when count({{ expression }}) > 0 then array_join(array_sort(collect_set({{ expression }})), {{ separator }}) end
{%- endmacro %}

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
