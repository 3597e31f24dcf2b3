"""`linkokr review` and the weekly review job on the session's demo (docs/review.md): the digest's
figures are checked against the marts with queries of their own, and the job posts the Markdown
to a real webhook server on loopback."""

import json
import threading
from datetime import date, timedelta
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingest.config import load_config
from ingest.settings import Paths
from orchestration.cli import main
from orchestration.defs.review.defs import REVIEW_JOB, REVIEW_SCHEDULE
from tests.conftest import use_home

TOKEN = "T0FAKE/B0FAKE/review-s3cr3t"


class Page(HTMLParser):
    """The data-* attributes of the digest's page: the body's, and each table row's with the
    `data-movers` of the table it is in (None for the other tables)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.body: dict[str, str] = {}
        self.rows: list[tuple[str | None, dict[str, str]]] = []
        self._table: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        values = {k: v or "" for k, v in attrs if k.startswith("data-")}
        if tag == "body":
            self.body = values
        elif tag == "table":
            self._table = values.get("data-movers")
        elif tag == "tr" and values:
            self.rows.append((self._table, values))

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None

    def rows_with(self, key: str, table: str | None = None) -> list[dict[str, str]]:
        return [row for movers, row in self.rows if key in row and movers == table]


def query(demo_home: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(demo_home / "warehouse" / "linkokr.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def last_day(demo_home: Path) -> date:
    return query(demo_home, "select max(date) from marts.fct_key_result_progress")[0][0]


def review(capsys, *args: str) -> tuple[str, str]:
    """`linkokr review ARGS`: the HTML and the Markdown it wrote, at the paths it printed."""
    capsys.readouterr()
    assert main(["review", *args]) == 0
    html, markdown = capsys.readouterr().out.split()
    return Path(html).read_text(encoding="utf-8"), Path(markdown).read_text(encoding="utf-8")


def links_by_tier(demo_home: Path, start: date, end: date) -> dict[str, tuple[int, int]]:
    """Own sites' links first seen and lost in [start, end], per quality tier (those with any)."""
    rows = query(
        demo_home,
        """select quality_tier,
                  sum(case when first_seen_date >= ? and first_seen_date <= ? then 1 else 0 end),
                  sum(case when lost_date >= ? and lost_date <= ? then 1 else 0 end)
           from marts.fct_backlinks
           where site not in (select site from marts.dim_sites where is_competitor)
           group by quality_tier""",
        [start, end, start, end],
    )
    return {tier: (int(won), int(lost)) for tier, won, lost in rows if won or lost}


def statuses_on(demo_home: Path, day: date) -> dict[str, str]:
    """Each key result's status on its latest row on or before `day`."""
    rows = query(
        demo_home,
        """select kr_id, arg_max(status, date) from marts.fct_key_result_progress
           where date <= ? group by kr_id""",
        [day],
    )
    return dict(rows)


def assert_links_match(page: Page, demo_home: Path, start: date, end: date) -> None:
    expected = links_by_tier(demo_home, start, end)
    shown = {
        row["data-tier"]: (int(row["data-won"]), int(row["data-lost"]))
        for row in page.rows_with("data-tier")
        if row["data-won"] != "0" or row["data-lost"] != "0"
    }
    assert expected and shown == expected


def a_week_with_a_status_change(demo_home: Path) -> date:
    """The latest day on which some key result's status differs from its status 7 days before:
    the demo's days depend on the day it was built, so the test looks for its week."""
    found = query(
        demo_home,
        """
        with days as (select distinct date as day from marts.fct_key_result_progress),
        status_on as (
            select days.day, progress.kr_id, arg_max(progress.status, progress.date) as status
            from days
            inner join marts.fct_key_result_progress as progress on progress.date <= days.day
            group by days.day, progress.kr_id
        )
        select max(now.day)
        from status_on as now
        inner join status_on as was on was.kr_id = now.kr_id and was.day = now.day - 7
        where was.status <> now.status
        """,
    )[0][0]
    assert found, "the demo has a week in which a key result's status changes"
    return found


