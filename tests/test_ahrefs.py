"""Ahrefs v3 ingest against the Ahrefs emulator: real httpx over loopback, no mocks."""

from __future__ import annotations

import csv
import email.utils
import logging
import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from demo.emulators import EmulatorServer
from demo.emulators.ahrefs import AhrefsEmulator
from ingest.http import retry_after_seconds
from ingest.sources.ahrefs.api import (
    AhrefsAuthError,
    AhrefsClient,
    write_backlinks,
    write_domain_ratings,
)

pytestmark = pytest.mark.unit

TARGET = "acme.com"
KEY = "ahrefs-test-key-5c1d9e"
HEADER = [
    "url_from",
    "url_to",
    "title",
    "anchor",
    "domain_rating_source",
    "url_rating_source",
    "is_dofollow",
    "is_nofollow",
    "is_ugc",
    "is_sponsored",
    "is_content",
    "is_spam",
    "first_seen_link",
    "last_visited",
    "last_seen",
]
SITEWIDE_SEEN = "2025-03-01T10:00:00Z"


def _fixture_rows() -> list[dict[str, str]]:
    rows = []
    # A site-wide link: 23 pages of one forum first seen in the same second, each linking to
    # two of our pages, so page boundaries fall inside runs of equal (first_seen_link) and of
    # equal (first_seen_link, url_from).
    for page in range(23):
        for target_page in ("/", "/tents"):
            rows.append(
                {
                    "url_from": f"https://forum.example.org/t/{page:03d}",
                    "url_to": f"https://www.acme.com{target_page}",
                    "title": f'Gear talk, part {page} — "best tents"',
                    "anchor": "acme",
                    "domain_rating_source": "61",
                    "url_rating_source": "12.5",
                    "is_dofollow": "false",
                    "is_nofollow": "true",
                    "is_ugc": "true",
                    "is_sponsored": "false",
                    "is_content": "false",
                    "is_spam": "false",
                    "first_seen_link": SITEWIDE_SEEN,
                    "last_visited": "2026-04-01T08:00:00Z",
                    "last_seen": "",
                }
            )
    for i in range(15):
        rows.append(
            {
                "url_from": f"https://blog{i % 4}.example.net/post-{i}",
                "url_to": "https://www.acme.com/guides/packing",
                "title": f"Packing list {i}",
                "anchor": "" if i == 3 else f"packing guide {i}",
                "domain_rating_source": str(20 + i),
                "url_rating_source": "3",
                "is_dofollow": "true",
                "is_nofollow": "false",
                "is_ugc": "false",
                "is_sponsored": "true" if i == 5 else "false",
                "is_content": "true",
                "is_spam": "true" if i == 5 else "false",
                "first_seen_link": f"2025-0{1 + i % 6}-1{i % 10}T0{i % 10}:30:00Z",
                "last_visited": "2026-04-02T09:00:00Z",
                "last_seen": "2026-02-01T00:00:00Z" if i % 5 == 0 else "",
            }
        )
    return rows


