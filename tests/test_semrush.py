"""Semrush Analytics API ingest against the Semrush emulator: real httpx over loopback."""

from __future__ import annotations

import csv
import logging
from collections import Counter
from datetime import UTC, date, datetime

import httpx
import pytest

from demo.emulators import EmulatorServer
from demo.emulators.semrush import SemrushEmulator
from ingest.sources.semrush.api import SemrushApiError, SemrushClient, write_backlinks

pytestmark = pytest.mark.unit

TARGET = "acme-outdoor.com"
KEY = "semrush-test-key-81b2f7"
HEADER = [
    "page_ascore",
    "source_title",
    "source_url",
    "target_url",
    "anchor",
    "external_num",
    "internal_num",
    "first_seen",
    "last_seen",
    "nofollow",
    "sponsored",
    "ugc",
    "text",
    "frame",
    "form",
    "image",
    "sitewide",
    "newlink",
    "lostlink",
]
FIRST_SEEN = int(datetime(2025, 7, 4, 23, 30, tzinfo=UTC).timestamp())
LAST_SEEN = int(datetime(2026, 4, 18, 6, 0, tzinfo=UTC).timestamp())


def _fixture_rows() -> list[dict[str, str]]:
    rows = []
    for i in range(10):
        rows.append(
            {
                "page_ascore": str(10 + i),
                "source_title": f"Tents, stoves, and more: review {i}",
                "source_url": f"https://reviews{i % 3}.example.com/gear/{i}",
                "target_url": f"https://www.{TARGET}/product/{i}",
                "anchor": "" if i == 2 else f"tent {i}",
                "external_num": str(3 + i),
                "internal_num": str(40 + i),
                "first_seen": str(FIRST_SEEN + i * 86_400),
                "last_seen": str(LAST_SEEN),
                "nofollow": "true" if i % 2 else "false",
                "sponsored": "false",
                "ugc": "false",
                "text": "true",
                "frame": "false",
                "form": "false",
                "image": "false",
                "sitewide": "true" if i == 7 else "false",
                "newlink": "true" if i == 9 else "false",
                "lostlink": "true" if i == 4 else "false",
            }
        )
    return rows


ROWS = _fixture_rows()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("emulator") / "semrush"
    (data_dir / "backlinks").mkdir(parents=True)
    with (data_dir / "backlinks" / f"{TARGET}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(ROWS)
    with EmulatorServer(data_dir.parent, emulators=[SemrushEmulator(data_dir)]) as running:
        yield running


@pytest.fixture
def client(emulator: EmulatorServer, waits: list[float]):
    with SemrushClient(emulator.url, KEY, sleep=waits.append) as api:
        yield api


def test_offset_paging_returns_every_row_once(client):
    pages = list(client.iter_backlink_pages(TARGET, page_size=4))

    assert [len(page) for page in pages] == [4, 4, 2]
    assert client.requests == 3
    got = Counter((r["source_url"], r["target_url"]) for page in pages for r in page)
    assert got == Counter((r["source_url"], r["target_url"]) for r in ROWS)


def test_values_are_read_as_semrush_writes_them(client):
    rows = [row for page in client.iter_backlink_pages(TARGET) for row in page]

    first = rows[0]
    assert set(first) == set(HEADER)
    # The title holds commas: the answer is semicolon-separated, so they stay.
    assert first["source_title"] == "Tents, stoves, and more: review 0"
    # Epoch seconds become UTC dates: 23:30 UTC on 4 July, not the 5th in a later zone.
    assert first["first_seen"] == "2025-07-04"
    assert rows[3]["first_seen"] == "2025-07-07"
    assert first["last_seen"] == "2026-04-18"
    assert rows[2]["anchor"] is None
    assert [r["lostlink"] for r in rows].count("true") == 1
    assert first["page_ascore"] == "10"


def test_a_page_size_dividing_the_rows_stops_at_nothing_found(client):
    pages = list(client.iter_backlink_pages(TARGET, page_size=5))

    assert [len(page) for page in pages] == [5, 5]
    # The third request is past the end and answers ERROR 50, which means "no more rows".
    assert client.requests == 3


def test_unknown_target_is_empty_not_a_failure(client):
    assert list(client.iter_backlink_pages("nobody-links-here.com")) == []
    assert client.requests == 1


def test_max_rows_caps_the_pull_and_says_so(client, caplog):
    with caplog.at_level(logging.WARNING, logger="ingest.sources.semrush.api"):
        pages = list(client.iter_backlink_pages(TARGET, page_size=4, max_rows=6))

    assert [len(page) for page in pages] == [4, 2]
    assert any(
        "6" in r.getMessage() and TARGET in r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING
    )


@pytest.mark.parametrize(
    ("key", "code", "message"),
    [("invalid", 120, "WRONG KEY - ID PAIR"), ("nounits", 132, "API UNITS BALANCE IS ZERO")],
)
def test_api_errors_fail_with_their_message(emulator, key, code, message):
    with (
        SemrushClient(emulator.url, key) as api,
        pytest.raises(SemrushApiError, match=message) as raised,
    ):
        list(api.iter_backlink_pages(TARGET))

    assert raised.value.code == code
    assert f"ERROR {code}" in str(raised.value)
    assert api.requests == 1


def test_rate_limit_is_retried_as_retry_after_asks(client, emulator, waits):
    emulator.inject_fault("semrush", 429, count=1, retry_after=5)
    emulator.inject_fault("semrush", 503, count=1)

    pages = list(client.iter_backlink_pages(TARGET, page_size=100))

    assert waits == [5.0, 2.0]
    assert sum(len(page) for page in pages) == len(ROWS)


def test_the_key_stays_out_of_errors_and_logs(emulator, caplog):
    caplog.set_level(logging.DEBUG)
    emulator.inject_fault("semrush", 503, count=10)

    with (
        SemrushClient(emulator.url, KEY, max_attempts=2, sleep=lambda _: None) as api,
        pytest.raises(httpx.HTTPStatusError, match="503") as raised,
    ):
        list(api.iter_backlink_pages(TARGET))

    assert KEY not in str(raised.value)
    assert "key=REDACTED" in str(raised.value)
    # The client's side of the wire; the emulator's own access log plays the vendor's server.
    client_log = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith("demo.emulators")
    )
    assert "retrying" in client_log
    assert "HTTP Request" in client_log  # httpx's own request line, redacted too
    assert KEY not in client_log


