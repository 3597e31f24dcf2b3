-- One row per own site (one with an attribution data range), target page and day the page got
-- links (their first_seen_date), also outside the range, with a running count of the page's links
-- by day. The one read of fct_backlinks the attribution models share: the page windows count
-- links_in_window from the running count, the control group leaves out the pages linked within a
-- window, and the page series covers the pages linked inside the range.
with

ranges as (
    select * from {{ ref('int_attribution_ranges') }}
)

select
    backlinks.site,
    backlinks.target_page,
    backlinks.first_seen_date as acquired_date,
    count(*) as links_acquired,
    cast(sum(count(*)) over (
        partition by backlinks.site, backlinks.target_page
        order by backlinks.first_seen_date
    ) as bigint) as running_links
from {{ ref('fct_backlinks') }} as backlinks
inner join ranges using (site)
where backlinks.first_seen_date is not null
group by backlinks.site, backlinks.target_page, backlinks.first_seen_date
