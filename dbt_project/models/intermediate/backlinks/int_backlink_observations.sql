-- One row per vendor, snapshot and backlink: what that snapshot says about the link.
-- Rows whose target is not the snapshot's site, and internal links, are flagged here and left
-- out of everything downstream.
-- Incremental by snapshot: a run rebuilds the (vendor, site, snapshot date) snapshots that got
-- rows since the last build (a second file of the same snapshot is deduplicated with the first).
{{ config(
    materialized=lk_incremental_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['vendor', 'site', 'snapshot_date'],
) }}
with

{% if is_incremental() %}
touched_snapshots as (
    select distinct vendor, site, snapshot_date
    from {{ ref('int_backlinks_unioned') }}
    where {{ loaded_after_last_build() }}
),

unioned as (
    select unioned.*
    from {{ ref('int_backlinks_unioned') }} as unioned
    semi join touched_snapshots
        on touched_snapshots.vendor = unioned.vendor
        and touched_snapshots.site = unioned.site
        and touched_snapshots.snapshot_date = unioned.snapshot_date
),
{% else %}
unioned as (
    select * from {{ ref('int_backlinks_unioned') }}
),
{% endif %}

hosts as (
    select * from {{ ref('int_host_domains') }}
),

with_domains as (
    select
        unioned.*,
        source_hosts.registrable_domain as source_domain,
        target_hosts.registrable_domain as target_domain,
        {{ backlink_id('unioned.source_page', 'unioned.target_page') }} as backlink_id
    from unioned
    left join hosts as source_hosts on unioned.source_host = source_hosts.host
    left join hosts as target_hosts on unioned.target_host = target_hosts.host
),

flagged as (
    select
        *,
        target_domain = site as is_site_target,
        source_domain = site as is_internal,
        lost_date is null or lost_date > snapshot_date as is_live_in_snapshot
    from with_domains
),

-- A snapshot may list the same page pair more than once (several anchors): keep one, live first.
-- The file breaks a tie (two files of a snapshot loaded together), so both engines keep the same.
deduplicated as (
    select *
    from flagged
    qualify row_number() over (
        partition by vendor, site, snapshot_date, backlink_id
        order by is_live_in_snapshot desc, loaded_at desc, row_number asc nulls last, file_sha256 asc nulls last
    ) = 1
)

select * from deduplicated
