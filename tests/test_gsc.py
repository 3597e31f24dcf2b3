"""Search Console ingest against the Search Console emulator: real httpx over loopback."""

from __future__ import annotations

import csv
import json
import math
import socket
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from demo.emulators import EmulatorServer
from demo.emulators.gsc import GscEmulator, site_file_name
from demo.emulators.server import Request, Response
from demo.gsc import GSC_SITE_URL, write_gsc_emulator_data
from demo.links import build_world
from demo.story import SITE_HOST
from ingest.sources.gsc.api import GscClient, GscError, query_path, write_day

pytestmark = pytest.mark.unit

SITE = "acme.test"
SITE_URL = "sc-domain:acme.test"
PREFIX_SITE_URL = "https://www.acme.test/"  # a URL-prefix property: slashes in the path segment
EMPTY_SITE_URL = "sc-domain:new-site.test"  # verified, no data yet
FIRST_DAY = date(2026, 3, 1)
DAYS = [FIRST_DAY + timedelta(days=i) for i in range(6)]
DAY = DAYS[1]
PAGES = ("https://www.acme.test/", "https://www.acme.test/tents", "https://www.acme.test/a,b")
QUERIES = ("tents", 'tent, "2 person"', "camping gear", "acme", "hiking boots", "stoves", "ü tent")


def _fixture_rows() -> list[dict]:
    rows = []
    for d, day in enumerate(DAYS):
        for q, query in enumerate(QUERIES):
            for p, page in enumerate(PAGES):
                if (q + p + d) % 4 == 0:
                    continue
                impressions = 10 + 7 * q + 3 * p + d
                # Equal clicks across rows, so ordering by keys is what breaks the ties.
                clicks = (q * p + d) % 5
                rows.append(
                    {
                        "date": day.isoformat(),
                        "query": query,
                        "page": page,
                        "clicks": clicks,
                        "impressions": impressions,
                        "ctr": round(clicks / impressions, 6),
                        "position": round(1.5 + q + 0.25 * p + 0.1 * d, 2),
                    }
                )
    return rows


ROWS = _fixture_rows()
DAY_ROWS = [row for row in ROWS if row["date"] == DAY.isoformat()]