ROWS = _fixture_rows()
DR_HISTORY = [(date(2026, 3, 1) + timedelta(days=i), f"{40 + i * 0.5:.1f}") for i in range(10)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("emulator") / "ahrefs"
    (data_dir / "backlinks").mkdir(parents=True)
    (data_dir / "domain_rating").mkdir()
    with (data_dir / "backlinks" / f"{TARGET}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(ROWS)
    with (data_dir / "domain_rating" / f"{TARGET}.csv").open("w", newline="") as handle:
        handle.write("date,domain_rating\n")
        handle.writelines(f"{d.isoformat()},{dr}\n" for d, dr in DR_HISTORY)
    with EmulatorServer(data_dir.parent, emulators=[AhrefsEmulator(data_dir)]) as running:
        yield running


@pytest.fixture
def client(emulator: EmulatorServer, waits: list[float]):
    with AhrefsClient(emulator.url, KEY, sleep=waits.append) as api:
        yield api


def _keys(pages: list[list[dict]]) -> Counter:
    return Counter((row["url_from"], row["url_to"]) for page in pages for row in page)


def test_keyset_paging_across_equal_timestamps_returns_every_row_once(client):
    pages = list(client.iter_backlink_pages(TARGET, page_size=7))

    assert _keys(pages) == Counter((r["url_from"], r["url_to"]) for r in ROWS)
    assert [len(page) for page in pages[:-1]] == [7] * (len(pages) - 1)
    assert client.requests == math.ceil(len(ROWS) / 7)
    first_seen = [row["first_seen_link"] for page in pages for row in page]
    assert first_seen == sorted(first_seen)
    # Several page boundaries fall inside the run of 46 links first seen in the same second.
    assert sum(page[-1]["first_seen_link"] == SITEWIDE_SEEN for page in pages) >= 5


def test_rows_carry_v3_types(client):
    rows = [row for page in client.iter_backlink_pages(TARGET) for row in page]

    lost = next(r for r in rows if r["url_from"] == "https://blog0.example.net/post-0")
    assert lost["domain_rating_source"] == 20.0
    assert lost["is_dofollow"] is True
    assert lost["is_nofollow"] is False
    assert lost["last_seen"] == "2026-02-01T00:00:00Z"
    live = next(r for r in rows if r["url_from"] == "https://blog3.example.net/post-3")
    assert live["last_seen"] is None
    assert live["anchor"] is None
    forum = next(r for r in rows if r["url_from"] == "https://forum.example.org/t/007")
    assert forum["title"] == 'Gear talk, part 7 — "best tents"'
    assert forum["url_rating_source"] == 12.5
    assert set(rows[0]) == set(HEADER)


def test_a_page_size_dividing_the_rows_ends_on_an_empty_page(client):
    pages = list(client.iter_backlink_pages(TARGET, page_size=len(ROWS) // 2))

    assert sum(len(page) for page in pages) == len(ROWS)
    assert client.requests == 3


def test_max_rows_caps_the_pull_and_says_so(client, caplog):
    with caplog.at_level(logging.WARNING, logger="ingest.sources.ahrefs.api"):
        pages = list(client.iter_backlink_pages(TARGET, page_size=10, max_rows=25))

    assert [len(page) for page in pages] == [10, 10, 5]
    assert client.requests == 3
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "25" in warnings[0].getMessage() and TARGET in warnings[0].getMessage()


def test_rate_limit_is_waited_out_as_retry_after_asks(client, emulator, waits):
    emulator.inject_fault("ahrefs", 429, count=2, retry_after=7)

    pages = list(client.iter_backlink_pages(TARGET, page_size=100))

    assert waits == [7.0, 7.0]
    assert sum(len(page) for page in pages) == len(ROWS)
    assert client.requests == 3


def test_unavailable_is_retried_with_exponential_backoff(client, emulator, waits):
    emulator.inject_fault("ahrefs", 503, count=3)

    pages = list(client.iter_backlink_pages(TARGET, page_size=100))

    assert waits == [1.0, 2.0, 4.0]
    assert _keys(pages) == Counter((r["url_from"], r["url_to"]) for r in ROWS)


def test_a_long_retry_after_is_capped(client, emulator, waits):
    emulator.inject_fault("ahrefs", 429, count=1, retry_after=3600)

    list(client.iter_backlink_pages(TARGET, page_size=100))

    assert waits == [60.0]


def test_retry_after_as_an_http_date():
    later = datetime.now(UTC) + timedelta(seconds=30)
    response = httpx.Response(429, headers={"Retry-After": email.utils.format_datetime(later)})

    assert 28 <= retry_after_seconds(response) <= 30


def test_persistent_server_errors_raise_after_the_last_attempt(emulator, waits):
    emulator.inject_fault("ahrefs", 502, count=50)
    before = emulator.request_counts["ahrefs"]

    with (
        AhrefsClient(emulator.url, KEY, max_attempts=3, sleep=waits.append) as api,
        pytest.raises(httpx.HTTPStatusError, match="502") as raised,
    ):
        list(api.iter_backlink_pages(TARGET))

    assert emulator.request_counts["ahrefs"] - before == 3
    assert waits == [1.0, 2.0]
    assert "Injected fault" in str(raised.value)


def test_rejected_key_fails_with_the_api_message_and_without_the_key(emulator, caplog):
    caplog.set_level(logging.DEBUG)
    with (
        AhrefsClient(emulator.url, "invalid") as api,
        pytest.raises(AhrefsAuthError, match="403") as forbidden,
    ):
        list(api.iter_backlink_pages(TARGET))
    assert "no access to the API" in str(forbidden.value)
    assert "invalid" not in str(forbidden.value)

    emulator.inject_fault("ahrefs", 401, count=1)
    with (
        AhrefsClient(emulator.url, KEY) as api,
        pytest.raises(AhrefsAuthError, match="401") as unauthorized,
    ):
        api.domain_rating_history(TARGET, date(2026, 3, 1), date(2026, 3, 5))
    assert api.requests == 1  # auth errors are not retried
    assert KEY not in str(unauthorized.value)
    assert KEY not in caplog.text


def test_emulator_wants_a_bearer_key(emulator):
    response = httpx.get(
        f"{emulator.url}/v3/site-explorer/all-backlinks",
        params={"target": TARGET, "select": "url_from"},
    )

    assert response.status_code == 401
    assert "Bearer" in response.json()["error"]


def test_emulator_answers_only_the_selected_fields_and_no_offset(emulator):
    headers = {"Authorization": f"Bearer {KEY}"}
    url = f"{emulator.url}/v3/site-explorer/all-backlinks"
    params = {"target": TARGET, "select": "url_from,is_sponsored", "limit": 5, "output": "json"}

    rows = httpx.get(url, params=params, headers=headers).json()["backlinks"]
    with_offset = httpx.get(url, params={**params, "offset": 5}, headers=headers)
    filtered = httpx.get(
        url,
        params={**params, "where": '{"field":"is_sponsored","is":["eq",true]}'},
        headers=headers,
    ).json()["backlinks"]

    assert len(rows) == 5 and all(set(row) == {"url_from", "is_sponsored"} for row in rows)
    assert with_offset.status_code == 400
    assert filtered == [{"url_from": "https://blog1.example.net/post-5", "is_sponsored": True}]


def test_domain_rating_history_for_a_date_range(client):
    rows = client.domain_rating_history(TARGET, date(2026, 3, 3), date(2026, 3, 5))

    assert rows == [
        {"date": "2026-03-03", "domain_rating": 41.0},
        {"date": "2026-03-04", "domain_rating": 41.5},
        {"date": "2026-03-05", "domain_rating": 42.0},
    ]


def test_write_backlinks_maps_columns_and_is_idempotent_per_site_day(client, warehouse):
    snapshot = date(2026, 4, 20)
    for pull_id in ("pull-1", "pull-2"):
        written = write_backlinks(
            warehouse,
            client.iter_backlink_pages(TARGET, page_size=9),
            target=TARGET,
            site=TARGET,
            pull_id=pull_id,
            snapshot_date=snapshot,
        )
        assert written == len(ROWS)

    summary = warehouse.execute(
        """
        select count(*), list(distinct _file_sha256), list(distinct _file),
            list(distinct _source), list(distinct _format), list(distinct _site),
            min(_row_number), max(_row_number), count(distinct _row_number)
        from raw.backlinks_ahrefs_api
        """
    ).fetchone()
    assert summary == (
        len(ROWS),
        ["pull-2"],
        ["GET /v3/site-explorer/all-backlinks?target=acme.com&mode=subdomains&history=all_time"],
        ["ahrefs"],
        ["ahrefs_api"],
        [TARGET],
        1,
        len(ROWS),
        len(ROWS),
    )
    row = warehouse.execute(
        """
        select referring_page_url, target_url, referring_page_title, anchor, domain_rating,
            url_rating, nofollow, ugc, sponsored, content, is_spam, first_seen, last_seen, lost,
            link_type, _snapshot_date
        from raw.backlinks_ahrefs_api where referring_page_url = ?
        """,
        ["https://blog1.example.net/post-5"],
    ).fetchone()
    assert row == (
        "https://blog1.example.net/post-5",
        "https://www.acme.com/guides/packing",
        "Packing list 5",
        "packing guide 5",
        "25.0",
        "3.0",
        "false",
        "false",
        "true",
        "true",
        "true",
        "2025-06-15T05:30:00Z",
        "2026-04-02T09:00:00Z",
        "2026-02-01T00:00:00Z",
        None,
        snapshot,
    )


def test_another_day_or_site_is_kept_and_a_failed_pull_changes_nothing(client, warehouse):
    def pull(site: str, day: date) -> int:
        return write_backlinks(
            warehouse,
            client.iter_backlink_pages(TARGET),
            target=TARGET,
            site=site,
            pull_id=f"{site}-{day}",
            snapshot_date=day,
        )

    pull(TARGET, date(2026, 4, 19))
    pull(TARGET, date(2026, 4, 20))
    pull("other.com", date(2026, 4, 20))

    def failing_pages():
        yield from client.iter_backlink_pages(TARGET, page_size=10, max_rows=10)
        raise httpx.ReadTimeout("the API went away")

    with pytest.raises(httpx.ReadTimeout):
        write_backlinks(
            warehouse,
            failing_pages(),
            target=TARGET,
            site=TARGET,
            pull_id="broken",
            snapshot_date=date(2026, 4, 20),
        )

    counts = warehouse.execute(
        """
        select _site, _snapshot_date, count(*), list(distinct _file_sha256)
        from raw.backlinks_ahrefs_api group by all order by all
        """
    ).fetchall()
    assert counts == [
        (TARGET, date(2026, 4, 19), len(ROWS), [f"{TARGET}-2026-04-19"]),
        (TARGET, date(2026, 4, 20), len(ROWS), [f"{TARGET}-2026-04-20"]),
        ("other.com", date(2026, 4, 20), len(ROWS), ["other.com-2026-04-20"]),
    ]


def test_write_domain_ratings_is_idempotent_per_site_date_and_metric(client, warehouse):
    early = client.domain_rating_history(TARGET, date(2026, 3, 1), date(2026, 3, 6))
    late = client.domain_rating_history(TARGET, date(2026, 3, 5), date(2026, 3, 10))

    assert write_domain_ratings(warehouse, early, site=TARGET, pull_id="dr-1") == 6
    assert write_domain_ratings(warehouse, late, site=TARGET, pull_id="dr-2") == 6

    rows = warehouse.execute(
        """
        select metric_date, domain, metric, value, _source, _format, _file_sha256
        from raw.domain_metrics_ahrefs_api order by metric_date
        """
    ).fetchall()
    assert [r[0] for r in rows] == [d.isoformat() for d, _ in DR_HISTORY]
    assert {(r[1], r[2], r[4], r[5]) for r in rows} == {
        (TARGET, "ahrefs_dr", "ahrefs", "ahrefs_api")
    }
    assert [float(r[3]) for r in rows] == [float(dr) for _, dr in DR_HISTORY]
    assert [r[6] for r in rows] == ["dr-1"] * 4 + ["dr-2"] * 6


def test_the_default_registry_serves_ahrefs_from_the_demo_layout(server):
    with (
        EmulatorServer(server.data_dir) as default,
        AhrefsClient(default.url, KEY) as api,
    ):
        rows = [row for page in api.iter_backlink_pages(TARGET) for row in page]

    assert {"ahrefs", "semrush"} <= set(default.service_names)
    assert len(rows) == len(ROWS)
