"""Every OKR metric recomputed by hand on the demo data (docs/config.md, "Metric catalog" and
"Progress, pacing, status"), against `marts.fct_key_result_progress` and
`marts.fct_key_result_members`.

The hand calculation (tests/okr_hand_calculation.py) reads only the fact marts and the config,
in plain Python, so a wrong join or window in the dbt models shows up as a disagreement. The demo
config covers eleven metrics; the other four get a fifth objective written into a copy of the demo
home.
"""

import dataclasses
import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from ingest.config import ANCHOR_TYPES, load_config, write_config_tables
from tests.conftest import copy_demo_home, run_dbt
from tests.okr_hand_calculation import (
    DEMO_KR_IDS,
    Warehouse,
    assert_matches_hand_calculation,
    assert_members_are_what_counted,
    own_links,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo(demo_home) -> Warehouse:
    return Warehouse.read(demo_home)


# ---------------------------------------------------------------------------------------------
# The demo config's fifteen key results (eleven metrics)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kr_id", DEMO_KR_IDS)
def test_demo_key_result_matches_hand_calculation(demo, kr_id):
    hand = assert_matches_hand_calculation(demo, kr_id)
    # the demo is generated so that every metric has something to count
    assert hand["value"] is not None and hand["value"] != 0


@pytest.mark.parametrize("kr_id", DEMO_KR_IDS)
def test_demo_key_result_members_are_what_counted(demo, kr_id):
    assert_members_are_what_counted(demo, kr_id)


def test_demo_anchor_classes_match_hand_classification(demo):
    """fct_backlinks.anchor_type is the class docs/config.md defines, for every link of every
    site (competitors' anchors read against the watching site's keywords), and the demo's own
    anchors fall into every class."""
    wrong = [
        (link["site"], link["anchor"], link["anchor_type"], demo.anchor_type(link))
        for link in demo.backlinks
        if link["anchor_type"] != demo.anchor_type(link)
    ]
    assert wrong == []
    own = [link for link in demo.backlinks if link["site"] == "acme-outdoor.com"]
    counts = {kind: sum(demo.anchor_type(link) == kind for link in own) for kind in ANCHOR_TYPES}
    assert min(counts.values()) >= 5, counts


def test_demo_placement_and_anchor_filters_keep_only_their_links(demo):
    """The demo's key results on `placements` and `anchor_types` count only links of the listed
    placements and anchor classes (their members say so), where the same key result without the
    filter would count others too."""
    for kr_id, key, unfiltered in (
        ("amplification.contextual-links", "placement", {"placements": None}),
        ("revenue.keyword-anchors", "anchor_type", {"anchor_types": None}),
    ):
        kr = demo.key_result(kr_id)
        listed = kr.placements or kr.anchor_types
        members = [json.loads(m["detail"]) for m in demo.members[kr_id]]
        assert len(members) == demo.progress[kr_id]["value"] > 0, kr_id
        assert {member[key] for member in members} <= set(listed), kr_id
        # the page group's links the filter leaves out
        others = [
            link
            for link in own_links(demo, dataclasses.replace(kr, **unfiltered))
            if (link["placement"] if key == "placement" else demo.anchor_type(link)) not in listed
        ]
        assert others, kr_id


def test_demo_statuses_are_not_all_the_same(demo):
    """The demo exercises the status rules, not only the arithmetic."""
    statuses = {demo.progress[kr_id]["status"] for kr_id in DEMO_KR_IDS}
    assert len(statuses) >= 3, statuses


# ---------------------------------------------------------------------------------------------
# The four metrics the demo config does not use, in a fifth objective on a copy of the demo
# ---------------------------------------------------------------------------------------------

EXTRA_KEY_RESULTS = [
    {
        "id": "new-domains",
        "metric": "referring_domains_acquired",
        "filters": {"followed_only": True},
        "target": 100,
    },
    {
        "id": "category-sessions",
        "metric": "organic_sessions",
        "page_group": "product_categories",
        "target": 20000,
    },
    {
        "id": "guide-key-events",
        "metric": "organic_key_events_change_pct",
        "page_group": "guides",
        "target": 30,
        "milestones": [{"date": "MID", "value": 10}],
    },
    {"id": "revenue", "metric": "organic_revenue_change_pct", "target": 40},
]


def add_objective(home: Path) -> list[str]:
    """Add a fifth objective with the extra key results, over the demo objectives' period."""
    path = home / "linkokr.yml"
    raw = yaml.safe_load(path.read_text())
    site = raw["sites"][0]
    period = site["objectives"][0]["period"]
    start = date.fromisoformat(str(period["start"]))
    mid = (start + timedelta(days=30)).isoformat()
    key_results = json.loads(json.dumps(EXTRA_KEY_RESULTS).replace('"MID"', f'"{mid}"'))
    site["objectives"].append(
        {"id": "more", "title": "The metrics the seed does not use", "period": period}
        | {"key_results": key_results}
    )
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return [f"more.{kr['id']}" for kr in EXTRA_KEY_RESULTS]


def rebuild_okr_models(home: Path, dbt_dir: Path) -> None:
    """What the config asset and the dbt asset do on a reload, for the OKR models only."""
    warehouse = home / "warehouse" / "linkokr.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        write_config_tables(con, load_config(home / "linkokr.yml"))
    finally:
        con.close()
    run_dbt(
        warehouse,
        dbt_dir,
        "build",
        "--select",
        "stg_config__key_results+",
        "--exclude-resource-type",
        "unit_test",
    )


@pytest.fixture(scope="module")
def extended(demo_home, tmp_path_factory) -> tuple[Warehouse, list[str], Path]:
    home = copy_demo_home(demo_home, tmp_path_factory.mktemp("okr_metrics") / "home")
    kr_ids = add_objective(home)
    rebuild_okr_models(home, home.parent / "dbt")
    return Warehouse.read(home), kr_ids, home


def test_metrics_outside_the_demo_config_match_hand_calculations(extended):
    wh, kr_ids, _ = extended
    assert {wh.key_result(kr_id).metric for kr_id in kr_ids} == {
        "referring_domains_acquired",
        "organic_sessions",
        "organic_key_events_change_pct",
        "organic_revenue_change_pct",
    }
    for kr_id in kr_ids:
        hand = assert_matches_hand_calculation(wh, kr_id)
        assert hand["value"], kr_id
        assert_members_are_what_counted(wh, kr_id)


def test_a_key_result_removed_from_the_config_leaves_the_marts(extended, tmp_path):
    """docs/config.md: a key result removed from the file disappears from the marts (the checks are
    covered in test_definitions.py)."""
    *_, home = extended
    raw = yaml.safe_load((home / "linkokr.yml").read_text())
    objective = next(o for o in raw["sites"][0]["objectives"] if o["id"] == "displacement")
    objective["key_results"] = [kr for kr in objective["key_results"] if kr["id"] != "head-terms"]
    (home / "linkokr.yml").write_text(yaml.safe_dump(raw, sort_keys=False))
    rebuild_okr_models(home, tmp_path / "dbt")
    with duckdb.connect(str(home / "warehouse" / "linkokr.duckdb"), read_only=True) as con:
        for mart in ("dim_key_results", "fct_key_result_progress", "fct_key_result_members"):
            rows = con.execute(f"select distinct kr_id from marts.{mart}").fetchall()
            kr_ids = {row[0] for row in rows}
            assert "displacement.head-terms" not in kr_ids, mart
            assert "displacement.gap-links" in kr_ids and "more.revenue" in kr_ids, mart