def _write_csv(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def gsc_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("emulator") / "gsc"
    _write_csv(data_dir / site_file_name(SITE_URL), ROWS)
    _write_csv(data_dir / site_file_name(PREFIX_SITE_URL), DAY_ROWS[:3])
    (data_dir / site_file_name(EMPTY_SITE_URL)).write_text(
        "date,query,page,clicks,impressions,ctr,position\n"
    )
    return data_dir


@pytest.fixture(scope="module")
def server(gsc_dir: Path):
    with EmulatorServer(gsc_dir.parent, emulators=[GscEmulator(gsc_dir)]) as running:
        yield running


@pytest.fixture
def client(emulator: EmulatorServer, waits: list[float]):
    with GscClient(emulator.url, None, sleep=waits.append) as api:
        yield api


def _query(server: EmulatorServer, site_url: str, body: dict) -> httpx.Response:
    return httpx.post(server.url + query_path(site_url), json=body, timeout=10)


def _day_body(**extra) -> dict:
    return {"startDate": DAY.isoformat(), "endDate": DAY.isoformat(), "dataState": "all", **extra}


# client: paging, empty days, retries, errors ---------------------------------------------
def test_paging_at_a_small_row_limit_returns_every_row_once(client):
    rows = client.fetch_day(SITE_URL, DAY, row_limit=5)

    assert Counter((r["query"], r["page"]) for r in rows) == Counter(
        (r["query"], r["page"]) for r in DAY_ROWS
    )
    assert client.requests == math.ceil(len(DAY_ROWS) / 5)
    by_key = {(r["query"], r["page"]): r for r in rows}
    for expected in DAY_ROWS:
        got = by_key[(expected["query"], expected["page"])]
        assert got["date"] == DAY
        assert got["clicks"] == expected["clicks"]
        assert got["impressions"] == expected["impressions"]
        assert got["ctr"] == pytest.approx(expected["clicks"] / expected["impressions"])
        assert got["position"] == pytest.approx(expected["position"])


def test_a_row_limit_dividing_the_day_ends_on_an_empty_page(client):
    assert len(DAY_ROWS) % 2 == 0
    rows = client.fetch_day(SITE_URL, DAY, row_limit=len(DAY_ROWS) // 2)

    assert len(rows) == len(DAY_ROWS)
    assert client.requests == 3


def test_a_day_without_data_is_an_empty_day(client, emulator):
    empty_day = DAYS[-1] + timedelta(days=30)
    raw = _query(
        emulator,
        SITE_URL,
        {"startDate": empty_day.isoformat(), "endDate": empty_day.isoformat()},
    )

    assert raw.status_code == 200
    assert "rows" not in raw.json()
    assert client.fetch_day(SITE_URL, empty_day) == []
    assert client.requests == 1


def test_url_prefix_and_empty_properties(client):
    rows = client.fetch_day(PREFIX_SITE_URL, DAY)

    assert sorted(r["query"] for r in rows) == sorted(r["query"] for r in DAY_ROWS[:3])
    assert client.fetch_day(EMPTY_SITE_URL, DAY) == []
    assert site_file_name(PREFIX_SITE_URL) == "https___www.acme.test_.csv"


def test_rate_limit_is_waited_out_as_retry_after_asks(client, emulator, waits):
    emulator.inject_fault("gsc", 429, count=2, retry_after=7)

    rows = client.fetch_day(SITE_URL, DAY)

    assert waits == [7.0, 7.0]
    assert len(rows) == len(DAY_ROWS)
    assert client.requests == 3


def test_unavailable_is_retried_with_backoff(client, emulator, waits):
    emulator.inject_fault("gsc", 503, count=2)

    rows = client.fetch_day(SITE_URL, DAY)

    assert waits == [1.0, 2.0]
    assert len(rows) == len(DAY_ROWS)


def test_no_permission_fails_at_once_with_googles_message(client):
    with pytest.raises(GscError) as raised:
        client.fetch_day("sc-domain:not-ours.test", DAY)

    assert raised.value.status == 403
    assert "PERMISSION_DENIED" in str(raised.value)
    assert "User does not have sufficient permission for site 'sc-domain:not-ours.test'" in str(
        raised.value
    )
    assert client.requests == 1


def test_an_unreachable_api_fails_the_day_after_retries():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits: list[float] = []

    with (
        GscClient(f"http://127.0.0.1:{port}", None, max_attempts=2, sleep=waits.append) as api,
        pytest.raises(GscError, match="no answer after 2 attempts"),
    ):
        api.fetch_day(SITE_URL, DAY)

    assert waits == [1.0]


class _FailsAfterFirstPage(GscEmulator):
    """Search Console that serves a day's first page, then is unavailable for good."""

    def handle(self, request: Request) -> Response:
        if request.path != "/token" and request.json().get("startRow", 0) > 0:
            return self.error(503, "The service is currently unavailable.")
        return super().handle(request)


def test_a_day_that_keeps_failing_raises_and_the_earlier_pull_stays(client, gsc_dir, warehouse):
    good = client.fetch_day(SITE_URL, DAY)
    write_day(warehouse, site=SITE, site_url=SITE_URL, day=DAY, rows=good, pull_id="api-1")

    waits: list[float] = []
    with (
        EmulatorServer(gsc_dir.parent, emulators=[_FailsAfterFirstPage(gsc_dir)]) as flaky,
        GscClient(flaky.url, None, max_attempts=3, sleep=waits.append) as api,
        pytest.raises(GscError, match="HTTP 503"),
    ):
        rows = api.fetch_day(SITE_URL, DAY, row_limit=5)
        write_day(warehouse, site=SITE, site_url=SITE_URL, day=DAY, rows=rows, pull_id="api-2")

    assert api.requests == 1 + 3
    assert len(waits) == 2
    stored = warehouse.execute(
        "select count(*), min(_file_sha256), max(_file_sha256) from raw.gsc_search_analytics"
    ).fetchone()
    assert stored == (len(DAY_ROWS), "api-1", "api-1")


# service-account auth --------------------------------------------------------------------
def _service_account_file(tmp_path: Path, token_uri: str) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "linkokr-test",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": "linkokr@linkokr-test.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": token_uri,
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info))
    return path


def test_service_account_token_is_sent_as_bearer_and_renewed_after_401(tmp_path, gsc_dir):
    gsc = GscEmulator(gsc_dir)
    with EmulatorServer(gsc_dir.parent, emulators=[gsc]) as running:
        key_file = _service_account_file(tmp_path, f"{running.url}/token")
        with GscClient(running.url, str(key_file)) as api:
            rows = api.fetch_day(SITE_URL, DAY, row_limit=10)

            assert len(rows) == len(DAY_ROWS)
            [(token, scopes)] = gsc.issued_tokens.items()
            assert scopes == ("https://www.googleapis.com/auth/webmasters.readonly",)
            assert gsc.bearer_requests[token] == api.requests == math.ceil(len(DAY_ROWS) / 10)

            # A token revoked before its expiry: the API answers 401 and the client asks for
            # a fresh token once, instead of failing the day.
            gsc.revoke_tokens()
            again = api.fetch_day(SITE_URL, DAY)

            assert len(again) == len(DAY_ROWS)
            [(fresh, _)] = gsc.issued_tokens.items()
            assert fresh != token
            assert gsc.bearer_requests[fresh] == 1


