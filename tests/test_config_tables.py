"""The `raw.config_*` tables written from `linkokr.yml`: columns, types and rows."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import duckdb
import pytest

from ingest.config import load_config, write_config_tables

pytestmark = pytest.mark.unit


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "linkokr.yml"
    path.write_text(textwrap.dedent(text))
    return path


TABLES_CONFIG = """\
settings:
  lookback_days: 5
sites:
  - domain: acme-outdoor.com
    ga4_property_id: 123456789
    gsc_site_url: "sc-domain:acme-outdoor.com"
    competitors: [rival-gear.com, peak-supply.com]
    relevance_topics: [" Camping", Hiking]
    disavow: [Spammy-Links.biz]
    brand_terms: [" Acme Co ", Acme]
    page_groups:
      guides: ["acme-outdoor.com/guides/*", "acme-outdoor.com/how-to/*"]
    keyword_sets:
      heads: {tags: [" Product "], keywords: ["Hiking Boots ", tents]}
    objectives:
      - id: authority
        title: Authority
        owner: seo-team
        period: {start: 2026-10-01, end: 2026-12-31}
        key_results:
          - id: dr
            metric: domain_authority
            baseline: 42
            target: 48
          - id: strong-links
            owner: ana
            metric: backlinks_acquired
            target: 25
            filters:
              min_authority: 55
              tiers: [tier_1, tier_2]
              relevant_only: true
              placements: [contextual, unknown]
              anchor_types: [exact, partial]
            milestones: [{date: 2026-10-31, value: 5}, {date: 2026-11-30, value: 15}]
          - id: traffic
            metric: organic_sessions_change_pct
            target: 40
            page_group: guides
  - domain: acme-gear.co.uk
    competitors: [rival-gear.com]
