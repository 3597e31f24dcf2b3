-- domain_authority: the site's authority metric, last observation on or before the day.
with

days as (
    select * from {{ ref('int_key_result_days') }}
    where family = 'authority'
),

key_results as (
    select kr_id, authority_metric from {{ ref('stg_config__key_results') }}
),

authority as (
    select * from {{ ref('fct_domain_authority_daily') }}
)

select
    days.kr_id,
    days.date,
    authority.value
from days
inner join key_results using (kr_id)
left join authority
    on authority.site = days.site
    and authority.metric = key_results.authority_metric
    and authority.date = days.date
