{#- Whether the whole of `text` matches the glob `pattern` (docs/config.md, page groups): `*` any
    run of characters, `?` one character, `[a-z]` a class, `[!a-z]` its complement. On Spark the
    glob becomes a Java regex: the pattern is quoted (\Q…\E) between its wildcards and classes.
    Not translated: backslash escapes and a `]` as a class's first character. -#}
{% macro lk_glob_match(text, pattern) -%}
    {{ return(adapter.dispatch('lk_glob_match')(text, pattern)) }}
{%- endmacro %}
{% macro default__lk_glob_match(text, pattern) -%}({{ text }} glob {{ pattern }}){%- endmacro %}
{% macro spark__lk_glob_match(text, pattern) -%}
    {%- set regex -%}
    concat('\Q', replace(replace(replace(replace(replace(replace(
        {{ pattern }}, '*', '\E.*\Q'), '?', '\E.\Q'), '[', '\E['), '\E[^', '\E[\^'), '\E[!', '\E[^'),
        ']', ']\Q'), '\E')
    {%- endset -%}
    {{ spark__lk_regexp_full_match(text, regex) }}
{%- endmacro %}
