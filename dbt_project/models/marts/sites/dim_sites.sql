-- One row per configured site and competitor.
select
    site,
    is_competitor,
    coalesce(competitor_of, []) as competitor_of,
    coalesce(competitors, []) as competitors,
    ga4_property_id,
    gsc_site_url,
    coalesce(relevance_topics, []) as relevance_topics,
    coalesce(disavow, []) as disavow
from {{ ref('stg_config__sites') }}
