-- Per site, calendar month and quality tier: backlinks won and lost, and new referring domains.
select
    site,
    cast(date_trunc('month', date) as date) as month,
    quality_tier,
    cast(sum(new_backlinks) as bigint) as new_backlinks,
    cast(sum(lost_backlinks) as bigint) as lost_backlinks,
    cast(sum(new_backlinks) - sum(lost_backlinks) as bigint) as net_backlinks,
    cast(sum(new_referring_domains) as bigint) as new_referring_domains
from {{ ref('fct_referring_domains_daily') }}
group by all
