"""Key-result alerts, end to end: real Dagster runs of the alerts asset over a small warehouse,
POSTing to a real webhook server on loopback (docs/config.md, "Checks and alerts")."""

import json
import logging
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from orchestration.defs.okrs.alerts import ALERTS, WEBHOOK_ENV, AlertWebhook, key_result_alerts
from serve.alerts import WEBHOOK_POLICY, WebhookClient
from tests.conftest import copy_demo_home, use_home

TOKEN = "T0FAKE/B0FAKE/xoxb-s3cr3t-t0k3n"
RUN_1 = date(2026, 11, 13)
RUN_2 = date(2026, 11, 20)


class Webhook:
    """A webhook receiver on 127.0.0.1 that records each POSTed JSON body; `status` is what it
    answers (set it to 500 to simulate an outage)."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.status = 200
        self.retry_after = "0"
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", 0))
                webhook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(webhook.status)
                if webhook.status >= 500 or webhook.status == 429:
                    self.send_header("Retry-After", webhook.retry_after)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if webhook.status < 300 else b"upstream down")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/{TOKEN}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    server = Webhook()
    yield server
    server.close()


KEY_RESULTS = [
    # kr_id, objective_id, objective title, metric, title, keyword_set
    ("authority.links", "authority", "Build authority", "backlinks_acquired", "Win 25 links", None),
    ("authority.dr", "authority", "Build authority", "domain_authority", "DR 42 to 48", None),
    ("rank.head", "rank", "Win head terms", "average_position", "Head terms to 2.8", "head"),
]


def build_warehouse(path: Path) -> Path:
    """The marts the alerts read, as dbt would leave them on RUN_1: every key result on track."""
    con = duckdb.connect(str(path))
    for schema in ("marts", "raw"):
        con.execute(f"create schema {schema}")
    con.execute(
        """create table marts.fct_key_result_progress (
               kr_id varchar, date date, objective_id varchar, site varchar, metric varchar,
               title varchar, status varchar, value double, baseline double, target double,
               progress double, expected_progress double, pace double, projected_value double,
               projected_status varchar, is_latest boolean)"""
    )
    con.execute(
        """create table marts.dim_key_results (
               kr_id varchar, objective_title varchar, site varchar, source varchar,
               keyword_set varchar, page_group varchar)"""
    )
    for kr_id, objective_id, objective, metric, title, keyword_set in KEY_RESULTS:
        con.execute(
            """insert into marts.fct_key_result_progress values
               (?, ?, ?, 'acme.com', ?, ?, 'on_track', 10, 0, 25, 0.4, 0.4, 1, 25, 'achieved',
                true)""",
            [kr_id, RUN_1, objective_id, metric, title],
        )
        source = "semrush" if metric == "average_position" else None
        con.execute(
            "insert into marts.dim_key_results values (?, ?, 'acme.com', ?, ?, null)",
            [kr_id, objective, source, keyword_set],
        )
    con.execute(
        """create table marts.fct_backlinks (
               site varchar, backlink_id varchar, source_url varchar, source_domain varchar,
               target_page varchar, quality_tier varchar, authority_score double,
               first_seen_date date, lost_date date)"""
    )
    con.execute(
        """insert into marts.fct_backlinks values
           ('acme.com', 'a', 'https://old.org/post', 'old.org', 'acme.com/', 'tier_2', 45,
            date '2026-10-01', null),
           ('acme.com', 'b', 'https://news.example/tents', 'news.example', 'acme.com/tents',
            'tier_1', 71, date '2026-11-16', null),
           ('acme.com', 'c', 'https://gone.net/review', 'gone.net', 'acme.com/boots', 'tier_3',
            30, date '2026-09-01', date '2026-11-18'),
           ('rival.com', 'd', 'https://elsewhere.io/x', 'elsewhere.io', 'rival.com/', 'tier_2',
            50, date '2026-11-17', null)"""
    )
    con.execute(
        """create table marts.fct_keyword_rankings_daily (
               site varchar, source varchar, keyword varchar, date date, position double,
               ranking_page varchar, tags varchar[])"""
    )
    # "tents" falls from 3 to 8, "hiking boots" climbs, "acme coupon" (not in the set) collapses.
    for offset in range(14):
        day = RUN_2 - timedelta(days=offset)
        recent = offset < 7
        for keyword, before, after in (
            ("tents", 3, 8),
            ("hiking boots", 9, 4),
            ("acme coupon", 2, 40),
        ):
            con.execute(
                "insert into marts.fct_keyword_rankings_daily values "
                "('acme.com', 'semrush', ?, ?, ?, 'acme.com/' || replace(?, ' ', '-'), [])",
                [keyword, day, after if recent else before, keyword],
            )
    con.execute("create table raw.config_settings as select 101.0 as unranked_position")
    con.execute(
        """create table raw.config_keyword_sets as
           select 'acme.com' as site, 'head' as keyword_set, []::varchar[] as tags,
                  ['tents', 'hiking boots'] as keywords"""
    )
    con.close()
    return path


def set_latest(warehouse: Path, kr_id: str, status: str, day: date = RUN_2) -> None:
    """What dbt does between two runs: the key result's latest row gets a new status."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update marts.fct_key_result_progress set status = ?, date = ?, value = 12 "
            "where kr_id = ?",
            [status, day, kr_id],
        )


