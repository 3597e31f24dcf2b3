"""GA4 ingest against the GA4 emulator: the real google-analytics-data client over loopback HTTP."""

from __future__ import annotations

import csv
import json
import math
import random
import urllib.request
from collections import Counter, defaultdict
from datetime import date

import pytest
from google.analytics.data_v1beta.types import MetricType, RunReportRequest
from google.api_core import exceptions as google_exceptions

from demo.emulators import EmulatorServer
from ingest.sources.ga4.api import fetch_day, make_client, write_day

pytestmark = pytest.mark.unit

PLAIN = "1001"
FLAGGED = "1002"
DAY = date(2026, 11, 1)
NEXT_DAY = date(2026, 11, 2)
HEADER = [
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
CHANNELS = ["Organic Search", "Direct", "Referral", "Organic Social"]


def _fixture_rows(seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows = []
    for day in (DAY, NEXT_DAY):
        for host in ("www.acme.com", "shop.acme.com"):
            for page in range(6):
                for channel in CHANNELS[: 2 + page % 3]:
                    sessions = rng.randint(1, 400)
                    rows.append(
                        {
                            "date": day.strftime("%Y%m%d"),
                            "hostName": host,
                            "landingPagePlusQueryString": f"/guides/p{page}?utm_source=x{page % 2}",
                            "sessionDefaultChannelGroup": channel,
                            "sessions": sessions,
                            "engagedSessions": rng.randint(0, sessions),
                            "keyEvents": rng.randint(0, 10) / 2,
                            "transactions": rng.randint(0, 3),
                            "purchaseRevenue": round(rng.uniform(0, 500), 2),
                        }
                    )
    return rows


FIXTURES = {PLAIN: _fixture_rows(1), FLAGGED: _fixture_rows(2)}


def _day_rows(property_id: str, day: date) -> list[dict[str, object]]:
    return [r for r in FIXTURES[property_id] if r["date"] == day.strftime("%Y%m%d")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("emulator")
    ga4_dir = data_dir / "ga4"
    ga4_dir.mkdir()
    properties = {
        PLAIN: {"time_zone": "America/New_York", "currency_code": "USD"},
        FLAGGED: {
            "time_zone": "Europe/Berlin",
            "currency_code": "EUR",
            "thresholded": True,
            "other_row": True,
            "other_row_keep": 5,
            "sampled": True,
            "sample_rate": 0.25,
        },
    }
    (ga4_dir / "properties.json").write_text(json.dumps(properties))
    for property_id, rows in FIXTURES.items():
        with (ga4_dir / f"{property_id}.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=HEADER)
            writer.writeheader()
            writer.writerows(rows)
    with EmulatorServer(data_dir) as running:
        yield running


@pytest.fixture
def client(emulator: EmulatorServer):
    return make_client(emulator.url)


def _sums(columns: dict[str, list]) -> dict[str, float]:
    return {
        name: sum(columns[name])
        for name in ("sessions", "engaged_sessions", "key_events", "transactions")
    } | {"purchase_revenue": pytest.approx(sum(columns["purchase_revenue"]))}


def _fixture_sums(rows: list[dict[str, object]]) -> dict[str, float]:
    return _sums(
        {
            "sessions": [r["sessions"] for r in rows],
            "engaged_sessions": [r["engagedSessions"] for r in rows],
            "key_events": [r["keyEvents"] for r in rows],
            "transactions": [r["transactions"] for r in rows],
            "purchase_revenue": [r["purchaseRevenue"] for r in rows],
        }
    )


def _no_sleep(_: float) -> None:
    return None


def test_paging_returns_every_row_once_with_typed_values(client, emulator):
    expected = _day_rows(PLAIN, DAY)
    before = emulator.request_counts["ga4"]

    day = fetch_day(client, PLAIN, DAY, page_size=7)

    keys = list(
        zip(
            day.columns["host_name"],
            day.columns["landing_page_plus_query_string"],
            day.columns["session_default_channel_group"],
            strict=True,
        )
    )
    expected_keys = [
        (r["hostName"], r["landingPagePlusQueryString"], r["sessionDefaultChannelGroup"])
        for r in expected
    ]
    assert Counter(keys) == Counter(expected_keys)
    assert _sums(day.columns) == _fixture_sums(expected)
    assert day.requests == math.ceil(len(expected) / 7)
    assert emulator.request_counts["ga4"] - before == day.requests
    assert set(day.columns["date"]) == {DAY}
    assert all(type(v) is int for v in day.columns["sessions"] + day.columns["transactions"])
    assert all(type(v) is float for v in day.columns["key_events"])
    assert all(type(v) is float for v in day.columns["purchase_revenue"])
    assert day.metadata.time_zone == "America/New_York"
    assert day.metadata.currency_code == "USD"
    assert not day.metadata.subject_to_thresholding
    assert not day.metadata.data_loss_from_other_row
    assert not day.metadata.is_sampled
    assert day.metadata.tokens_per_day_remaining is not None
    assert 0 < day.metadata.tokens_per_day_remaining < 200_000


def test_write_day_twice_leaves_one_copy(client, warehouse):
    day = fetch_day(client, PLAIN, DAY, page_size=10)

    assert write_day(warehouse, PLAIN, DAY, day, source_label="ga4_api") == day.row_count
    assert write_day(warehouse, PLAIN, DAY, day, source_label="ga4_api") == day.row_count

    rows, sessions, revenue, row_numbers, files, sources = warehouse.execute(
        """
        select count(*), sum(sessions), sum(purchase_revenue),
            list(distinct _row_number order by _row_number),
            list(distinct _file), list(distinct _source)
        from raw.ga4_traffic where property_id = ? and date = ?
        """,
        [PLAIN, DAY],
    ).fetchone()
    expected = _day_rows(PLAIN, DAY)
    assert rows == len(expected)
    assert sessions == sum(r["sessions"] for r in expected)
    assert revenue == pytest.approx(sum(r["purchaseRevenue"] for r in expected))
    assert row_numbers == list(range(1, rows + 1))
    assert files == [f"runReport properties/{PLAIN} 2026-11-01"]
    assert sources == ["ga4_api"]
    assert warehouse.execute("select count(*) from ops.ga4_report_metadata").fetchone() == (1,)


def test_another_day_does_not_replace_the_first(client, warehouse):
    for day in (DAY, NEXT_DAY):
        write_day(warehouse, PLAIN, day, fetch_day(client, PLAIN, day), source_label="ga4_api")

    per_day = dict(
        warehouse.execute("select date, count(*) from raw.ga4_traffic group by date").fetchall()
    )
    assert per_day == {DAY: len(_day_rows(PLAIN, DAY)), NEXT_DAY: len(_day_rows(PLAIN, NEXT_DAY))}


def test_quota_errors_with_retry_after_are_waited_out(client, emulator):
    emulator.inject_fault("ga4", 429, count=2, retry_after=7)
    waits: list[float] = []

    day = fetch_day(client, PLAIN, DAY, page_size=1000, sleep=waits.append)

    assert waits == [7, 7]
    assert day.requests == 3
    assert day.row_count == len(_day_rows(PLAIN, DAY))


def test_unavailable_is_retried_with_backoff(client, emulator):
    emulator.inject_fault("ga4", 503, count=2)
    waits: list[float] = []

    day = fetch_day(client, PLAIN, DAY, sleep=waits.append)

    assert waits == [1.0, 2.0]
    assert _sums(day.columns) == _fixture_sums(_day_rows(PLAIN, DAY))


def test_retry_after_is_capped(client, emulator):
    emulator.inject_fault("ga4", 429, count=1, retry_after=3600)
    waits: list[float] = []

    fetch_day(client, PLAIN, DAY, sleep=waits.append)

    assert waits == [60.0]


def test_persistent_quota_error_fails_the_day_and_keeps_the_loaded_copy(
    client, emulator, warehouse
):
    write_day(warehouse, PLAIN, DAY, fetch_day(client, PLAIN, DAY), source_label="ga4_api")
    before_rows = warehouse.execute(
        "select count(*), sum(sessions) from raw.ga4_traffic"
    ).fetchone()
    emulator.inject_fault("ga4", 429, count=100, retry_after=1)
    before = emulator.request_counts["ga4"]

    with pytest.raises(google_exceptions.TooManyRequests):
        fetch_day(client, PLAIN, DAY, max_attempts=3, sleep=_no_sleep)

    assert emulator.request_counts["ga4"] - before == 3
    after_rows = warehouse.execute("select count(*), sum(sessions) from raw.ga4_traffic").fetchone()
    assert after_rows == before_rows


def test_thresholding_sampling_and_other_row_reach_the_warehouse(client, warehouse):
    expected = _day_rows(FLAGGED, DAY)

    day = fetch_day(client, FLAGGED, DAY, page_size=4)
    write_day(warehouse, FLAGGED, DAY, day, source_label="ga4_api")

    assert day.metadata.subject_to_thresholding
    assert day.metadata.data_loss_from_other_row
    assert day.metadata.is_sampled
    space = sum(r["sessions"] for r in expected)
    assert day.metadata.sampling_space_size == space
    assert day.metadata.samples_read_count == math.ceil(space * 0.25)
    # Five named combinations are kept; the long tail is one (other) row, not dropped.
    assert day.row_count == 6
    assert day.columns["landing_page_plus_query_string"].count("(other)") == 1
    assert _sums(day.columns) == _fixture_sums(expected)

    stored = warehouse.execute(
        """
        select subject_to_thresholding, data_loss_from_other_row, is_sampled,
            sampling_space_size, time_zone, currency_code
        from ops.ga4_report_metadata where property_id = ? and date = ?
        """,
        [FLAGGED, DAY],
    ).fetchall()
    assert stored == [(True, True, True, space, "Europe/Berlin", "EUR")]
    other = warehouse.execute(
        "select count(*) from raw.ga4_traffic where landing_page_plus_query_string = '(other)'"
    ).fetchone()
    assert other == (1,)


def test_a_day_without_traffic_loads_zero_rows_and_its_metadata(client, warehouse):
    empty_day = date(2026, 10, 1)

    day = fetch_day(client, PLAIN, empty_day)

    assert day.row_count == 0
    assert day.requests == 1
    assert write_day(warehouse, PLAIN, empty_day, day, source_label="ga4_api") == 0
    assert warehouse.execute(
        "select count(*) from ops.ga4_report_metadata where date = ?", [empty_day]
    ).fetchone() == (1,)


def test_emulator_aggregates_when_asked_for_fewer_dimensions(client):
    response = client.run_report(
        RunReportRequest(
            property=f"properties/{PLAIN}",
            date_ranges=[{"start_date": "2026-11-01", "end_date": "2026-11-02"}],
            dimensions=[{"name": "sessionDefaultChannelGroup"}],
            metrics=[{"name": "sessions"}, {"name": "purchaseRevenue"}],
        )
    )

    expected_sessions: dict[str, int] = defaultdict(int)
    expected_revenue: dict[str, float] = defaultdict(float)
    for r in FIXTURES[PLAIN]:
        expected_sessions[r["sessionDefaultChannelGroup"]] += r["sessions"]
        expected_revenue[r["sessionDefaultChannelGroup"]] += r["purchaseRevenue"]
    got = {
        row.dimension_values[0].value: (row.metric_values[0].value, row.metric_values[1].value)
        for row in response.rows
    }
    assert response.row_count == len(expected_sessions)
    assert {channel: int(s) for channel, (s, _) in got.items()} == expected_sessions
    for channel, (_, revenue) in got.items():
        assert float(revenue) == pytest.approx(expected_revenue[channel])
    sessions = [int(row.metric_values[0].value) for row in response.rows]
    assert sessions == sorted(sessions, reverse=True)
    assert [h.type_ for h in response.metric_headers] == [
        MetricType.TYPE_INTEGER,
        MetricType.TYPE_CURRENCY,
    ]


def test_unknown_property_and_unknown_dimension_are_google_errors(client):
    with pytest.raises(google_exceptions.Forbidden, match="sufficient permissions"):
        fetch_day(client, "999", DAY, sleep=_no_sleep)
    with pytest.raises(google_exceptions.BadRequest, match="not a valid dimension"):
        client.run_report(
            RunReportRequest(
                property=f"properties/{PLAIN}",
                date_ranges=[{"start_date": "2026-11-01", "end_date": "2026-11-01"}],
                dimensions=[{"name": "pagePath"}],
                metrics=[{"name": "sessions"}],
            )
        )


def test_metadata_lists_the_metric_types(client):
    metadata = client.get_metadata(name=f"properties/{PLAIN}/metadata")

    types = {metric.api_name: metric.type_ for metric in metadata.metrics}
    assert types["sessions"] == MetricType.TYPE_INTEGER
    assert types["purchaseRevenue"] == MetricType.TYPE_CURRENCY
    assert "landingPagePlusQueryString" in {d.api_name for d in metadata.dimensions}


def test_faults_can_be_injected_over_http(client, emulator):
    def call(method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            emulator.url + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())

    assert call("GET", "/_emulator/health")["status"] == "ok"
    call("POST", "/_emulator/faults", {"service": "ga4", "status": 503, "count": 1})
    with pytest.raises(google_exceptions.ServiceUnavailable):
        fetch_day(client, PLAIN, DAY, max_attempts=1)
    assert fetch_day(client, PLAIN, DAY).row_count == len(_day_rows(PLAIN, DAY))

    call("POST", "/_emulator/faults", {"service": "ga4", "status": 429, "count": 5})
    call("DELETE", "/_emulator/faults")
    assert fetch_day(client, PLAIN, DAY, max_attempts=1).requests == 1