def test_an_unknown_bearer_token_is_refused(emulator):
    response = httpx.post(
        emulator.url + query_path(SITE_URL),
        json=_day_body(),
        headers={"Authorization": "Bearer ya29.not-issued"},
    )

    assert response.status_code == 401
    assert response.json()["error"]["status"] == "UNAUTHENTICATED"


# writer ----------------------------------------------------------------------------------
def test_write_day_replaces_the_site_day_and_keeps_other_days(client, warehouse):
    other_day = DAYS[2]
    other = client.fetch_day(SITE_URL, other_day)
    write_day(warehouse, site=SITE, site_url=SITE_URL, day=other_day, rows=other, pull_id="a")
    rows = client.fetch_day(SITE_URL, DAY)

    for pull_id in ("first", "second"):
        written = write_day(
            warehouse, site=SITE, site_url=SITE_URL, day=DAY, rows=rows, pull_id=pull_id
        )
        assert written == len(DAY_ROWS)

    by_day = dict(
        warehouse.execute(
            "select date, count(*) from raw.gsc_search_analytics group by date"
        ).fetchall()
    )
    assert by_day == {DAY: len(DAY_ROWS), other_day: len(other)}
    lineage = warehouse.execute(
        """
        select distinct site, site_url, _source, _file_sha256, _snapshot_date, _site, _file
        from raw.gsc_search_analytics where date = ?
        """,
        [DAY],
    ).fetchall()
    [(site, site_url, source, pull_id, snapshot, site_lineage, label)] = lineage
    assert (site, site_url, source, pull_id, snapshot, site_lineage) == (
        SITE,
        SITE_URL,
        "gsc_api",
        "second",
        DAY,
        SITE,
    )
    assert "sc-domain%3Aacme.test" in label and DAY.isoformat() in label
    numbers = warehouse.execute(
        "select list(_row_number order by _row_number), sum(clicks), sum(impressions) "
        "from raw.gsc_search_analytics where date = ?",
        [DAY],
    ).fetchone()
    assert numbers == (
        list(range(1, len(DAY_ROWS) + 1)),
        sum(r["clicks"] for r in DAY_ROWS),
        sum(r["impressions"] for r in DAY_ROWS),
    )
    for query, page in (('tent, "2 person"', PAGES[1]), ("tents", PAGES[2])):
        assert any(r["query"] == query and r["page"] == page for r in DAY_ROWS)
        stored = warehouse.execute(
            "select count(*) from raw.gsc_search_analytics where date = ? and query = ? "
            "and page = ?",
            [DAY, query, page],
        ).fetchone()
        assert stored == (1,)

    # An empty re-read of the day clears it.
    assert write_day(warehouse, site=SITE, site_url=SITE_URL, day=DAY, rows=[], pull_id="x") == 0
    left = warehouse.execute("select distinct date from raw.gsc_search_analytics").fetchall()
    assert left == [(other_day,)]


# emulator --------------------------------------------------------------------------------
def test_fewer_dimensions_aggregate_the_others(emulator):
    start, end = DAYS[0], DAYS[3]
    in_range = [r for r in ROWS if start.isoformat() <= r["date"] <= end.isoformat()]
    response = _query(
        emulator,
        SITE_URL,
        {
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "dimensions": ["page", "date"],
            "dataState": "all",
        },
    )
    rows = response.json()["rows"]

    expected: dict[tuple[str, str], list[dict]] = {}
    for r in in_range:
        expected.setdefault((r["page"], r["date"]), []).append(r)
    assert {tuple(row["keys"]) for row in rows} == set(expected)
    for row in rows:
        group = expected[tuple(row["keys"])]
        clicks = sum(r["clicks"] for r in group)
        impressions = sum(r["impressions"] for r in group)
        assert row["clicks"] == clicks
        assert row["impressions"] == impressions
        assert row["ctr"] == pytest.approx(clicks / impressions)
        weighted = sum(r["position"] * r["impressions"] for r in group) / impressions
        assert row["position"] == pytest.approx(weighted)
    order = [(-row["clicks"], *row["keys"]) for row in rows]
    assert order == sorted(order)
    assert response.json()["responseAggregationType"] == "byPage"

    total = _query(emulator, SITE_URL, _day_body()).json()
    [only] = total["rows"]
    assert "keys" not in only
    assert only["clicks"] == sum(r["clicks"] for r in DAY_ROWS)
    assert total["responseAggregationType"] == "byProperty"


