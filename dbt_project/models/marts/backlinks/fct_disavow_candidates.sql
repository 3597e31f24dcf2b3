-- Per own site and referring domain with at least one toxic backlink: why its links are toxic,
-- how many there are, and whether the domain is already on the site's disavow list
-- (docs/warehouse.md, `fct_disavow_candidates`). `linkokr disavow` writes the domains not yet
-- disavowed as a Google disavow file.
with

own_sites as (
    select site from {{ ref('stg_config__sites') }}
    where not is_competitor
),

rules as (
    select site, disavow from {{ ref('int_backlink_rules') }}
),

toxic_links as (
    select backlinks.*
    from {{ ref('fct_backlinks') }} as backlinks
    semi join own_sites using (site)
    where backlinks.is_toxic
),

-- The vendor flags behind fct_backlinks.is_toxic, from each vendor's latest snapshot holding the
-- link (the values fct_backlinks merges). Moz flags a spam score at or above the toxic threshold,
-- on the 1-100 scale or, for a score written `N%` of at most 17, the old 1-17 scale.
vendor_reasons as (
    select
        by_vendor.site,
        by_vendor.backlink_id,
        case
            when by_vendor.vendor = 'moz' and by_vendor.spam_score >= {{ var('toxic_min_spam_score') }}
                then 'spam_score >= {{ var("toxic_min_spam_score") }}'
            when by_vendor.vendor = 'moz'
                then 'spam_score >= {{ var("toxic_min_spam_score_old_scale") }} (old 1-17 scale)'
            else 'flagged as spam by ' || by_vendor.vendor
        end as reason
    from {{ ref('int_backlinks_by_vendor') }} as by_vendor
    semi join toxic_links using (site, backlink_id)
    where by_vendor.is_flagged_spam
),

disavow_reasons as (
    select
        toxic_links.site,
        toxic_links.backlink_id,
        -- chr(39), an apostrophe: Spark reads string literals raw, a doubled quote would stay doubled
        'in the site' || chr(39) || 's disavow list' as reason
    from toxic_links
    inner join rules using (site)
    where array_contains(rules.disavow, toxic_links.source_domain)
),

link_reasons as (
    select * from vendor_reasons
    union all
    select * from disavow_reasons
),

domain_reasons as (
    select
        toxic_links.site,
        toxic_links.source_domain,
        {{ lk_array_agg('link_reasons.reason', order_by='link_reasons.reason', distinct=true) }} as reasons
    from toxic_links
    inner join link_reasons using (site, backlink_id)
    group by toxic_links.site, toxic_links.source_domain
),

domains as (
    select
        site,
        source_domain,
        count(*) as toxic_links,
        count(*) filter (where is_live) as live_toxic_links,
        max(spam_score) as best_spam_score,
        min(first_seen_date) as first_seen_date
    from toxic_links
    group by site, source_domain
)

select
    domains.site,
    domains.source_domain as referring_domain,
    coalesce(domain_reasons.reasons, {{ lk_empty_array('string') }}) as reasons,
    domains.toxic_links,
    domains.live_toxic_links,
    domains.best_spam_score,
    domains.first_seen_date,
    coalesce(array_contains(rules.disavow, domains.source_domain), false) as is_already_disavowed
from domains
left join domain_reasons using (site, source_domain)
left join rules using (site)
