{#- The raw layer on each engine. DuckDB reads the ingest's own tables (`raw`, `ops` in the
    warehouse file). Spark reads the same rows as Parquet, which the pipeline exports before a
    Spark build (ingest/parquet_layer.py: <LINKOKR_SPARK_DIR>/raw/<schema>/<table>/): every dbt
    source is registered here, at the start of each run, as a table over its folder. -#}
{% macro register_raw_layer() -%}
    {{ return(adapter.dispatch('register_raw_layer')()) }}
{%- endmacro %}

{% macro default__register_raw_layer() -%}
    select 1
{%- endmacro %}

{% macro spark__register_raw_layer() -%}
    {%- if execute -%}
        {%- set root = env_var('LINKOKR_SPARK_DIR') ~ '/raw' -%}
        {%- set schemas = [] -%}
        {%- for source in graph.sources.values() -%}
            {%- if source.schema not in schemas -%}
                {%- do schemas.append(source.schema) -%}
                {%- do run_query('create schema if not exists `' ~ source.schema ~ '`') -%}
            {%- endif -%}
            {%- set relation = '`' ~ source.schema ~ '`.`' ~ source.name ~ '`' -%}
            {#- Dropped and created again: a new load can bring new columns (mergeSchema). -#}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query(
                'create table ' ~ relation ~ " using parquet options (mergeSchema 'true') location '"
                ~ root ~ '/' ~ source.schema ~ '/' ~ source.name ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