"""


def tables(con: duckdb.DuckDBPyConnection, table: str) -> list[dict]:
    cursor = con.execute(f"select * from raw.{table}")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return dict(rows)


def test_write_config_tables_rows_and_types(tmp_path):
    cfg = load_config(write(tmp_path, TABLES_CONFIG))
    con = duckdb.connect()

    counts = write_config_tables(con, cfg)

    assert counts == {
        "raw.config_settings": 1,
        "raw.config_sites": 4,
        "raw.config_page_groups": 2,
        "raw.config_keyword_sets": 1,
        "raw.config_key_results": 3,
    }
    assert column_types(con, "config_settings") == {
        "on_track_threshold": "DOUBLE",
        "at_risk_threshold": "DOUBLE",
        "status_grace_days": "INTEGER",
        "authority_priority": "VARCHAR[]",
        "unranked_position": "DOUBLE",
        "attribution_windows": "INTEGER[]",
        "lookback_days": "INTEGER",
        "stale_export_days": "INTEGER",
    }
    assert tables(con, "config_settings") == [
        {
            "on_track_threshold": 0.9,
            "at_risk_threshold": 0.7,
            "status_grace_days": 14,
            "authority_priority": ["ahrefs_dr", "moz_da", "semrush_as", "majestic_tf"],
            "unranked_position": 101.0,
            "attribution_windows": [30, 60, 90],
            "lookback_days": 5,
            "stale_export_days": 35,
        }
    ]

    sites = {row["site"]: row for row in tables(con, "config_sites")}
    assert sites["acme-outdoor.com"] == {
        "site": "acme-outdoor.com",
        "is_competitor": False,
        "competitor_of": [],
        "competitors": ["rival-gear.com", "peak-supply.com"],
        "ga4_property_id": "123456789",
        "gsc_site_url": "sc-domain:acme-outdoor.com",
        "relevance_topics": ["camping", "hiking"],
        "disavow": ["spammy-links.biz"],
        # the domain name without its suffix always counts, also without its hyphen
        "brand_terms": ["acme co", "acme", "acme-outdoor", "acmeoutdoor"],
    }
    assert sites["rival-gear.com"]["brand_terms"] == ["rival-gear", "rivalgear"]
    assert sites["acme-gear.co.uk"]["brand_terms"] == ["acme-gear", "acmegear"]
    assert sites["rival-gear.com"]["is_competitor"] is True
    assert sites["rival-gear.com"]["competitor_of"] == ["acme-outdoor.com", "acme-gear.co.uk"]
    assert sites["peak-supply.com"]["competitor_of"] == ["acme-outdoor.com"]
    assert sites["acme-gear.co.uk"]["is_competitor"] is False

    assert [(r["page_group"], r["pattern"]) for r in tables(con, "config_page_groups")] == [
        ("guides", "acme-outdoor.com/guides/*"),
        ("guides", "acme-outdoor.com/how-to/*"),
    ]
    assert tables(con, "config_keyword_sets") == [
        {
            "site": "acme-outdoor.com",
            "keyword_set": "heads",
            "tags": ["product"],
            "keywords": ["hiking boots", "tents"],
        }
    ]

    kr_types = column_types(con, "config_key_results")
    assert kr_types["milestones"] == 'STRUCT(date DATE, "value" DOUBLE)[]'
    assert kr_types["start_date"] == "DATE"
    assert kr_types["tiers"] == "VARCHAR[]"
    assert kr_types["exclude_toxic"] == "BOOLEAN"
    assert list(kr_types)[0] == "kr_id" and list(kr_types)[-1] == "check_name"
    krs = {row["kr_id"]: row for row in tables(con, "config_key_results")}
    dr, links, traffic = (
        krs[k] for k in ("authority.dr", "authority.strong-links", "authority.traffic")
    )
    assert (dr["authority_metric"], dr["baseline"], dr["filters"], dr["tiers"]) == (
        "ahrefs_dr",
        42.0,
        "{}",
        None,
    )
    assert (dr["owner"], dr["objective_owner"], dr["title"]) == (
        "seo-team",
        "seo-team",
        "domain_authority → 48",
    )
    assert links["owner"] == "ana"
    assert links["milestones"] == [
        {"date": dt.date(2026, 10, 31), "value": 5.0},
        {"date": dt.date(2026, 11, 30), "value": 15.0},
    ]
    assert json.loads(links["filters"]) == {
        "min_authority": 55,
        "tiers": ["tier_1", "tier_2"],
        "relevant_only": True,
        "placements": ["contextual", "unknown"],
        "anchor_types": ["exact", "partial"],
    }
    assert (links["min_authority"], links["tiers"]) == (55.0, ["tier_1", "tier_2"])
    assert (links["placements"], links["anchor_types"]) == (
        ["contextual", "unknown"],
        ["exact", "partial"],
    )
    assert (dr["placements"], dr["anchor_types"]) == (None, None)
    assert (links["followed_only"], links["relevant_only"], links["exclude_toxic"]) == (
        False,
        True,
        True,
    )
    assert (links["baseline"], links["authority_metric"]) == (None, None)
    assert links["check_name"] == "kr_authority_strong_links"
    assert (traffic["baseline"], traffic["page_group"], traffic["milestones"]) == (
        0.0,
        "guides",
        [],
    )
    assert (traffic["direction"], traffic["unit"]) == ("up", "percent")
    assert (traffic["start_date"], traffic["end_date"]) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )


def test_rewrite_replaces_so_a_removed_key_result_leaves_no_trace(tmp_path):
    con = duckdb.connect()
    write_config_tables(con, load_config(write(tmp_path, TABLES_CONFIG)))
    trimmed = TABLES_CONFIG.replace(
        "          - id: dr\n            metric: domain_authority\n"
        "            baseline: 42\n            target: 48\n",
        "",
    ).replace("competitors: [rival-gear.com, peak-supply.com]", "competitors: [rival-gear.com]")

    counts = write_config_tables(con, load_config(write(tmp_path, trimmed)))

    assert counts["raw.config_key_results"] == 2
    assert [r[0] for r in con.execute("select kr_id from raw.config_key_results").fetchall()] == [
        "authority.strong-links",
        "authority.traffic",
    ]
    assert "peak-supply.com" not in {r["site"] for r in tables(con, "config_sites")}
    assert con.execute("select count(*) from raw.config_settings").fetchone() == (1,)