def test_the_weekly_review_matches_the_marts(demo_home, tmp_path, monkeypatch, capsys):
    use_home(monkeypatch, demo_home)
    end = a_week_with_a_status_change(demo_home)
    html, markdown = review(
        capsys, "--period", "week", "--date", end.isoformat(), "--output", str(tmp_path)
    )
    page = Page(html)
    start = end - timedelta(days=6)
    assert page.body["data-start"] == start.isoformat()
    assert page.body["data-end"] == end.isoformat()
    assert page.body["data-previous-start"] == (start - timedelta(days=7)).isoformat()

    # links won and lost, per quality tier, in both files
    assert_links_match(page, demo_home, start, end)
    expected = links_by_tier(demo_home, start, end)
    for tier, (won, lost) in expected.items():
        assert f"| {tier} | {won} | {lost} | {won - lost:+d} |" in markdown
    won, lost = (sum(v[i] for v in expected.values()) for i in (0, 1))
    assert f"{won} links won and {lost} lost this week" in markdown

    # every key result's status before the week and now; the week has a change to show
    was, now = statuses_on(demo_home, start - timedelta(days=1)), statuses_on(demo_home, end)
    shown = {row["data-kr-id"]: row for row in page.rows_with("data-was")}
    assert set(shown) == set(now)
    for kr_id, status in now.items():
        assert shown[kr_id]["data-now"] == status
        if kr_id in was:
            assert shown[kr_id]["data-was"] == was[kr_id]
    changed = sorted(kr for kr in now if kr in was and now[kr] != was[kr])
    assert changed
    assert f"{len(changed)} of {len(now)} key results changed status this week" in markdown
    assert sorted(kr for kr, row in shown.items() if row["data-change"] != "same") == changed

    # the keyword that improved most: mean position over the source's days, unranked days
    # counted at the config's unranked position, the week against the week before
    unranked = load_config(demo_home / "linkokr.yml").settings.unranked_position
    keyword, source, before, after = query(
        demo_home,
        """
        with own as (
            select * from marts.fct_keyword_rankings_daily
            where site not in (select site from marts.dim_sites where is_competitor)
              and date between ? and ?
        ),
        source_days as (
            select site, source,
                   count(distinct date) filter (where date < ?) as before_days,
                   count(distinct date) filter (where date >= ?) as after_days
            from own group by site, source
        ),
        keywords as (
            select site, source, keyword,
                   coalesce(sum(position) filter (where date < ?), 0) as before_sum,
                   count(position) filter (where date < ?) as before_ranked,
                   coalesce(sum(position) filter (where date >= ?), 0) as after_sum,
                   count(position) filter (where date >= ?) as after_ranked
            from own group by site, source, keyword
            having count(position) > 0
        ),
        means as (
            select keyword, source,
                   (before_sum + ? * (before_days - before_ranked)) / before_days as before,
                   (after_sum + ? * (after_days - after_ranked)) / after_days as after
            from keywords inner join source_days using (site, source)
            where before_days > 0 and after_days > 0
        )
        select keyword, source, before, after from means
        order by before - after desc, keyword limit 1
        """,
        [start - timedelta(days=7), end, *[start] * 6, unranked, unranked],
    )[0]
    top = page.rows_with("data-keyword", "rank-up")[0]
    assert (top["data-keyword"], top["data-source"]) == (keyword, source)
    assert float(top["data-previous-position"]) == pytest.approx(before, abs=0.006)
    assert float(top["data-position"]) == pytest.approx(after, abs=0.006)
    assert f"| {keyword} | {source} |" in markdown.split("### Biggest improvements")[1]
    assert before > after

    # forecasts: days left from each objective's end and the week's last day (the same on every
    # key result of an objective), with the mart's verdict that reads pace and trend together
    ends = dict(query(demo_home, "select kr_id, end_date from marts.dim_key_results", []))
    verdicts = dict(
        query(
            demo_home,
            """select kr_id, verdict_label from marts.fct_key_result_progress where date <= ?
               qualify row_number() over (partition by kr_id order by date desc) = 1""",
            [end],
        )
    )
    forecasts = page.rows_with("data-days-left")
    assert forecasts
    for row in forecasts:
        kr_id = row["data-kr-id"]
        assert int(row["data-days-left"]) == max((ends[kr_id] - end).days, 0)
        assert row["data-verdict"] == (verdicts[kr_id] or "")


def test_month_and_quarter_and_an_earlier_week(demo_home, tmp_path, monkeypatch, capsys):
    use_home(monkeypatch, demo_home)
    end = last_day(demo_home)
    for period, months, title in (("month", 1, "Monthly"), ("quarter", 3, "Quarterly")):
        html, markdown = review(capsys, "--period", period, "--output", str(tmp_path))
        page = Page(html)
        ((start,),) = query(
            demo_home,
            f"select cast(?::date - interval {months} month + interval 1 day as date)",
            [end],
        )
        assert (page.body["data-start"], page.body["data-end"]) == (str(start), str(end))
        assert markdown.startswith(f"# {title} review: ")
        assert_links_match(page, demo_home, start, end)
        # the demo's key results began within the quarter: "then" is their first day's status
        first = dict(
            query(
                demo_home,
                """select kr_id, arg_min(status, date) from marts.fct_key_result_progress
                   where date >= ? group by kr_id""",
                [start],
            )
        )
        before = statuses_on(demo_home, start - timedelta(days=1))
        for row in page.rows_with("data-was"):
            assert row["data-was"] == before.get(row["data-kr-id"], first[row["data-kr-id"]])

    # a week that ended earlier, and a day after the data (brought back to the last day)
    earlier = end - timedelta(days=10)
    html, _ = review(capsys, "--date", earlier.isoformat(), "--output", str(tmp_path))
    assert Page(html).body["data-end"] == earlier.isoformat()
    assert (tmp_path / f"review-week-{earlier}.md").is_file()
    capsys.readouterr()
    later = (end + timedelta(days=5)).isoformat()
    assert main(["review", "--date", later, "--output", str(tmp_path)]) == 0
    printed = capsys.readouterr()
    assert printed.out.split()[0] == str(tmp_path / f"review-week-{end}.html")
    assert f"no data after {end}; the review ends on {end}" in printed.err


