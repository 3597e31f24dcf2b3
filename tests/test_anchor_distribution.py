"""`marts.fct_anchor_distribution` recomputed from `marts.fct_backlinks` on the demo: per site,
month and anchor class, the links live at the month's end (the latest snapshot date in the
month holding it), those first seen in the month, and the class's share of the live links."""

from datetime import date, timedelta

import duckdb
import pytest

from ingest.config import ANCHOR_TYPES
from tests.okr_hand_calculation import fetch, is_live

pytestmark = pytest.mark.e2e


def month_starts(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def by_hand(backlinks: list[dict], latest_snapshots: dict[str, date]) -> dict[tuple, dict]:
    rows = {}
    for site in {link["site"] for link in backlinks}:
        links = [link for link in backlinks if link["site"] == site]
        latest = latest_snapshots[site]
        for month in month_starts(min(link["first_seen_date"] for link in links), latest):
            month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            as_of = min(month_end, latest)
            live = {kind: 0 for kind in ANCHOR_TYPES}
            new = {kind: 0 for kind in ANCHOR_TYPES}
            for link in links:
                live[link["anchor_type"]] += is_live(link, as_of)
                new[link["anchor_type"]] += month <= link["first_seen_date"] <= as_of
            total = sum(live.values())
            for kind in ANCHOR_TYPES:
                rows[(site, month, kind)] = {
                    "live_backlinks": live[kind],
                    "new_backlinks": new[kind],
                    "share_of_live": live[kind] / total if total else None,
                    "as_of_date": as_of,
                }
    return rows


def test_anchor_distribution_counts_the_backlinks_mart(demo_home):
    with duckdb.connect(str(demo_home / "warehouse" / "linkokr.duckdb"), read_only=True) as con:
        backlinks = fetch(
            con,
            "select site, anchor_type, first_seen_date, lost_date from marts.fct_backlinks",
        )
        latest_snapshots = dict(
            con.execute("select site, latest_snapshot_date from marts.dim_sites").fetchall()
        )
        mart = {
            (row.pop("site"), row.pop("month"), row.pop("anchor_type")): row
            for row in fetch(con, "select * from marts.fct_anchor_distribution")
        }

    hand = by_hand(backlinks, latest_snapshots)
    assert mart.keys() == hand.keys()
    assert mart == {key: pytest.approx(row) for key, row in hand.items()}

    # the demo site's latest month: every class shows, the shares add up to one
    site = "acme-outdoor.com"
    latest = max(month for s, month, _ in mart if s == site)
    shares = {kind: mart[(site, latest, kind)]["share_of_live"] for kind in ANCHOR_TYPES}
    assert all(share > 0 for share in shares.values()), shares
    assert sum(shares.values()) == pytest.approx(1)
