with

source as (
    select * from {{ source('config', 'config_page_groups') }}
),

renamed as (
    select
        site,
        page_group,
        pattern
    from source
)

select * from renamed
