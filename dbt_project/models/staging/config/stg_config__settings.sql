with

source as (
    select * from {{ source('config', 'config_settings') }}
),

renamed as (
    select
        cast(on_track_threshold as double) as on_track_threshold,
        cast(at_risk_threshold as double) as at_risk_threshold,
        cast(status_grace_days as integer) as status_grace_days,
        authority_priority,
        cast(unranked_position as double) as unranked_position,
        attribution_windows,
        cast(lookback_days as integer) as lookback_days,
        cast(stale_export_days as integer) as stale_export_days
    from source
)

select * from renamed
