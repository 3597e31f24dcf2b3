with

source as (
    select * from {{ source('config', 'config_keyword_sets') }}
),

renamed as (
    select
        site,
        keyword_set,
        tags,
        keywords
    from source
)

select * from renamed
