"""Link attribution marts on the demo: every window filled, one link recomputed by hand, and the
demo's story (strong links move rankings sooner and further) visible per quality tier.

The demo generator (demo/story.py `LINK_BOOST`, `LINK_LAG_DAYS`) lowers a page's keyword
positions after each link, with a shorter lag and a larger boost the better the link's tier.
"""

from datetime import date, timedelta
from statistics import mean

import duckdb
import pytest

SITE = "acme-outdoor.com"
ORGANIC = "Organic Search"


@pytest.fixture(scope="module")
def wh(demo_home):
    con = duckdb.connect(str(demo_home / "warehouse" / "linkokr.duckdb"), read_only=True)
    yield con
    con.close()


def rows(con, sql, params=()):
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def pairs(con, sql, params=()) -> dict:
    return dict(con.execute(sql, params).fetchall())


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.mark.e2e
def test_every_configured_window_is_attributed_for_own_links_only(wh):
    windows = sorted(
        wh.execute("select attribution_windows from staging.stg_config__settings").fetchone()[0]
    )
    assert windows == [30, 60, 90]
    per_window = pairs(
        wh, "select window_days, count(*) from marts.fct_link_attribution group by window_days"
    )
    own_links = wh.execute(
        """
        select count(*) from marts.fct_backlinks
        inner join marts.dim_sites using (site)
        where not is_competitor
          and first_seen_date between (select range_start_date from marts.dim_attribution_ranges
                                       where site = ?)
                                  and (select range_end_date from marts.dim_attribution_ranges
                                       where site = ?)
        """,
        [SITE, SITE],
    ).fetchone()[0]
    assert own_links > 50
    assert per_window == {w: own_links for w in windows}
    assert set(pairs(wh, "select distinct site, 1 from marts.fct_link_attribution")) == {SITE}
    tiers = rows(
        wh,
        "select window_days, count(*) as tiers, sum(links) as links "
        "from marts.fct_attribution_by_tier where site = ? group by window_days order by 1",
        [SITE],
    )
    assert [(r["window_days"], r["links"]) for r in tiers] == [(w, own_links) for w in windows]
    assert all(r["tiers"] >= 4 for r in tiers)


@pytest.mark.e2e
def test_one_link_recomputed_from_the_daily_facts(wh):
    link = rows(
        wh,
        """
        select * from marts.fct_link_attribution
        inner join marts.dim_attribution_ranges using (site, rank_source)
        where window_days = 30 and is_window_complete and position_change is not null
          and sessions_lift_pct is not null and acquired_date - 30 > range_start_date
        order by acquired_date, backlink_id
        limit 1
        """,
    )[0]
    d, page, w = link["acquired_date"], link["target_page"], 30

    # the rank tracker with the most page-days; the range both it and the traffic cover
    source = wh.execute(
        "select source from marts.fct_page_rankings_daily where site = ? and source <> 'gsc' "
        "group by source order by count(*) desc, source limit 1",
        [SITE],
    ).fetchone()[0]
    rank_first, rank_last = wh.execute(
        "select min(date), max(date) from marts.fct_page_rankings_daily "
        "where site = ? and source = ?",
        [SITE, source],
    ).fetchone()
    traffic_first, traffic_last = wh.execute(
        "select min(date), max(date) from marts.fct_page_traffic_daily where site = ?", [SITE]
    ).fetchone()
    first, last = max(rank_first, traffic_first), min(rank_last, traffic_last)
    assert (link["rank_source"], link["range_start_date"], link["range_end_date"]) == (
        source,
        first,
        last,
    )

    positions = pairs(
        wh,
        "select date, best_position from marts.fct_page_rankings_daily "
        "where site = ? and source = ? and page = ?",
        [SITE, source, page],
    )
    traffic_days = set(
        pairs(
            wh, "select distinct date, 1 from marts.fct_page_traffic_daily where site = ?", [SITE]
        )
    )
    sessions = pairs(
        wh,
        "select date, sum(sessions) from marts.fct_page_traffic_daily "
        "where site = ? and page = ? and channel_group = ? and not is_other_row group by date",
        [SITE, page, ORGANIC],
    )
    pre = [x for x in days(d - timedelta(days=w), d - timedelta(days=1)) if first <= x <= last]
    post = [x for x in days(d + timedelta(days=1), d + timedelta(days=w)) if first <= x <= last]

    pre_position = mean(positions[x] for x in pre if x in positions)
    post_position = mean(positions[x] for x in post if x in positions)
    pre_sessions = mean(sessions.get(x, 0) for x in pre if x in traffic_days)
    post_sessions = mean(sessions.get(x, 0) for x in post if x in traffic_days)
    assert link["pre_avg_position"] == pytest.approx(pre_position)
    assert link["post_avg_position"] == pytest.approx(post_position)
    assert link["position_change"] == pytest.approx(pre_position - post_position)
    assert link["pre_sessions_per_day"] == pytest.approx(pre_sessions)
    assert link["post_sessions_per_day"] == pytest.approx(post_sessions)
    assert link["sessions_lift_pct"] == pytest.approx(100 * (post_sessions / pre_sessions - 1))

    # control group: the site's pages with no new link within [d - W, d + W]
    linked = pairs(
        wh,
        "select target_page, count(*) from marts.fct_backlinks where site = ? "
        "and first_seen_date between ? and ? group by target_page",
        [SITE, d - timedelta(days=w), d + timedelta(days=w)],
    )
    assert page in linked
    organic = wh.execute(
        "select date, page, sum(sessions) from marts.fct_page_traffic_daily "
        "where site = ? and channel_group = ? and not is_other_row group by date, page",
        [SITE, ORGANIC],
    ).fetchall()
    control = {}
    for day, other_page, n in organic:
        if other_page not in linked:
            control[day] = control.get(day, 0) + n
    control_pre = mean(control.get(x, 0) for x in pre if x in traffic_days)
    control_post = mean(control.get(x, 0) for x in post if x in traffic_days)
    control_lift = 100 * (control_post / control_pre - 1)
    assert link["control_sessions_lift_pct"] == pytest.approx(control_lift)
    assert link["adjusted_sessions_lift_pct"] == pytest.approx(
        link["sessions_lift_pct"] - control_lift
    )
    assert link["links_in_window"] == linked[page]
    assert link["credit_share"] == pytest.approx(1 / linked[page])


@pytest.mark.e2e
def test_tier_1_links_lift_rankings_sooner_and_further_than_tier_4(wh):
    by_tier = {
        r["quality_tier"]: r
        for r in rows(
            wh,
            "select * from marts.fct_attribution_by_tier where site = ? and window_days = 30",
            [SITE],
        )
    }
    tier_1, tier_4 = by_tier["tier_1"], by_tier["tier_4"]
    assert tier_1["complete_links"] >= 3 and tier_4["complete_links"] >= 10
    assert tier_1["median_position_change"] > tier_4["median_position_change"]
    assert tier_1["share_rank_improved"] > tier_4["share_rank_improved"]
    # time to a 1-position gain (7-day mean): tier_1's median link is not slower than tier_4's,
    # a tier whose median link never got there within the window counting as slowest
    never = 31
    assert (tier_1["median_days_to_rank_improvement"] or never) <= (
        tier_4["median_days_to_rank_improvement"] or never
    )
