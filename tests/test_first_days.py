"""A new user's first two days, with two real `linkokr run`s on a copy of the demo home.

Day 1: the first config a user writes (sites, no key results yet; one site with no data at all)
and an inbox as people leave it: an export for a domain nobody configured, a file nobody may
read (`chmod 000`), a refused file with a 250-character name, a name with a newline in it, and
an export still downloading (growing while the run starts). Day 2: the unconfigured domain is
added as a competitor, the download has finished. Meanwhile two BI readers query the serving
copy non-stop: one reopening it for every query, one holding its connection.

Everything is asserted on what a user sees: exit codes, the run summary, the WARN check, the
ledger, the marts, `linkokr status`, the dashboard, the readers' answers.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import pytest
import yaml

from orchestration.cli import STATUS_COLUMNS, main
from tests.conftest import LINKOKR_ENV, REPO, copy_demo_home, use_home
from tests.corpus import CORPUS_DIR, rebrand, rebrand_name
from tests.test_alerts import Webhook
from tests.test_inbox import ahrefs_row, write_ahrefs_utf16
from tests.test_publish import READER, table_counts

pytestmark = pytest.mark.e2e

DEMO_SITE = "acme-outdoor.com"
# Nothing in the demo inbox or emulators mentions it: a site added before any export of it.
NEW_SITE = "new-shop.example"
STRANGER = "stranger-outdoor.com"  # an export for it is dropped before the config names it
HINT = "no key results in linkokr.yml yet: add objectives with key_results under a site"
LONG_NAME = f"{DEMO_SITE}-" + "x" * 233 + ".csv"  # 250 characters
NEWLINE_NAME = f"{DEMO_SITE}-links\nERROR forged line_2026-11-02.csv"
GROWING = f"{DEMO_SITE}-backlinks-downloading_2026-11-03.csv"
UNREADABLE = f"{DEMO_SITE}-backlinks-locked_2026-11-04.csv"
RUN = "from orchestration.cli import main; raise SystemExit(main(['run']))"


def write_sites_only(home: Path) -> None:
    """The demo config as a new user would have it: the sites, no objective with a key result."""
    raw = yaml.safe_load((home / "linkokr.yml").read_text(encoding="utf-8"))
    keep = ("domain", "competitors", "ga4_property_id", "gsc_site_url")
    sites = [{key: site[key] for key in keep if key in site} for site in raw["sites"]]
    assert [site["domain"] for site in sites] == [DEMO_SITE]
    sites.append(
        {
            "domain": NEW_SITE,
            "competitors": ["new-rival.example"],
            # An objective written down before its key results: still nothing to measure.
            "objectives": [
                {
                    "id": "launch",
                    "title": "Launch the shop",
                    "period": {"start": date(2026, 1, 1), "end": date(2026, 12, 31)},
                }
            ],
        }
    )
    (home / "linkokr.yml").write_text(yaml.safe_dump({"sites": sites}, sort_keys=False))


def add_competitor(home: Path, domain: str) -> None:
    config = yaml.safe_load((home / "linkokr.yml").read_text(encoding="utf-8"))
    config["sites"][0]["competitors"].append(domain)
    (home / "linkokr.yml").write_text(yaml.safe_dump(config, sort_keys=False))


def drop_day_one_files(backlinks: Path) -> None:
    semrush = CORPUS_DIR / "backlinks" / f"{DEMO_SITE}-backlinks.csv"
    stranger = backlinks / rebrand_name(semrush.name, DEMO_SITE, STRANGER)
    stranger.write_bytes(rebrand(semrush.read_bytes(), DEMO_SITE, STRANGER))
    (backlinks / LONG_NAME).write_text("not,a,vendor\nheader,at,all\n")
    rows = [ahrefs_row(f"https://odd{i}.example.org/", f"https://{DEMO_SITE}/") for i in range(3)]
    write_ahrefs_utf16(backlinks / NEWLINE_NAME, rows)
    write_ahrefs_utf16(backlinks / UNREADABLE, rows).chmod(0)
    for path in backlinks.iterdir():
        if path.is_file():  # dropped a minute ago: settled
            os.utime(path, (time.time() - 60, time.time() - 60), follow_symlinks=False)


class Download(threading.Thread):
    """An export arriving in pieces: one more row every 0.3 s until `finish()`."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path = path
        self.rows = 0
        self.done = threading.Event()
        write_ahrefs_utf16(path, [])

    def run(self) -> None:
        while not self.done.is_set():
            row = ahrefs_row(f"https://piece{self.rows}.example.org/", f"https://{DEMO_SITE}/")
            with self.path.open("ab") as handle:
                handle.write(("\t".join(row) + "\r\n").encode("utf-16-le"))
            self.rows += 1
            time.sleep(0.3)

    def finish(self) -> None:
        self.done.set()
        self.join()


