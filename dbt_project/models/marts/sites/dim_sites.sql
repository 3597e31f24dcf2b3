-- One row per configured site and competitor, with the date of its latest backlink snapshot.
select
    site,
    is_competitor,
    coalesce(competitor_of, {{ lk_empty_array('string') }}) as competitor_of,
    coalesce(competitors, {{ lk_empty_array('string') }}) as competitors,
    ga4_property_id,
    gsc_site_url,
    coalesce(relevance_topics, {{ lk_empty_array('string') }}) as relevance_topics,
    coalesce(disavow, {{ lk_empty_array('string') }}) as disavow,
    latest_snapshot.latest_snapshot_date
from {{ ref('stg_config__sites') }}
left join {{ latest_snapshot_dates() }} as latest_snapshot using (site)
