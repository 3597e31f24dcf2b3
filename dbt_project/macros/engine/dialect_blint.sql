{#- Dialect macros for the backlink models, in the manner of dialect.sql: a default__ (DuckDB) and
    a spark__ version where the engines differ. -#}

{#- An array of the string constants `values` (a list of Jinja strings without single quotes: the
    engines escape those differently), as SQL literals. -#}
{% macro lk_string_array(values) -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- if "'" in value -%}
            {{ exceptions.raise_compiler_error("lk_string_array: a single quote in " ~ value) }}
        {%- endif -%}
        {%- do literals.append("'" ~ value ~ "'") -%}
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

{#- dbt-spark's safe_cast, which unit-test fixtures go through, with YAML lists as Spark arrays:
    dbt renders a list value as a Python list (`['a', 'b']`, a DuckDB list literal), which
    Spark cannot parse; here it becomes `array('a', 'b')`. Every other value is cast as dbt-spark
    does. DuckDB keeps dbt's own safe_cast. -#}
{% macro spark__safe_cast(field, type) -%}
    {%- if field is iterable and field is not string and field is not mapping -%}
    cast({{ _spark_array_literal(field) }} as {{ type }})
    {%- elif field is string and cast_from_string_unsupported_for(type) -%}
    cast({{ field.strip('"').strip("'") }} as {{ type }})
    {%- else -%}
    cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{% macro _spark_array_literal(values) -%}
    array(
    {%- for value in values -%}
        {%- if value is none -%}null
        {%- elif value is string -%}{{ dbt.string_literal(dbt.escape_single_quotes(value)) }}
        {%- elif value is iterable and value is not mapping -%}{{ _spark_array_literal(value) }}
        {%- else -%}{{ value }}
        {%- endif -%}{{ ', ' if not loop.last }}
    {%- endfor -%}
    )
{%- endmacro %}
