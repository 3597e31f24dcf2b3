{#- Counts and amounts from UI exports: `1,234` (thousands) and `1.234,5` / `1,5` (decimal comma)
    are both read right; what cannot be read is null. -#}
{% macro parse_amount(column) -%}
    case
        when regexp_matches(trim({{ column }}), '^-?\d{1,3}(,\d{3})+(\.\d+)?$')
            then try_cast(replace(trim({{ column }}), ',', '') as double)
        when regexp_matches(trim({{ column }}), '^-?\d{1,3}(\.\d{3})+(,\d+)?$')
            then try_cast(replace(replace(trim({{ column }}), '.', ''), ',', '.') as double)
        else {{ parse_number(column) }}
    end
{%- endmacro %}