def run(warehouse: Path, monkeypatch, url: str | None):
    """One Dagster run of the alerts asset, its webhook resource built from the environment as
    the code location builds it; returns (result, everything the run logged)."""
    if url is None:
        monkeypatch.delenv("LINKOKR_ALERT_WEBHOOK", raising=False)
    else:
        monkeypatch.setenv("LINKOKR_ALERT_WEBHOOK", url)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [key_result_alerts],
        resources={
            "warehouse": DuckDBResource(database=str(warehouse)),
            "alert_webhook": AlertWebhook.from_env(),
        },
        instance=instance,
    )
    assert result.success
    events = "\n".join(repr(entry) for entry in instance.all_logs(result.run_id))
    return result, events


def metadata(result) -> dict:
    (materialization,) = result.asset_materializations_for_node("ops__key_result_alerts")
    assert materialization.asset_key == ALERTS
    return {key: value.value for key, value in materialization.metadata.items()}


def alerts_table(warehouse: Path) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute("select * from ops.alerts order by detected_at, kr_id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def statuses(warehouse: Path) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select kr_id, status from ops.key_result_status").fetchall())


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return build_warehouse(tmp_path / "linkokr.duckdb")


def test_first_run_records_statuses_and_posts_nothing(warehouse, webhook, monkeypatch):
    set_latest(warehouse, "authority.links", "behind", RUN_1)

    result, _ = run(warehouse, monkeypatch, webhook.url)

    assert webhook.bodies == []
    assert alerts_table(warehouse) == []
    assert statuses(warehouse) == {
        "authority.links": "behind",
        "authority.dr": "on_track",
        "rank.head": "on_track",
    }
    assert metadata(result)["changes"] == 0


def test_a_change_to_behind_posts_once_with_the_links_gained_and_lost(
    warehouse, webhook, monkeypatch
):
    run(warehouse, monkeypatch, webhook.url)
    set_latest(warehouse, "authority.links", "behind")

    result, _ = run(warehouse, monkeypatch, webhook.url)

    assert len(webhook.bodies) == 1
    body = webhook.bodies[0]
    assert body["kr_id"] == "authority.links"
    assert body["objective"] == "Build authority"
    assert body["title"] == "Win 25 links"
    assert (body["old_status"], body["new_status"]) == ("on_track", "behind")
    assert (body["value"], body["target"], body["date"]) == (12, 25, "2026-11-20")
    assert "authority.links" in body["text"] and "behind" in body["text"]
    links = body["context"]["links"]
    # since the previous run's data date (RUN_1), for this site only
    assert (links["since"], links["until"]) == ("2026-11-13", "2026-11-20")
    assert (links["gained"], links["lost"]) == (1, 1)
    assert [link["source_url"] for link in links["gained_links"]] == ["https://news.example/tents"]
    assert [link["source_url"] for link in links["lost_links"]] == ["https://gone.net/review"]
    assert metadata(result)["changes"] == 1
    assert metadata(result)["delivered"] == 1
    (alert,) = alerts_table(warehouse)
    assert alert["delivered"] and alert["delivered_at"] is not None and alert["error"] is None

    # dbt runs again, the key result is still behind: nothing new to say
    run(warehouse, monkeypatch, webhook.url)
    assert len(webhook.bodies) == 1
    assert len(alerts_table(warehouse)) == 1


def test_a_rank_key_result_alert_names_the_keywords_that_dropped(warehouse, webhook, monkeypatch):
    run(warehouse, monkeypatch, webhook.url)
    set_latest(warehouse, "rank.head", "at_risk")

    run(warehouse, monkeypatch, webhook.url)

    (body,) = webhook.bodies
    drops = body["context"]["rank_drops"]
    # only the key result's keyword set counts; the keyword that climbed is no drop
    assert [(d["keyword"], d["previous_position"], d["current_position"]) for d in drops] == [
        ("tents", 3, 8)
    ]
    assert "tents: 3 → 8" in body["text"]


