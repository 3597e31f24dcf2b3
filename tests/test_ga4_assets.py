"""The GA4 asset as Dagster runs it: a 7-day backfill in one run through the real client against
the emulator, a rate-limited first request, and the data-quality checks (layer b/d)."""

import csv
import json
from datetime import date, timedelta

import dagster as dg
import duckdb
import pytest

from demo.emulators.server import EmulatorServer
from ingest.settings import Paths
from orchestration.definitions import build_definitions
from orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG
from tests.conftest import use_home

CONFIG = """
sites:
  - domain: acme.com
    ga4_property_id: "42"
"""
PAGES = ["/", "/tents/dome?utm_source=news", "/guides/pitching"]


@pytest.fixture
def ga4_home(tmp_path, monkeypatch):
    home = use_home(monkeypatch, tmp_path / "home")
    home.mkdir()
    (home / "linkokr.yml").write_text(CONFIG)
    ga4 = home / "data" / "emulator" / "ga4"
    ga4.mkdir(parents=True)
    (ga4 / "properties.json").write_text(
        json.dumps(
            {"42": {"time_zone": "Europe/Berlin", "currency_code": "EUR", "thresholded": True}}
        )
    )
    yesterday = date.today() - timedelta(days=1)
    with (ga4 / "42.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "date",
                "hostName",
                "landingPagePlusQueryString",
                "sessionDefaultChannelGroup",
                "sessions",
                "engagedSessions",
                "keyEvents",
                "transactions",
                "purchaseRevenue",
            ]
        )
        for back in range(20):
            day = (yesterday - timedelta(days=back)).strftime("%Y%m%d")
            for n, page in enumerate(PAGES):
                writer.writerow([day, "www.acme.com", page, "Organic Search", 10 + n, 5, 1, 0, 0])
                writer.writerow([day, "www.acme.com", page, "Direct", 3, 1, 0, 1, 19.99])
    with EmulatorServer(home / "data" / "emulator") as server:
        monkeypatch.setenv("LINKOKR_GA4_ENDPOINT", server.url)
        yield home, server, yesterday


def test_a_seven_day_backfill_runs_as_one_run_and_survives_a_429(ga4_home):
    home, server, yesterday = ga4_home
    server.inject_fault("ga4", 429, count=1, retry_after=0)
    defs = build_definitions(Paths.from_env())
    job = defs.resolve_implicit_global_asset_job_def()
    start = yesterday - timedelta(days=6)
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(
            instance=instance,
            asset_selection=[
                dg.AssetKey(["raw", "ga4_traffic"]),
                dg.AssetKey(["ops", "ga4_report_metadata"]),
            ],
            tags={RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: yesterday.isoformat()},
        )
        assert result.success
        checks = {
            e.event_specific_data.check_name: e.event_specific_data
            for e in result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION"
        }
    con = duckdb.connect(str(home / "warehouse" / "linkokr.duckdb"), read_only=True)
    days = con.execute(
        "select count(distinct date), count(*), sum(sessions) from raw.ga4_traffic"
    ).fetchone()
    assert days == (7, 7 * 6, 7 * (10 + 11 + 12 + 3 * 3))
    meta = con.execute(
        "select count(*), bool_and(subject_to_thresholding), any_value(time_zone) "
        "from ops.ga4_report_metadata"
    ).fetchone()
    assert meta == (7, True, "Europe/Berlin")
    first = con.execute(
        "select requests from ops.api_pulls where source = 'ga4' and partition_date = ?", [start]
    ).fetchone()
    assert first == (2,)  # the 429, then the page
    con.close()
    assert not checks["ga4_thresholded_days"].passed
    assert checks["ga4_thresholded_days"].severity == dg.AssetCheckSeverity.WARN
    assert checks["ga4_sampled_days"].passed
    assert checks["ga4_missing_days"].passed


def test_a_day_not_pulled_is_reported_missing(ga4_home):
    home, _, yesterday = ga4_home
    defs = build_definitions(Paths.from_env())
    job = defs.resolve_implicit_global_asset_job_def()
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(
            instance=instance,
            asset_selection=[
                dg.AssetKey(["raw", "ga4_traffic"]),
                dg.AssetKey(["ops", "ga4_report_metadata"]),
            ],
            tags={
                RANGE_START_TAG: (yesterday - timedelta(days=5)).isoformat(),
                RANGE_END_TAG: (yesterday - timedelta(days=2)).isoformat(),
            },
        )
        missing = next(
            e.event_specific_data
            for e in result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION"
            and e.event_specific_data.check_name == "ga4_missing_days"
        )
    assert not missing.passed
    assert missing.metadata["days"].value == 2  # the two most recent days
