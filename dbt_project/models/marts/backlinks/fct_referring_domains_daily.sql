-- Per site, day and quality tier: live, new and lost referring domains and backlinks.
-- A domain's tier on a day is the best tier among its live backlinks; a tier change is neither
-- new nor lost (docs/warehouse.md, "Daily counts").
with

links as (
    select site, quality_tier, first_seen_date, lost_date
    from {{ ref('fct_backlinks') }}
    where first_seen_date is not null
),

states as (
    select * from {{ ref('int_referring_domain_states') }}
),

bounds as (
    select
        backlinks.site,
        min(backlinks.first_seen_date) as first_date,
        max(sites.latest_snapshot_date) as last_date
    from {{ ref('fct_backlinks') }} as backlinks
    inner join {{ ref('dim_sites') }} as sites using (site)
    group by backlinks.site
),

tiers as (
    select {{ lk_unnest(lk_array(["'tier_1'", "'tier_2'", "'tier_3'", "'tier_4'", "'toxic'"])) }} as quality_tier
),

spine as (
    select bounds.site, tiers.quality_tier, cast(day as date) as date
    from bounds
    cross join tiers
    {{ lk_unnest_join(lk_date_sequence('bounds.first_date', 'bounds.last_date'), 'days', 'day') }}
),

domain_deltas as (
    select site, {{ tier_of_rank('tier_rank') }} as quality_tier, valid_from as date,
           1 as live_delta,
           case when previous_tier_rank is null then 1 else 0 end as new_domains,
           0 as lost_domains
    from states where tier_rank is not null
    union all
    select site, {{ tier_of_rank('tier_rank') }} as quality_tier, valid_to as date,
           -1 as live_delta, 0 as new_domains, 0 as lost_domains
    from states where tier_rank is not null and valid_to is not null
    union all
    select site, {{ tier_of_rank('previous_tier_rank') }} as quality_tier, valid_from as date,
           0 as live_delta, 0 as new_domains, 1 as lost_domains
    from states where tier_rank is null and previous_tier_rank is not null
),

link_deltas as (
    select site, quality_tier, first_seen_date as date, 1 as live_delta, 1 as new_links, 0 as lost_links
    from links
    union all
    select site, quality_tier, lost_date as date, -1 as live_delta, 0 as new_links, 1 as lost_links
    from links where lost_date is not null
),

domain_day_deltas as (
    select site, quality_tier, date, sum(live_delta) as live_delta,
           sum(new_domains) as new_domains, sum(lost_domains) as lost_domains
    from domain_deltas group by all
),

link_day_deltas as (
    select site, quality_tier, date, sum(live_delta) as live_delta,
           sum(new_links) as new_links, sum(lost_links) as lost_links
    from link_deltas group by all
),

daily_deltas as (
    select
        coalesce(d.site, l.site) as site,
        coalesce(d.quality_tier, l.quality_tier) as quality_tier,
        coalesce(d.date, l.date) as date,
        coalesce(d.live_delta, 0) as domain_live_delta,
        coalesce(d.new_domains, 0) as new_domains,
        coalesce(d.lost_domains, 0) as lost_domains,
        coalesce(l.live_delta, 0) as link_live_delta,
        coalesce(l.new_links, 0) as new_links,
        coalesce(l.lost_links, 0) as lost_links
    from domain_day_deltas as d
    full outer join link_day_deltas as l on d.site = l.site and d.quality_tier = l.quality_tier and d.date = l.date
),

filled as (
    select
        spine.site,
        spine.date,
        spine.quality_tier,
        cast(sum(coalesce(daily_deltas.domain_live_delta, 0)) over by_date as bigint)
            as live_referring_domains,
        cast(coalesce(daily_deltas.new_domains, 0) as bigint) as new_referring_domains,
        cast(coalesce(daily_deltas.lost_domains, 0) as bigint) as lost_referring_domains,
        cast(sum(coalesce(daily_deltas.link_live_delta, 0)) over by_date as bigint) as live_backlinks,
        cast(coalesce(daily_deltas.new_links, 0) as bigint) as new_backlinks,
        cast(coalesce(daily_deltas.lost_links, 0) as bigint) as lost_backlinks
    from spine
    left join daily_deltas using (site, quality_tier, date)
    window by_date as (partition by spine.site, spine.quality_tier order by spine.date)
)

select * from filled