def pipeline_env(home: Path, webhook: Webhook) -> dict[str, str]:
    # Only this home: no endpoints or keys from the shell, so the API sources are skipped.
    unset = {"DAGSTER_HOME", "AHREFS_API_KEY", "SEMRUSH_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKOKR_") and k not in unset}
    env["LINKOKR_HOME"] = str(home)
    env["LINKOKR_ALERT_WEBHOOK"] = webhook.url
    return env


def as_a_user(command: list[str]) -> tuple[list[str], bool]:
    """`command` without root's power to read any file (when running as root), so that a
    `chmod 000` file is unreadable as it is for a user; and whether permissions now apply."""
    if os.geteuid() != 0:
        return command, True
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return command, False
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", *command], True


def observations(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def first_days(demo_home, tmp_path_factory):
    work = tmp_path_factory.mktemp("first_days")
    home = copy_demo_home(demo_home, work / "home")
    write_sites_only(home)
    inbox = home / "data" / "inbox"
    drop_day_one_files(inbox / "backlinks")
    serving = home / "warehouse" / "linkokr_serving.duckdb"
    versions = [table_counts(serving)]
    webhook = Webhook()
    stop = work / "stop"
    reader_logs = {mode: work / f"reader_{mode}.jsonl" for mode in ("reopen", "hold")}
    (work / "reader.py").write_text(READER)
    readers = [
        subprocess.Popen([sys.executable, str(work / "reader.py"), str(serving), mode, str(log),
                          str(stop)])
        for mode, log in reader_logs.items()
    ]  # fmt: skip
    command, permissions_apply = as_a_user([sys.executable, "-c", RUN])
    runs = []
    download = Download(inbox / "backlinks" / GROWING)
    try:
        for log in reader_logs.values():
            wait_for(lambda log=log: observations(log), 60, f"{log.name} to start")
        download.start()
        for day in (1, 2):
            if day == 2:
                download.finish()
                add_competitor(home, STRANGER)
            # a new observation each day, so each run publishes a new version
            (inbox / "domain_metrics" / f"extra_metrics_{day}.csv").write_text(
                f"date,domain,metric,value\n{date.today() - timedelta(days=20)},{DEMO_SITE},"
                f"majestic_tf,{20 + day}\n"
            )
            os.utime(inbox / "domain_metrics" / f"extra_metrics_{day}.csv", (0, 0))
            runs.append(
                subprocess.run(
                    command, cwd=REPO, env=pipeline_env(home, webhook), capture_output=True,
                    text=True, timeout=900,
                )
            )  # fmt: skip
            versions.append(table_counts(serving))
        wait_for(
            lambda: observations(reader_logs["reopen"])[-1].get("counts") == versions[-1],
            30,
            "the reopening reader to see the last published copy",
        )
    finally:
        download.done.set()
        stop.touch()
        for reader in readers:
            reader.wait(timeout=60)
        webhook.close()
    for day, run in enumerate(runs, start=1):
        assert run.returncode == 0, f"day {day}: {run.stderr[-4000:]}"
    return SimpleNamespace(
        home=home,
        runs=runs,
        versions=versions,
        readers={mode: observations(log) for mode, log in reader_logs.items()},
        posts=webhook.bodies,
        download=download,
        permissions_apply=permissions_apply,
    )


def ledger(home: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse" / "linkokr.duckdb"), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def fates(run: subprocess.CompletedProcess) -> dict[str, tuple[str, str]]:
    """The run summary `linkokr run` printed: file -> (fate, detail)."""
    lines = run.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("inbox: "))
    found = {}
    for line in lines[start + 1 :]:
        if (
            not line.startswith("  ")
            or " backlinks/" not in line
            and " domain_metrics/" not in line
        ):
            break
        head, _, detail = line.partition(": ")
        fate, _, file = head.strip(" !").rpartition("  ")
        found[file.strip()] = (fate.strip(), detail)
    return found


# --- the inbox as people leave it -----------------------------------------------------------


def test_day_one_summary_names_every_files_fate(first_days):
    day_one = fates(first_days.runs[0])
    fate, detail = day_one[f"backlinks/{STRANGER}-backlinks.csv"]
    assert fate == "held out" and f"add {STRANGER} to linkokr.yml, under `sites:`" in detail
    fate, detail = day_one[f"backlinks/{LONG_NAME}"]
    assert fate == "refused" and detail.startswith("line 1: unknown header")
    assert day_one[f"backlinks/{GROWING}"] == ("still being written", "left for the next run")
    # the newline is shown escaped: no line of the run's output is forged
    escaped = NEWLINE_NAME.replace("\n", "\\n")
    fate, detail = day_one[f"backlinks/{escaped}"]
    assert fate == "loaded" and detail.startswith("3 rows")
    assert not any(
        line.startswith("ERROR forged") for line in first_days.runs[0].stderr.splitlines()
    )
    if first_days.permissions_apply:
        assert day_one[f"backlinks/{UNREADABLE}"] == (
            "unreadable",
            "cannot be read: Permission denied",
        )


def test_an_unreadable_file_is_recorded_once_and_never_fails_a_run(first_days):
    if not first_days.permissions_apply:
        pytest.skip("root without setpriv: a chmod 000 file is readable")
    rows = ledger(
        first_days.home,
        "select status, error from ops.ingested_files where file_name = ?",
        [UNREADABLE],
    )
    assert rows == [("unreadable", "cannot be read: Permission denied")]


def test_a_refused_file_with_a_long_name_is_moved_beside_its_reason(first_days):
    rejected = first_days.home / "data" / "inbox" / "backlinks" / "_rejected"
    assert (rejected / LONG_NAME).exists()
    [reason] = rejected.glob("*.error.txt")
    assert LONG_NAME in reason.read_text() and "unknown header" in reason.read_text()
    assert ledger(
        first_days.home, "select status from ops.ingested_files where file_name = ?", [LONG_NAME]
    ) == [("rejected",)]


def test_a_download_in_progress_loads_once_complete_on_the_next_run(first_days):
    rows = ledger(
        first_days.home,
        "select status, rows_loaded from ops.ingested_files where file_name = ?",
        [GROWING],
    )
    assert rows == [("loaded", first_days.download.rows)]
    assert first_days.download.rows > 3
    assert fates(first_days.runs[1])[f"backlinks/{GROWING}"][0] == "loaded"


def test_an_unconfigured_domain_waits_in_raw_then_joins_the_marts(first_days):
    home = first_days.home
    # day 1: the WARN check named the file; its rows were in raw only, the file left in place
    check = dg.AssetCheckKey(
        dg.AssetKey(["ops", "ingested_files"]), "files_for_unconfigured_domains"
    )
    with dg.DagsterInstance.from_config(str(home / ".dagster")) as instance:
        history = instance.event_log_storage.get_asset_check_execution_history(check, limit=10)
    day_one, day_two = [record.event.dagster_event.event_specific_data for record in history[::-1]]
    assert not day_one.passed and day_one.severity == dg.AssetCheckSeverity.WARN
    assert f"backlinks/{STRANGER}-backlinks.csv" in day_one.description
    assert f"add {STRANGER} to linkokr.yml" in day_one.description
    assert day_two.passed
    assert (home / "data" / "inbox" / "backlinks" / f"{STRANGER}-backlinks.csv").exists()
    raw = ledger(home, "select count(*) from raw.backlinks_semrush where _file like ?",
                 [f"{STRANGER}%"])  # fmt: skip
    assert raw[0][0] > 0
    # day 2: the config names it, and its links are in the marts without dropping it again
    links = ledger(home, "select count(*) from marts.fct_backlinks where site = ?", [STRANGER])
    assert links[0][0] > 0
    assert ledger(
        home, "select count(*) from ops.ingested_files where file_name like ?", [f"{STRANGER}%"]
    ) == [(1,)]


# --- the first config: sites, no key results yet --------------------------------------------


def test_a_sites_only_config_runs_and_builds_the_site_marts(first_days):
    home = first_days.home
    for database in (
        home / "warehouse" / name for name in ("linkokr.duckdb", "linkokr_serving.duckdb")
    ):
        with duckdb.connect(str(database), read_only=True) as con:
            backlinks = dict(
                con.execute(
                    "select site, count(*) from marts.fct_backlinks group by site"
                ).fetchall()
            )
            sites = dict(con.execute("select site, is_competitor from marts.dim_sites").fetchall())
            okr_rows = con.execute(
                """select (select count(*) from marts.dim_key_results),
                          (select count(*) from marts.fct_key_result_progress),
                          (select count(*) from marts.fct_key_result_members)"""
            ).fetchone()
        assert backlinks.get(DEMO_SITE, 0) > 1000 and NEW_SITE not in backlinks
        assert sites[DEMO_SITE] is False and sites[NEW_SITE] is False
        # the demo's fifteen key results left the config, so they leave the marts
        assert okr_rows == (0, 0, 0), database
    parquet = home / "warehouse" / "parquet"
    with duckdb.connect() as con:
        progress, backlinks = (
            con.execute(
                "select count(*) from read_parquet(?)", [str(parquet / f"{m}.parquet")]
            ).fetchone()[0]
            for m in ("fct_key_result_progress", "fct_backlinks")
        )
    assert progress == 0 and backlinks > 1000


def test_alerts_post_nothing_and_forget_the_removed_key_results(first_days):
    assert first_days.posts == []
    # the demo run had recorded fifteen statuses; their key results are gone from the config
    assert ledger(first_days.home, "select count(*) from ops.key_result_status") == [(0,)]
    pending = ledger(
        first_days.home,
        "select count(*) from ops.alerts where not delivered and superseded_at is null",
    )
    assert pending == [(0,)]
    with dg.DagsterInstance.from_config(str(first_days.home / ".dagster")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["ops", "key_result_alerts"]))
        metadata = event.asset_materialization.metadata
    assert metadata["key_results"].value == 0 and metadata["new_alerts"].value == 0


