-- One row per vendor snapshot of a site: how many live links it holds, and whether it is a full
-- export. A snapshot holding fewer than half the live links of the previous full snapshot is
-- partial: it adds and updates links but never removes them (docs/warehouse.md, "Backlink life").
with recursive

observations as (
    select
        *,
        coalesce(is_site_target and not is_internal, false) as is_counted
    from {{ ref('int_backlink_observations') }}
),

-- Rows pointing at another site than the snapshot's, and internal links, are left out of every
-- mart; they are counted here so a mis-filed export shows up.
snapshots as (
    select
        vendor,
        site,
        snapshot_date,
        count(*) filter (where is_counted) as links,
        count(*) filter (where is_counted and is_live_in_snapshot) as live_links,
        count(*) filter (where not coalesce(is_site_target, false)) as rows_other_target,
        count(*) filter (where is_site_target and is_internal) as rows_internal
    from observations
    group by vendor, site, snapshot_date
),

-- Compared with the previous *full* snapshot: a partial export says nothing about the links it
-- leaves out, so a second one-day export of new links must not count as full against the first
-- (it would remove every other link). Few snapshots per vendor and site, so a recursive walk.
ordered as (
    select
        *,
        row_number() over (partition by vendor, site order by snapshot_date) as snapshot_number
    from snapshots
),

walked as (
    select
        vendor,
        site,
        snapshot_number,
        cast(null as bigint) as previous_live_links,
        true as is_full,
        live_links as full_live_links
    from ordered
    where snapshot_number = 1

    union all

    select
        ordered.vendor,
        ordered.site,
        ordered.snapshot_number,
        walked.full_live_links as previous_live_links,
        ordered.live_links >= 0.5 * walked.full_live_links as is_full,
        case
            when ordered.live_links >= 0.5 * walked.full_live_links then ordered.live_links
            else walked.full_live_links
        end as full_live_links
    from walked
    inner join ordered
        on ordered.vendor = walked.vendor
        and ordered.site = walked.site
        and ordered.snapshot_number = walked.snapshot_number + 1
)

select
    ordered.vendor,
    ordered.site,
    ordered.snapshot_date,
    ordered.links,
    ordered.live_links,
    ordered.rows_other_target,
    ordered.rows_internal,
    walked.previous_live_links,
    walked.is_full
from ordered
inner join walked using (vendor, site, snapshot_number)
