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
