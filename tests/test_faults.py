"""The faults a scheduled pipeline meets, put between the real API clients and the emulators by a
fault-injecting proxy (tests/faultproxy.py): rate limits in Google's JSON and in other bodies,
server errors as HTML or empty, reset connections and stalled answers.

- Each client (GA4 over the real google-analytics-data REST client, Search Console, Ahrefs,
  Semrush over httpx) retries every kind and returns exactly what a clean pull returns, waiting
  what the server asked for; the policy gives up within its attempts and its total time.
- Through Dagster: a day (or target) that keeps failing is reported by an ERROR check and fails
  only that check's step; the other days, targets and sources load; the next run pulls it again,
  also outside its own range.
- End to end: `linkokr run` on a copy of the demo home through 8% resets, 8% 429/503 and 4%
  stalls on every API, with one GA4 day failing for good: exit 1 naming the check, dbt and
  publishing still built, and every mart and API raw row equal to the demo's clean pull.
"""

from __future__ import annotations

import logging
import math
import os
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from google.api_core import exceptions as google_exceptions

from demo import generate_demo
from demo.emulators.server import EmulatorServer
from ingest.http import RetryPolicy
from ingest.settings import Paths
from ingest.sources.ahrefs.api import AhrefsClient
from ingest.sources.ga4.api import fetch_day, make_client
from ingest.sources.gsc.api import GscClient, GscError
from ingest.sources.semrush.api import SemrushClient
from orchestration.cli import main
from orchestration.definitions import build_definitions
from orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG
from orchestration.resources import HttpSettings, http_settings
from tests.conftest import copy_demo_home, use_home
from tests.faultproxy import FAULT_KINDS, FORWARD, FaultProxy

SITE = "acme-outdoor.com"
COMPETITOR = "rival-gear.com"
PROPERTY = "123456789"
GSC_PROPERTY = f"sc-domain:{SITE}"
SECRET = "sk-live-7f3a9c"  # an API key that must never reach a log line
# Each fault answered once, then the retry goes through: every page of a pull meets one.
EVERY_FAULT_ONCE = tuple(step for kind in FAULT_KINDS for step in (kind, FORWARD))
# A read timeout well above the emulators' answer time, well below the proxy's stall.
TIMEOUT = 1.0


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory) -> tuple[Path, list[date]]:
    """Five days of demo data: the config and what the emulators serve."""
    home = tmp_path_factory.mktemp("small_demo")
    manifest = generate_demo(home, days=5)
    days = [manifest.start_date + timedelta(n) for n in range(5)]
    return home, days


@pytest.fixture(scope="module")
def emulators(small_demo):
    home, _ = small_demo
    with EmulatorServer(home / "data" / "emulator") as server:
        yield server


@pytest.fixture
def proxy(emulators):
    with FaultProxy(emulators.url, seed=3, stall_seconds=10 * TIMEOUT) as running:
        yield running


# client level --------------------------------------------------------------------------------
def _ga4(url: str, day: date, retry: RetryPolicy, page_size: int):
    result = fetch_day(
        make_client(url), PROPERTY, day, page_size=page_size, retry=retry, timeout=TIMEOUT
    )
    return sorted(zip(*result.columns.values(), strict=True), key=repr)


def _gsc(url: str, day: date, retry: RetryPolicy, page_size: int):
    with GscClient(url, None, retry=retry, timeout=TIMEOUT) as client:
        rows = client.fetch_day(GSC_PROPERTY, day, row_limit=page_size)
    return sorted((tuple(row.values()) for row in rows), key=repr)


def _ahrefs(url: str, day: date, retry: RetryPolicy, page_size: int):
    with AhrefsClient(url, SECRET, retry=retry, timeout=TIMEOUT) as client:
        pages = list(client.iter_backlink_pages(SITE, page_size=page_size))
    return sorted((tuple(sorted(row.items())) for page in pages for row in page), key=repr)


def _semrush(url: str, day: date, retry: RetryPolicy, page_size: int):
    with SemrushClient(url, SECRET, retry=retry, timeout=TIMEOUT) as client:
        pages = list(client.iter_backlink_pages(SITE, page_size=page_size))
    return sorted((tuple(sorted(row.items())) for page in pages for row in page), key=repr)


PULLS = {"ga4": _ga4, "gsc": _gsc, "ahrefs": _ahrefs, "semrush": _semrush}
# What each client's retry log lines name: the day and page, or the target and page.
WHAT = {
    "ga4": "GA4 property 123456789 {day} page ",
    "gsc": "Search Console sc-domain:acme-outdoor.com {day} page ",
    "ahrefs": "Ahrefs backlinks for acme-outdoor.com page ",
    "semrush": "Semrush backlinks for acme-outdoor.com rows ",
}


