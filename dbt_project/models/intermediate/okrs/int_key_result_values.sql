{#- Placeholder until the metric models exist: the contract's columns, no rows. -#}
select
    cast(null as varchar) as kr_id,
    cast(null as date) as date,
    cast(null as double) as value,
    cast(null as date) as last_data_date,
where false