def test_a_failed_delivery_is_recorded_and_retried_on_the_next_run(
    warehouse, webhook, monkeypatch, caplog
):
    caplog.set_level(logging.INFO)
    run(warehouse, monkeypatch, webhook.url)
    set_latest(warehouse, "authority.links", "missed")
    webhook.status = 500

    result, _ = run(warehouse, monkeypatch, webhook.url)

    assert metadata(result)["failed"] == 1
    (alert,) = alerts_table(warehouse)
    assert alert["delivered"] is False
    assert alert["error"].startswith("HTTP 500")
    assert alert["attempts"] == len(webhook.bodies) == 3
    assert "not delivered" in caplog.text

    webhook.status = 200
    result, _ = run(warehouse, monkeypatch, webhook.url)

    assert metadata(result)["delivered"] == 1
    (alert,) = alerts_table(warehouse)
    assert alert["delivered"] is True and alert["error"] is None
    assert webhook.bodies[-1]["new_status"] == "missed"

    run(warehouse, monkeypatch, webhook.url)
    assert len(webhook.bodies) == 4


def test_without_key_results_a_run_posts_nothing_even_an_undelivered_alert(
    warehouse, webhook, monkeypatch
):
    """A config cut down to its sites: no error, no POST. The statuses of the key results that
    left, and the alert still waiting for one of them, are dropped rather than sent."""
    run(warehouse, monkeypatch, webhook.url)
    set_latest(warehouse, "authority.links", "missed")
    webhook.status = 500
    run(warehouse, monkeypatch, webhook.url)
    posted = len(webhook.bodies)
    assert posted == 3  # the missed alert, tried three times, waits for the next run
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from marts.fct_key_result_progress")
        con.execute("delete from marts.dim_key_results")
    webhook.status = 200

    for _ in range(2):  # the run that sees the key results gone, then a run with none at all
        result, _ = run(warehouse, monkeypatch, webhook.url)
        assert metadata(result)["key_results"] == 0
        assert metadata(result)["pending"] == 0 and metadata(result)["delivered"] == 0

    assert len(webhook.bodies) == posted
    assert statuses(warehouse) == {}
    (alert,) = alerts_table(warehouse)
    assert alert["delivered"] is False and alert["superseded_at"] is not None


def test_an_unreachable_webhook_never_fails_the_run(warehouse, monkeypatch):
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_port
    url = f"http://127.0.0.1:{port}/services/{TOKEN}"
    run(warehouse, monkeypatch, url)
    set_latest(warehouse, "authority.links", "behind")

    result, events = run(warehouse, monkeypatch, url)

    assert metadata(result)["failed"] == 1
    (alert,) = alerts_table(warehouse)
    assert alert["delivered"] is False and "ConnectError" in alert["error"]
    assert TOKEN not in alert["error"] and TOKEN not in events


def test_a_change_to_on_track_updates_the_state_without_posting(warehouse, webhook, monkeypatch):
    run(warehouse, monkeypatch, webhook.url)
    set_latest(warehouse, "authority.dr", "at_risk")
    webhook.status = 500
    run(warehouse, monkeypatch, webhook.url)
    posts = len(webhook.bodies)
    set_latest(warehouse, "authority.dr", "on_track")
    webhook.status = 200

    result, _ = run(warehouse, monkeypatch, webhook.url)

    # the undelivered at_risk alert is about a status that is over: it is not sent any more
    assert len(webhook.bodies) == posts
    assert statuses(warehouse)["authority.dr"] == "on_track"
    assert metadata(result)["changes"] == 1 and metadata(result)["delivered"] == 0
    (alert,) = alerts_table(warehouse)
    assert alert["superseded_at"] is not None and alert["delivered"] is False


def test_an_improvement_to_at_risk_is_recorded_but_not_alerted(warehouse, webhook, monkeypatch):
    run(warehouse, monkeypatch, webhook.url)
    set_latest(warehouse, "authority.links", "behind")
    run(warehouse, monkeypatch, webhook.url)
    assert [body["kr_id"] for body in webhook.bodies] == ["authority.links"]
    # authority.links gets better (behind -> at_risk), authority.dr worse (on_track -> at_risk)
    set_latest(warehouse, "authority.links", "at_risk", RUN_2 + timedelta(days=7))
    set_latest(warehouse, "authority.dr", "at_risk", RUN_2 + timedelta(days=7))

    result, events = run(warehouse, monkeypatch, webhook.url)

    assert [(b["kr_id"], b["old_status"], b["new_status"]) for b in webhook.bodies[1:]] == [
        ("authority.dr", "on_track", "at_risk")
    ]
    assert [(a["kr_id"], a["new_status"]) for a in alerts_table(warehouse)] == [
        ("authority.links", "behind"),
        ("authority.dr", "at_risk"),
    ]
    assert statuses(warehouse)["authority.links"] == "at_risk"
    assert metadata(result)["changes"] == 2 and metadata(result)["new_alerts"] == 1
    assert "authority.dr: on_track → at_risk (alert)" in events
    assert "authority.links: behind → at_risk" in events
    assert "authority.links: behind → at_risk (alert)" not in events
    assert "| authority.links | behind | at_risk | no |" in metadata(result)["status_changes"]