@pytest.mark.unit
def test_no_warehouse_says_to_run_first(tmp_path, monkeypatch, capsys):
    home = use_home(monkeypatch, tmp_path / "home")
    assert main(["review"]) == 1
    assert capsys.readouterr().err == (
        f"linkokr: no warehouse at {home / 'warehouse' / 'linkokr.duckdb'}: "
        "run `linkokr run` first\n"
    )
    assert not (home / "reviews").exists()


class Webhook:
    """A webhook on 127.0.0.1 recording each POSTed JSON body and answering `status`."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.status = 200
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", 0))
                webhook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(webhook.status)
                self.end_headers()
                self.wfile.write(b"ok" if webhook.status < 300 else b"invalid_token")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/{TOKEN}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    server = Webhook()
    yield server
    server.close()


def test_the_weekly_schedule_writes_the_review_and_posts_it(
    demo_home, tmp_path, monkeypatch, webhook
):
    """The schedule is off until turned on; its job writes the weekly digest into the home's
    reviews/ and POSTs the Markdown as Slack's {"text": ...}; a webhook that refuses it is logged
    (without its token) and does not fail the run. The marts are only read."""
    from orchestration.definitions import build_definitions

    home = use_home(monkeypatch, tmp_path / "home")
    # the demo's marts and config, read from where they are; the digest goes to the new home
    monkeypatch.setenv("LINKOKR_CONFIG", str(demo_home / "linkokr.yml"))
    monkeypatch.setenv("LINKOKR_WAREHOUSE", str(demo_home / "warehouse" / "linkokr.duckdb"))
    monkeypatch.setenv("LINKOKR_ALERT_WEBHOOK", webhook.url)
    paths = Paths.from_env()
    marts = [paths.warehouse, paths.serving]
    before = [(p.stat().st_size, p.stat().st_mtime_ns) for p in marts]
    defs = build_definitions(paths)

    schedule = defs.resolve_schedule_def(REVIEW_SCHEDULE)
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "0 7 * * 1"  # Mondays, 07:00
    assert schedule.job_name == REVIEW_JOB
    job = defs.resolve_job_def(REVIEW_JOB)

    webhook.status = 403
    instance = dg.DagsterInstance.ephemeral()
    refused = job.execute_in_process(instance=instance)
    assert refused.success
    logs = "\n".join(repr(entry) for entry in instance.all_logs(refused.run_id))
    assert "Review not posted to the webhook" in logs and "HTTP 403" in logs
    assert TOKEN not in logs

    webhook.status = 200
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert result.success
    end = last_day(demo_home)
    markdown = home / "reviews" / f"review-week-{end}.md"
    assert (home / "reviews" / f"review-week-{end}.html").is_file()
    assert len(webhook.bodies) == 2
    assert webhook.bodies[-1] == {"text": markdown.read_text(encoding="utf-8")}
    assert webhook.bodies[-1]["text"].startswith("# Weekly review: ")
    assert [(p.stat().st_size, p.stat().st_mtime_ns) for p in marts] == before


@pytest.mark.unit
def test_values_from_the_marts_cannot_break_either_file():
    """A keyword with a `|` would end a Markdown cell, one with markup would run in the page."""
    from datetime import UTC, datetime

    from serve.review.data import Review, period_ending
    from serve.review.render import render_html, render_markdown

    keyword = "tents | <script>alert(1)</script>\nbest"
    mover = {
        "site": "acme.com",
        "source": "gsc",
        "keyword": keyword,
        "previous_position": 101.0,
        "position": 8.25,
        "days": 7,
        "ranking_page": "acme.com/tents",
        "improvement": 92.75,
    }
    review_ = Review(
        period=period_ending("week", date(2026, 12, 6)),
        source=Path("serving.duckdb"),
        last_data_day=date(2026, 12, 6),
        unranked_position=101.0,
        sites=["acme.com"],
        key_results=[],
        links=[],
        rank_improvements=[mover],
        rank_drops=[],
        traffic_sites=[],
        traffic_gains=[],
        traffic_drops=[],
    )
    now = datetime(2026, 12, 7, 7, tzinfo=UTC)
    markdown = render_markdown(review_, now)
    assert "| tents \\| <script>alert(1)</script> best | gsc | not ranked | 8.2 | +92.8 |" in (
        markdown
    )
    html = render_html(review_, now)
    assert "<script>" not in html
    assert "tents | &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert Page(html).rows_with("data-keyword", "rank-up")[0]["data-keyword"] == keyword
    # the week of 2026-11-30 .. 2026-12-06 against 2026-11-23 .. 2026-11-29
    assert "2026-11-30 → 2026-12-06 (7 days), against the previous week" in markdown
    assert "(2026-11-23 → 2026-11-29)" in markdown