@pytest.mark.unit
@pytest.mark.parametrize("api", list(PULLS))
def test_every_fault_kind_is_retried_and_the_pull_is_complete(
    api, small_demo, emulators, proxy, caplog
):
    _, days = small_demo
    day = days[2]
    pull = PULLS[api]
    clean = pull(emulators.url, day, RetryPolicy(max_attempts=1), 20_000)
    # Pages small enough that the pull needs more requests than there are fault kinds.
    page_size = max(1, math.ceil(len(clean) / (len(FAULT_KINDS) + 2)))
    proxy.script(*EVERY_FAULT_ONCE, service=api)
    waits: list[float] = []
    caplog.set_level(logging.DEBUG)

    faulty = pull(proxy.url, day, RetryPolicy(sleep=waits.append), page_size)

    assert faulty == clean
    assert proxy.faults(api) == Counter(FAULT_KINDS)
    # Retry-After in seconds (text 429) and as an HTTP date (HTML 503), Google's RetryInfo
    # (JSON 429), else 1 s: the first backoff.
    by_kind = dict(zip(FAULT_KINDS, waits, strict=True))
    assert by_kind["google_429"] == 2.0
    assert by_kind["text_429"] == 3.0
    assert 2.0 <= by_kind["html_503"] <= 4.0
    assert {by_kind[k] for k in ("json_429", "empty_503", "reset", "stall")} == {1.0}
    retries = [r.getMessage() for r in caplog.records if "; retrying in" in r.getMessage()]
    assert len(retries) == len(FAULT_KINDS)
    what = WHAT[api].format(day=day)
    assert all(message.startswith(what) and "(attempt 1/6)" in message for message in retries)
    assert any("429" in message for message in retries)
    assert any("Connection reset" in message or "104" in message for message in retries)
    assert any("timed out" in message.lower() for message in retries)
    # The client's side of the wire; the emulator's own access log plays the vendor's server.
    client_log = [r.getMessage() for r in caplog.records if not r.name.startswith("demo.emulators")]
    assert not [line for line in client_log if SECRET in line]


@pytest.mark.unit
def test_a_day_that_keeps_failing_raises_after_the_last_attempt_and_says_which(
    small_demo, proxy, caplog
):
    _, days = small_demo
    proxy.fail_when(lambda request: request.service == "ga4", "json_429")
    caplog.set_level(logging.WARNING, logger="ingest.http")

    with pytest.raises(google_exceptions.TooManyRequests, match="rate limit exceeded"):
        _ga4(proxy.url, days[1], RetryPolicy(max_attempts=3, sleep=lambda _: None), 1000)

    assert proxy.faults("ga4") == Counter({"json_429": 3})
    gave_up = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert gave_up == [
        f"GA4 property {PROPERTY} {days[1]} page 1: HTTP 429 TooManyRequests; "
        "giving up after 3 attempt(s)"
    ]


@pytest.mark.unit
def test_the_policy_gives_up_before_a_wait_would_pass_its_total_time(small_demo, proxy, caplog):
    _, days = small_demo
    proxy.fail_when(lambda request: request.service == "gsc", "text_429")  # Retry-After: 3
    waits: list[float] = []
    caplog.set_level(logging.WARNING, logger="ingest.http")

    with pytest.raises(GscError, match="HTTP 429"):
        _gsc(proxy.url, days[1], RetryPolicy(max_elapsed=7, sleep=waits.append), 1000)

    assert waits == [3.0, 3.0]
    assert proxy.faults("gsc") == Counter({"text_429": 3})
    assert "giving up after 3 attempt(s): waiting 3.0s more would pass the 7s limit" in caplog.text


@pytest.mark.unit
def test_timeouts_and_the_retry_policy_come_from_the_environment():
    settings = http_settings(
        {
            "LINKOKR_HTTP_TIMEOUT": "2.5",
            "LINKOKR_HTTP_MAX_ATTEMPTS": "8",
            "LINKOKR_HTTP_MAX_RETRY_SECONDS": "120",
            "LINKOKR_HTTP_BACKOFF_SECONDS": "0.5",
            "LINKOKR_HTTP_MAX_WAIT_SECONDS": "10",
        }
    )

    assert settings == HttpSettings(
        retry=RetryPolicy(max_attempts=8, max_elapsed=120, initial_wait=0.5, max_wait=10),
        timeout=2.5,
    )
    assert http_settings({}) == HttpSettings()
    with pytest.raises(ValueError, match="LINKOKR_HTTP_MAX_ATTEMPTS='many'"):
        http_settings({"LINKOKR_HTTP_MAX_ATTEMPTS": "many"})