def test_without_a_webhook_changes_are_recorded_and_sent_once_one_is_set(
    warehouse, webhook, monkeypatch
):
    run(warehouse, monkeypatch, None)
    set_latest(warehouse, "authority.links", "behind")

    result, events = run(warehouse, monkeypatch, None)

    assert "Alerts are off" in events
    assert metadata(result)["alerts_enabled"] is False
    (alert,) = alerts_table(warehouse)
    assert alert["new_status"] == "behind" and alert["delivered"] is False

    run(warehouse, monkeypatch, webhook.url)
    assert [body["kr_id"] for body in webhook.bodies] == ["authority.links"]


def test_the_webhook_url_appears_in_no_log_metadata_or_table(
    warehouse, webhook, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    run(warehouse, monkeypatch, webhook.url)
    set_latest(warehouse, "authority.links", "behind")
    set_latest(warehouse, "authority.dr", "missed")
    webhook.status = 503
    _, failing = run(warehouse, monkeypatch, webhook.url)
    webhook.status = 200
    result, delivering = run(warehouse, monkeypatch, webhook.url)

    assert len(alerts_table(warehouse)) == 2 and metadata(result)["delivered"] == 2
    # httpx logged its request lines, with the URL scrubbed
    assert "HTTP Request: POST" in caplog.text and "REDACTED" in caplog.text
    for text in (caplog.text, failing, delivering, repr(alerts_table(warehouse))):
        assert TOKEN not in text
        assert "xoxb-s3cr3t" not in text


@pytest.mark.parametrize(("asked", "waited"), [("7", 7.0), ("120", 10.0)])
def test_delivery_waits_what_the_webhook_asks_within_the_policy(webhook, asked, waited):
    """The POST goes through the API clients' retry policy: a 429 is retried after its
    Retry-After (at most 10 s: a webhook must not hold the run), three attempts in all."""
    webhook.status, webhook.retry_after = 429, asked
    waits: list[float] = []
    with WebhookClient(webhook.url, policy=WEBHOOK_POLICY.but(sleep=waits.append)) as client:
        delivered, attempts, error = client.post({"text": "hello"}, what="test alert")

    assert (delivered, attempts) == (False, 3)
    assert error.startswith("HTTP 429") and TOKEN not in error
    assert waits == [waited, waited]
    assert len(webhook.bodies) == 3


def test_the_webhook_resource_holds_the_variable_not_the_url(webhook):
    """Set, the URL reaches the resource as an EnvVar (Dagster shows its name, never its value);
    unset or empty, alerts are off (an EnvVar of an unset variable would fail the run)."""
    resource = AlertWebhook.from_env({WEBHOOK_ENV: webhook.url})
    assert isinstance(resource.url, dg.EnvVar) and resource.url.env_var_name == WEBHOOK_ENV
    assert AlertWebhook.from_env({}).url is None
    assert AlertWebhook.from_env({WEBHOOK_ENV: ""}).url is None


@pytest.mark.e2e
def test_alerts_run_on_the_demo_marts(demo_home, tmp_path, webhook, monkeypatch):
    """The real marts dbt builds: the first run records all fifteen key results; a key result
    turned behind is alerted with its links (the demo site's backlinks) as context."""
    home = copy_demo_home(demo_home, tmp_path / "home")
    use_home(monkeypatch, home)
    warehouse = home / "warehouse" / "linkokr.duckdb"
    run(warehouse, monkeypatch, webhook.url)
    assert len(statuses(warehouse)) == 15
    with duckdb.connect(str(warehouse)) as con:
        kr_id = con.execute(
            """select kr_id from marts.fct_key_result_progress
               where is_latest and metric = 'referring_domains'"""
        ).fetchone()[0]
        con.execute(
            "update marts.fct_key_result_progress set status = 'missed' "
            "where is_latest and kr_id = ?",
            [kr_id],
        )
        # as if the previous run had seen the data of two weeks earlier
        con.execute("update ops.key_result_status set date = date - 14")

    run(warehouse, monkeypatch, webhook.url)

    (body,) = webhook.bodies
    assert body["kr_id"] == kr_id and body["new_status"] == "missed"
    assert body["objective"] and body["title"]
    links = body["context"]["links"]
    assert links["gained"] + links["lost"] > 0