def test_write_backlinks_maps_columns_and_is_idempotent_per_site_day(client, warehouse):
    snapshot = date(2026, 4, 20)
    for pull_id in ("pull-1", "pull-2"):
        written = write_backlinks(
            warehouse,
            client.iter_backlink_pages(TARGET, page_size=3),
            target=TARGET,
            site=TARGET,
            pull_id=pull_id,
            snapshot_date=snapshot,
        )
        assert written == len(ROWS)
    write_backlinks(
        warehouse,
        client.iter_backlink_pages(TARGET),
        target=TARGET,
        site=TARGET,
        pull_id="next-day",
        snapshot_date=date(2026, 4, 21),
    )

    per_day = warehouse.execute(
        """
        select _snapshot_date, count(*), list(distinct _file_sha256), list(distinct _file),
            list(distinct _format), list(distinct _source), list(distinct _site)
        from raw.backlinks_semrush_api group by all order by all
        """
    ).fetchall()
    label = "GET /analytics/v1/?type=backlinks&target=acme-outdoor.com&target_type=root_domain"
    assert per_day == [
        (snapshot, len(ROWS), ["pull-2"], [label], ["semrush_api"], ["semrush"], [TARGET]),
        (
            date(2026, 4, 21),
            len(ROWS),
            ["next-day"],
            [label],
            ["semrush_api"],
            ["semrush"],
            [TARGET],
        ),
    ]
    row = warehouse.execute(
        """
        select page_ascore, page_trust_score, source_title, source_url, target_url, anchor,
            external_links, internal_links, first_seen, last_seen, nofollow, sponsored, ugc,
            text, frame, form, image, sitewide, new_link, lost_link
        from raw.backlinks_semrush_api where _snapshot_date = ? and source_url = ?
        """,
        [snapshot, "https://reviews1.example.com/gear/7"],
    ).fetchone()
    assert row == (
        "17",
        None,
        "Tents, stoves, and more: review 7",
        "https://reviews1.example.com/gear/7",
        f"https://www.{TARGET}/product/7",
        "tent 7",
        "10",
        "47",
        "2025-07-11",
        "2026-04-18",
        "true",
        "false",
        "false",
        "true",
        "false",
        "false",
        "false",
        "true",
        "false",
        "false",
    )