# Dagster: failed pulls are reported, isolated, and pulled again --------------------------------
API_ASSETS = [
    dg.AssetKey(["raw", "ga4_traffic"]),
    dg.AssetKey(["ops", "ga4_report_metadata"]),
    dg.AssetKey(["raw", "gsc_search_analytics"]),
    dg.AssetKey(["raw", "backlinks_ahrefs_api"]),
    dg.AssetKey(["raw", "domain_metrics_ahrefs_api"]),
    dg.AssetKey(["raw", "backlinks_semrush_api"]),
]
FAILED_PULLS_CHECKS = {
    "ga4_failed_pulls",
    "gsc_failed_pulls",
    "ahrefs_failed_pulls",
    "ahrefs_domain_rating_failed_pulls",
    "semrush_failed_pulls",
}


def _run_api_assets(first: date, last: date):
    job = build_definitions(Paths.from_env()).resolve_implicit_global_asset_job_def()
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(
            instance=instance,
            asset_selection=API_ASSETS,
            tags={RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()},
            raise_on_error=False,
        )
    failed_steps = {e.step_key for e in result.all_events if e.is_step_failure}
    materialized = {
        e.event_specific_data.materialization.asset_key
        for e in result.all_events
        if e.is_step_materialization
    }
    checks = {
        e.event_specific_data.check_name: e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.event_specific_data.check_name in FAILED_PULLS_CHECKS
    }
    return result, failed_steps, materialized, checks


def _loaded(home: Path, sql: str) -> set:
    with duckdb.connect(str(home / "warehouse" / "linkokr.duckdb"), read_only=True) as con:
        return {row if len(row) > 1 else row[0] for row in con.execute(sql).fetchall()}


