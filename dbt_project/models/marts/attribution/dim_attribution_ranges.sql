-- One row per own site: the rank source attribution reads and the attribution data range
-- (int_attribution_ranges), for analysts reading fct_link_attribution.
select
    site,
    rank_source,
    range_start_date,
    range_end_date
from {{ ref('int_attribution_ranges') }}