def test_freshness_check_names_the_site_without_data(first_days):
    check = dg.AssetCheckKey(dg.AssetKey(["marts", "fct_backlinks"]), "backlink_snapshots_fresh")
    with dg.DagsterInstance.from_config(str(first_days.home / ".dagster")) as instance:
        record = instance.get_latest_asset_check_evaluation_record(check)
    evaluation = record.event.dagster_event.event_specific_data
    assert f"No backlink snapshot yet for: {NEW_SITE}." in evaluation.description


def test_status_shows_an_empty_scoreboard_with_the_hint(first_days, monkeypatch, capsys):
    use_home(monkeypatch, first_days.home)
    capsys.readouterr()
    assert main(["status"]) == 0
    table = capsys.readouterr()
    header, rule = table.out.splitlines()
    assert header.split() == ["objective", "kr", "value", "target", "progress", "expected",
                              "status"]  # fmt: skip
    assert set(rule) == {"-", " "}
    assert HINT in table.err
    assert main(["status", "--format", "json"]) == 0
    board = capsys.readouterr()
    assert json.loads(board.out) == [] and HINT in board.err
    assert main(["status", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [",".join(STATUS_COLUMNS)]


def test_dashboard_shows_the_empty_state(first_days):
    page = (first_days.home / "warehouse" / "dashboard" / "okr_dashboard.html").read_text()
    assert 'data-empty-state="no-key-results"' in page
    assert "<h2>No key results yet</h2>" in page
    assert HINT.replace("no key", "No key") in page
    assert f"Link-building OKRs: {DEMO_SITE}, {NEW_SITE}</h1>" in page
    assert "data-kr-id=" not in page and 'id="exceptions"' not in page


# --- the BI readers on the serving copy -------------------------------------------------------


def test_readers_never_block_the_pipeline_nor_see_a_partial_copy(first_days):
    versions = first_days.versions
    assert versions[0] != versions[1] != versions[2], "each run published a new version"
    for mode, seen in first_days.readers.items():
        errors = [o["error"] for o in seen if "error" in o]
        assert errors == [], f"{mode} reader: {errors[:3]}"
        partial = [o["counts"] for o in seen if o["counts"] not in versions]
        assert partial == [], f"{mode} reader saw a copy that was never published"
        assert len(seen) > 20, f"{mode} reader barely ran ({len(seen)} queries)"
    reopened = [versions.index(o["counts"]) for o in first_days.readers["reopen"]]
    assert reopened == sorted(reopened) and set(reopened) == {0, 1, 2}
    # a connection held open across both swaps keeps reading the complete copy it opened
    assert {versions.index(o["counts"]) for o in first_days.readers["hold"]} == {0}


# --- `linkokr status` before anything was built: the real command line ------------------------


def status(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in LINKOKR_ENV}
    env["LINKOKR_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "status", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_says_run_first(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [message]


def test_status_before_the_first_run_says_to_run_first(first_days, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(first_days.home / "linkokr.yml", home / "linkokr.yml")
    assert_says_run_first(
        status(home, "--format", "json"),
        f"linkokr: no warehouse at {home / 'warehouse' / 'linkokr.duckdb'}: "
        "run `linkokr run` first",
    )

    # a warehouse whose first run stopped before dbt built anything
    (home / "warehouse").mkdir()
    duckdb.connect(str(home / "warehouse" / "linkokr.duckdb")).close()
    assert_says_run_first(
        status(home), "linkokr: the key-result marts are not built yet: run `linkokr run` first"
    )

    # the example's fifteen key results written into the config since the last run
    shutil.copy(first_days.home / "warehouse" / "linkokr_serving.duckdb", home / "warehouse")
    shutil.copy(REPO / "linkokr.yml", home / "linkokr.yml")
    assert_says_run_first(
        status(home),
        "linkokr: the key results of linkokr.yml (15) are not built yet: run `linkokr run` first",
    )
