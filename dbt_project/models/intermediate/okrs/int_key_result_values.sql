-- Every key result's value per day, from start - 1 through min(end, last data date): the input of
-- `fct_key_result_progress`. Days without a value (e.g. a traffic window with a missing day) are
-- kept with a null value.
with

days as (
    select * from {{ ref('int_key_result_days') }}
),

values_by_metric as (
    select kr_id, date, value from {{ ref('int_key_result_values__authority') }}
    union all
    select kr_id, date, value from {{ ref('int_key_result_values__links') }}
    union all
    select kr_id, date, value from {{ ref('int_key_result_values__rankings') }}
    union all
    select kr_id, date, value from {{ ref('int_key_result_values__traffic') }}
)

select
    days.kr_id,
    days.date,
    values_by_metric.value,
    days.last_data_date
from days
left join values_by_metric using (kr_id, date)
