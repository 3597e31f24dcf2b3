{#- The elements of `array` (strings, no nulls) joined with `separator`; '' for an empty array. -#}
{% macro lk_array_join(array, separator) -%}
    {{ return(adapter.dispatch('lk_array_join')(array, separator)) }}
{%- endmacro %}
{% macro default__lk_array_join(array, separator) -%}array_to_string({{ array }}, {{ separator }}){%- endmacro %}
{% macro spark__lk_array_join(array, separator) -%}array_join({{ array }}, {{ separator }}){%- endmacro %}