def test_final_data_leaves_out_the_freshest_days(emulator):
    body = {"startDate": DAYS[0].isoformat(), "endDate": DAYS[-1].isoformat()}
    dims = {"dimensions": ["date"]}

    final = _query(emulator, SITE_URL, {**body, **dims, "dataState": "final"}).json()["rows"]
    fresh = _query(emulator, SITE_URL, {**body, **dims, "dataState": "all"}).json()["rows"]

    assert sorted(row["keys"][0] for row in final) == [d.isoformat() for d in DAYS[:-3]]
    assert sorted(row["keys"][0] for row in fresh) == [d.isoformat() for d in DAYS]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_day_body(rowLimit=25_001), "rowLimit"),
        (_day_body(dimensions=["query", "query"]), "more than once"),
        (_day_body(dimensions=["device"]), "device"),
        ({"endDate": DAY.isoformat()}, "startDate"),
        (_day_body(dataState="fresh"), "dataState"),
    ],
)
def test_invalid_requests_get_a_google_400(emulator, body, message):
    response = _query(emulator, SITE_URL, body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT" and message in error["message"]


# demo data -------------------------------------------------------------------------------
def test_demo_rows_follow_the_worlds_positions_and_volumes(tmp_path):
    world = build_world(date(2026, 4, 1), 40, 7)
    dropped = world.keywords[5]
    gone_days = {3, 4, 5}
    world.positions[dropped.keyword] = [
        None if i in gone_days else p for i, p in enumerate(world.positions[dropped.keyword])
    ]

    [path] = write_gsc_emulator_data(world, tmp_path / "emulator", seed=3)

    assert path == tmp_path / "emulator" / "gsc" / "sc-domain_acme-outdoor.com.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["date", "query", "page", "clicks", "impressions", "ctr", "position"]
    for row in rows:
        clicks, impressions = int(row["clicks"]), int(row["impressions"])
        assert 0 <= clicks <= impressions and impressions > 0
        assert float(row["ctr"]) == pytest.approx(clicks / impressions, abs=1e-6)
    tracked = {kw.keyword: kw for kw in world.keywords}
    seen = {(row["query"], date.fromisoformat(row["date"])): row for row in rows}
    for kw in world.keywords:
        for i, day in enumerate(world.days):
            position = world.positions[kw.keyword][i]
            row = seen.get((kw.keyword, day))
            if position is None:
                assert row is None
            elif row is not None:
                assert float(row["position"]) == pytest.approx(position, abs=0.005)
                assert row["page"] == f"https://{SITE_HOST}{kw.path}"
    assert not any((dropped.keyword, world.days[i]) in seen for i in gone_days)
    # A big keyword on page one: impressions are about its daily searches, clicks about
    # impressions times the click-through curve; the site also gets untracked queries.
    head = max(
        (kw for kw in world.keywords if world.positions[kw.keyword][0] < 8),
        key=lambda kw: kw.volume,
    )
    head_rows = [row for (query, _), row in seen.items() if query == head.keyword]
    mean_impressions = sum(int(r["impressions"]) for r in head_rows) / len(head_rows)
    assert mean_impressions == pytest.approx(head.volume / 30.4, rel=0.1)
    assert any(query not in tracked for query, _ in seen)

    again = write_gsc_emulator_data(world, tmp_path / "again", seed=3)[0]
    assert again.read_bytes() == path.read_bytes()


def test_the_demo_site_is_served_through_the_client(tmp_path):
    world = build_world(date(2026, 4, 1), 10, 11)
    [path] = write_gsc_emulator_data(world, tmp_path / "emulator")
    day = world.days[4]
    with path.open(encoding="utf-8", newline="") as handle:
        expected = sum(row["date"] == day.isoformat() for row in csv.DictReader(handle))

    with EmulatorServer(tmp_path / "emulator") as running, GscClient(running.url, None) as api:
        rows = api.fetch_day(GSC_SITE_URL, day, row_limit=100)

    assert len(rows) == expected > 100
    assert {row["page"].split("/")[2] for row in rows} == {SITE_HOST}
