-- Each referring domain's state over time, per site: from each date on which one of its links
-- appeared or was lost, its tier (the best tier among its live links) until the next such date;
-- a null tier means no live link. Built from link events, so it scales with links, not days.
with

links as (
    select site, source_domain, {{ tier_rank('quality_tier') }} as tier_rank, first_seen_date, lost_date
    from {{ ref('fct_backlinks') }}
    where first_seen_date is not null
      and (lost_date is null or lost_date > first_seen_date)
),

events as (
    select site, source_domain, first_seen_date as event_date, tier_rank, 1 as delta from links
    union all
    select site, source_domain, lost_date as event_date, tier_rank, -1 as delta from links where lost_date is not null
),

per_date as (
    select
        site,
        source_domain,
        event_date,
        {% for rank in range(1, 6) %}
        coalesce(sum(delta) filter (where tier_rank = {{ rank }}), 0) as delta_{{ rank }}{{ ',' if not loop.last }}
        {% endfor %}
    from events
    group by site, source_domain, event_date
),

running as (
    select
        site,
        source_domain,
        event_date,
        {% for rank in range(1, 6) %}
        sum(delta_{{ rank }}) over by_date as live_{{ rank }}{{ ',' if not loop.last }}
        {% endfor %}
    from per_date
    window by_date as (partition by site, source_domain order by event_date)
),

states as (
    select
        site,
        source_domain,
        event_date as valid_from,
        lead(event_date) over by_date as valid_to,
        case
            {% for rank in range(1, 6) %}
            when live_{{ rank }} > 0 then {{ rank }}
            {% endfor %}
        end as tier_rank
    from running
    window by_date as (partition by site, source_domain order by event_date)
)

select
    *,
    lag(tier_rank) over (partition by site, source_domain order by valid_from) as previous_tier_rank
from states