def test_what_keeps_failing_is_reported_and_pulled_again_by_the_next_run(
    small_demo, proxy, tmp_path, monkeypatch
):
    demo, days = small_demo
    home = use_home(monkeypatch, tmp_path / "home")
    home.mkdir()
    (home / "linkokr.yml").write_bytes((demo / "linkokr.yml").read_bytes())
    for name in ("GA4", "GSC", "AHREFS", "SEMRUSH"):
        monkeypatch.setenv(f"LINKOKR_{name}_ENDPOINT", proxy.url)
    monkeypatch.setenv("AHREFS_API_KEY", SECRET)
    monkeypatch.setenv("SEMRUSH_API_KEY", SECRET)
    monkeypatch.setenv("LINKOKR_HTTP_TIMEOUT", str(TIMEOUT))
    monkeypatch.setenv("LINKOKR_HTTP_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("LINKOKR_HTTP_BACKOFF_SECONDS", "0")
    monkeypatch.setenv("LINKOKR_HTTP_MAX_WAIT_SECONDS", "0")
    d0, d1, d2, d3, d4 = days
    proxy.fail_when(lambda r: r.service == "ga4" and d1.isoformat().encode() in r.body)
    proxy.fail_when(lambda r: r.service == "gsc" and d0.isoformat().encode() in r.body, "reset")
    proxy.fail_when(lambda r: r.service == "ahrefs" and f"target={COMPETITOR}" in r.target)
    proxy.fail_when(lambda r: "domain-rating-history" in r.target, "html_503")
    proxy.fail_when(lambda r: r.service == "semrush" and f"target={SITE}&" in r.target, "stall")

    result, failed_steps, materialized, checks = _run_api_assets(d0, d2)

    # Only the checks' steps fail: every asset materialized, so dbt would run after them.
    assert failed_steps == FAILED_PULLS_CHECKS
    assert materialized == set(API_ASSETS)
    assert {name: check.passed for name, check in checks.items()} == dict.fromkeys(
        FAILED_PULLS_CHECKS, False
    )
    assert all(c.severity == dg.AssetCheckSeverity.ERROR for c in checks.values())
    which = {name: check.metadata["which"].value for name, check in checks.items()}
    assert which == {
        "ga4_failed_pulls": f"{PROPERTY} {d1}",
        "gsc_failed_pulls": f"{SITE} {d0}",
        "ahrefs_failed_pulls": COMPETITOR,
        "ahrefs_domain_rating_failed_pulls": f"{SITE} {d0}, {SITE} {d1}, {SITE} {d2}",
        "semrush_failed_pulls": SITE,
    }
    failure = next(
        e for e in result.all_events if e.is_step_failure and e.step_key == "ga4_failed_pulls"
    )
    assert f"{PROPERTY} {d1}" in failure.event_specific_data.error.message
    assert _loaded(home, "select distinct date from raw.ga4_traffic") == {d0, d2}
    assert _loaded(home, "select distinct date from raw.gsc_search_analytics") == {d1, d2}
    assert COMPETITOR not in _loaded(home, "select distinct _site from raw.backlinks_ahrefs_api")
    assert SITE in _loaded(home, "select distinct _site from raw.backlinks_ahrefs_api")
    assert _loaded(
        home,
        "select source, subject, partition_date from ops.api_pulls where status = 'failed'",
    ) == {
        ("ga4", PROPERTY, d1),
        ("gsc", SITE, d0),
        ("ahrefs_backlinks", COMPETITOR, date.today()),
        *(("ahrefs_domain_rating", SITE, d) for d in (d0, d1, d2)),
        ("semrush_backlinks", SITE, date.today()),
    }

    # The next run covers later days only; the failed ones are pulled again all the same.
    proxy.clear()
    result, failed_steps, _, checks = _run_api_assets(d3, d4)

    assert result.success, failed_steps
    assert all(check.passed for check in checks.values())
    assert _loaded(home, "select distinct date from raw.ga4_traffic") == set(days)
    assert _loaded(home, "select distinct date from raw.gsc_search_analytics") == set(days)
    assert _loaded(home, "select distinct metric_date from raw.domain_metrics_ahrefs_api") == {
        d.isoformat() for d in days
    }
    assert COMPETITOR in _loaded(home, "select distinct _site from raw.backlinks_ahrefs_api")
    assert SITE in _loaded(home, "select distinct _site from raw.backlinks_semrush_api")


# end to end ----------------------------------------------------------------------------------
SERVICES = ("ga4", "gsc", "ahrefs", "semrush")
# 8% resets, 8% 429/503 in every body shape, 4% stalls, on every API.
E2E_RATES = {
    "reset": 0.08,
    "google_429": 0.02,
    "text_429": 0.02,
    "json_429": 0.01,
    "html_503": 0.02,
    "empty_503": 0.01,
    "stall": 0.04,
}
E2E_ATTEMPTS = 8
SCRIPTED = ("reset", "stall", "json_429")
# Columns a rerun changes without changing data: load times, pull ids, quota left.
VOLATILE = {"_loaded_at", "loaded_at", "pulled_at", "_file_sha256", "tokens_per_day_remaining"}


def _differences(
    demo: Path, copy: Path, relations: dict[str, str], skip: frozenset[str] = frozenset()
) -> dict[str, int]:
    """Per relation, the rows (`where` applied; `{db}` names the warehouse) in one warehouse and
    not in the other, both ways. Doubles are rounded: dbt sums in whatever order its threads
    finish."""
    con = duckdb.connect()
    con.execute(f"attach '{demo / 'warehouse' / 'linkokr.duckdb'}' as demo (read_only)")
    con.execute(f"attach '{copy / 'warehouse' / 'linkokr.duckdb'}' as copy (read_only)")
    differences = {}
    for relation, where in relations.items():
        schema, table = relation.split(".")
        columns = con.execute(
            """select column_name, data_type from duckdb_columns()
               where database_name = 'demo' and schema_name = ? and table_name = ?
               order by column_index""",
            [schema, table],
        ).fetchall()
        selected = ", ".join(
            f'round("{name}", 6)' if kind in ("DOUBLE", "FLOAT") else f'"{name}"'
            for name, kind in columns
            if name not in VOLATILE | skip
        )
        demo_rows, copy_rows = (
            f"select {selected} from {db}.{relation} where {where.format(db=db)}"
            for db in ("demo", "copy")
        )
        differences[relation] = con.execute(
            f"select (select count(*) from ({demo_rows} except all {copy_rows})) "
            f"+ (select count(*) from ({copy_rows} except all {demo_rows}))"
        ).fetchone()[0]
    con.close()
    return differences


def _marts(home: Path) -> list[str]:
    with duckdb.connect(str(home / "warehouse" / "linkokr.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    return [f"marts.{name}" for (name,) in rows]


@pytest.mark.e2e
def test_a_run_through_faults_loads_what_a_clean_run_loaded(demo_home, tmp_path, monkeypatch):
    home = copy_demo_home(demo_home, tmp_path / "home")
    yesterday = date.today() - timedelta(days=1)
    first, last = yesterday - timedelta(days=12), yesterday - timedelta(days=10)
    lost_day = last  # every GA4 request for it fails: a partition that fails for good
    saved = dict(os.environ)
    try:
        with (
            EmulatorServer(home / "data" / "emulator") as server,
            FaultProxy(server.url, rates=E2E_RATES, seed=11, stall_seconds=20) as proxy,
        ):
            use_home(monkeypatch, home)
            for name in ("GA4", "GSC", "AHREFS", "SEMRUSH"):
                monkeypatch.setenv(f"LINKOKR_{name}_ENDPOINT", proxy.url)
            monkeypatch.setenv("AHREFS_API_KEY", "demo-key")
            monkeypatch.setenv("SEMRUSH_API_KEY", "demo-key")
            # Short timeouts and waits keep the test fast; 8 attempts so that a change in the
            # number of requests elsewhere cannot turn this seed's draws into a failed day.
            monkeypatch.setenv("LINKOKR_HTTP_TIMEOUT", "1")
            monkeypatch.setenv("LINKOKR_HTTP_MAX_ATTEMPTS", str(E2E_ATTEMPTS))
            monkeypatch.setenv("LINKOKR_HTTP_BACKOFF_SECONDS", "0.01")
            monkeypatch.setenv("LINKOKR_HTTP_MAX_WAIT_SECONDS", "0.05")
            # Whatever the draws, every API meets the faults that used to stop GA4.
            for service in SERVICES:
                proxy.script(*SCRIPTED, service=service)
            proxy.fail_when(
                lambda r: r.service == "ga4" and lost_day.isoformat().encode() in r.body
            )

            code = main(["run", "--from", first.isoformat(), "--to", last.isoformat()])

            faults = {service: proxy.faults(service) for service in SERVICES}
    finally:
        os.environ.clear()
        os.environ.update(saved)

    # The lost day fails the run, through its check alone: dbt and publishing still ran.
    assert code == 1
    with dg.DagsterInstance.from_config(str(home / ".dagster")) as instance:
        run = instance.get_runs(limit=1)[0]
        failed_steps = {
            record.event_log_entry.step_key
            for record in instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE
            ).records
        }
        built_by_the_run = {
            key.to_user_string()
            for key in (
                dg.AssetKey(["raw", "ga4_traffic"]),
                dg.AssetKey(["marts", "fct_page_traffic_daily"]),
                dg.AssetKey(["serving", "linkokr_serving"]),
            )
            if instance.get_latest_materialization_event(key).run_id == run.run_id
        }
    assert failed_steps == {"ga4_failed_pulls"}
    assert built_by_the_run == {
        "raw/ga4_traffic",
        "marts/fct_page_traffic_daily",
        "serving/linkokr_serving",
    }
    for service, kinds in faults.items():
        assert set(SCRIPTED) <= set(kinds), (service, kinds)
    drawn = sum(sum(k.values()) for k in faults.values()) - len(SCRIPTED) * 4 - E2E_ATTEMPTS
    assert drawn > 0  # and the seeded draws on top

    # Every other pull survived its faults; the lost day kept the copy the demo loaded.
    failed = _loaded(
        home, "select source, subject, partition_date from ops.api_pulls where status = 'failed'"
    )
    assert failed == {("ga4", PROPERTY, lost_day)}
    days = f"between '{first}' and '{last}'"
    pulled_days = {
        "raw.ga4_traffic": f"date {days}",
        "ops.ga4_report_metadata": f"date {days}",
        "raw.gsc_search_analytics": f"date {days}",
    }
    snapshots = {
        f"raw.{table}": f"_snapshot_date = (select max(_snapshot_date) from {{db}}.raw.{table})"
        for table in ("backlinks_ahrefs_api", "backlinks_semrush_api")
    }
    # The Domain Rating pull's label and row numbers name its range, which differs.
    ratings = {"raw.domain_metrics_ahrefs_api": f"metric_date {days}"}
    marts = dict.fromkeys(_marts(demo_home), "true")
    assert len(marts) > 10
    differences = {
        **_differences(demo_home, home, pulled_days),
        **_differences(demo_home, home, snapshots, frozenset({"_snapshot_date"})),
        **_differences(demo_home, home, ratings, frozenset({"_file", "_row_number"})),
        **_differences(demo_home, home, marts),
    }
    assert differences == dict.fromkeys(differences, 0)
