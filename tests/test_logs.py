"""What `linkokr run` prints, read as a person reads it: one line per step with its counts, dbt
summarised (the failures once, the full log's path), a rejected file named once, step counters
from 1, and no line repeated per day of an API pull.

One run of the run's own job and console logger on a copy of the demo home: the inbox (a new file
and one it refuses), 30 days of Search Console from the emulator, and a dbt build of two models
whose raw table is gone (a real dbt error)."""

import contextlib
import io
import logging
import re
import shutil
from collections import Counter, deque
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from demo.emulators.server import EmulatorServer
from ingest.settings import Paths
from orchestration.cli.run import RUN_CONFIG, console_job
from orchestration.definitions import build_definitions
from orchestration.defs.dbt.assets import dbt_log_file
from orchestration.defs.dbt.summary import BuildSummary, quiet_stdout
from orchestration.defs.gsc.assets import SEARCH_ANALYTICS
from orchestration.defs.inbox.assets import LEDGER_KEY, RAW_TABLES
from orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG
from tests.conftest import copy_demo_home, use_home

DAYS = 30
REFUSED = "acme-outdoor.com-mystery.csv"
NEW_FILE = "domain_metrics_2026-01-02.csv"
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")


@pytest.fixture(scope="module")
def run(demo_home, tmp_path_factory):
    """(console output, run result, home) of the run described in the module docstring."""
    home = copy_demo_home(demo_home, tmp_path_factory.mktemp("logs") / "home")
    inbox = home / "data" / "inbox"
    for kind in inbox.iterdir():  # loaded by the demo (the ledger knows them): not this run's
        shutil.rmtree(kind)
    (inbox / "domain_metrics").mkdir(parents=True)
    (inbox / "domain_metrics" / NEW_FILE).write_text(
        "date,domain,metric,value\n2026-01-02,acme-outdoor.com,moz_da,37\n"
    )
    (inbox / "backlinks").mkdir()
    (inbox / "backlinks" / REFUSED).write_text("a;b\n1;2\n")
    with duckdb.connect(str(home / "warehouse" / "linkokr.duckdb")) as con:
        con.execute("drop table raw.config_sites cascade")  # stg_config__sites cannot build
    yesterday = date.today() - timedelta(days=1)
    output = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, EmulatorServer(home / "data" / "emulator") as server:
        use_home(mp, home)
        mp.setenv("LINKOKR_GSC_ENDPOINT", server.url)
        paths = Paths.from_env()
        for name, value in paths.export().items():
            mp.setenv(name, value)
        job = console_job(build_definitions(paths))
        selection = [
            LEDGER_KEY,
            *(dg.AssetKey(["raw", table]) for table in RAW_TABLES),
            SEARCH_ANALYTICS,
            dg.AssetKey(["staging", "stg_config__sites"]),
            dg.AssetKey(["marts", "dim_sites"]),
        ]
        with dg.instance_for_test() as instance, contextlib.redirect_stderr(output):
            result = job.execute_in_process(
                run_config=RUN_CONFIG,
                instance=instance,
                asset_selection=selection,
                tags={
                    RANGE_START_TAG: (yesterday - timedelta(days=DAYS - 1)).isoformat(),
                    RANGE_END_TAG: yesterday.isoformat(),
                },
                raise_on_error=False,
            )
    return output.getvalue(), result, home


def messages(output: str) -> list[str]:
    """Each logged message (its continuation lines joined), without the time and level."""
    found: list[str] = []
    for line in output.splitlines():
        if LINE.match(line):
            found.append(LINE.sub("", line))
        elif found:
            found[-1] += "\n" + line
    return found


def test_dbt_is_one_summary_line_with_counts_and_the_full_logs_path(run):
    output, result, home = run
    log_file = dbt_log_file(Paths.from_env({"LINKOKR_HOME": str(home)}))
    summaries = [m for m in messages(output) if "dbt build:" in m]
    assert len(summaries) == 1
    assert "0 of 2 models built (1 error, 1 skipped)" in summaries[0]
    # the two models' tests all skipped, however many the project defines on them
    skipped = re.search(r"(\d+) tests: 0 passed, 0 warned, 0 failed, (\d+) skipped", summaries[0])
    assert skipped and skipped[1] == skipped[2] and int(skipped[1]) > 0, summaries[0]
    assert f"full log: {log_file}" in summaries[0]
    assert log_file.exists() and "stg_config__sites" in log_file.read_text()
    # dbt's own console lines (two per model and test) are not in the console
    assert " of 13 START " not in output and "Running with dbt=" not in output
    # ...while Dagster still gets each model's and test's outcome
    assert not result.success
    failed = {e.step_key for e in result.all_events if e.is_step_failure}
    assert failed == {"linkokr_dbt_models"}


def test_a_dbt_failure_is_said_once_without_a_stack_trace(run):
    output, _, _ = run
    assert output.count("Table with name config_sites does not exist") == 1
    assert output.count("model stg_config__sites (error)") == 1
    assert "Stack Trace" not in output and "Traceback" not in output


def test_no_line_repeats_per_day_of_an_api_pull(run):
    output, _, _ = run
    shapes = Counter(re.sub(r"\d+", "#", m.splitlines()[0]) for m in messages(output))
    assert shapes.most_common(1)[0][1] <= 3, shapes.most_common(3)
    gsc = [m for m in messages(output) if m.startswith("raw__gsc_search_analytics:")]
    assert len(gsc) == 1
    assert f"Search Console acme-outdoor.com: {DAYS} of {DAYS} days loaded" in gsc[0]


def test_a_refused_file_is_named_once_and_counters_start_at_one(run):
    output, _, _ = run
    inbox = [m for m in messages(output) if m.startswith("inbox_files:")]
    assert sum(REFUSED in m for m in inbox) == 1
    assert output.count(REFUSED) == 1  # not again by the loader's own logger
    counted = [re.search(r"\[(\d+)/(\d+)\]", m) for m in inbox]
    numbers = [(int(c[1]), int(c[2])) for c in counted if c]
    assert numbers == [(1, 2), (2, 2)]  # the new file and the refused one, of the two new ones
    assert any("2 new file(s) to load" in m for m in inbox)


@pytest.mark.unit
def test_the_summary_counts_each_kind_of_outcome_once():
    results = {
        "elapsed_time": 12.34,
        "results": [
            {"unique_id": "model.linkokr.a", "status": "success"},
            {"unique_id": "model.linkokr.b", "status": "error", "message": "boom"},
            {"unique_id": "test.linkokr.not_null_a.1", "status": "pass"},
            {"unique_id": "test.linkokr.unique_a.2", "status": "warn", "message": "Got 2"},
            {"unique_id": "test.linkokr.rel_a.3", "status": "fail", "message": "Got 1"},
        ],
    }
    summary = BuildSummary.from_run_results(results)
    assert summary.line(Path("dbt.log")) == (
        "dbt build: 1 of 2 models built (1 error), 3 tests: 1 passed, 1 warned, 1 failed "
        "(12.3 s); full log: dbt.log"
    )
    assert summary.warnings_line() == "dbt: 1 test(s) warned: unique_a"
    assert summary.failure_text(Path("dbt.log")).splitlines()[1:] == [
        "model b (error): boom",
        "test rel_a (fail): Got 1",
    ]


@pytest.mark.unit
def test_what_dbt_prints_goes_to_debug_and_its_last_lines_are_kept(capsys, caplog):
    def events():
        print("1 of 2 START sql view model staging.a")
        yield "a"
        print("2 of 2 OK created sql view model staging.a")
        yield "b"

    tail = deque(maxlen=1)
    with caplog.at_level(logging.DEBUG, logger="orchestration.defs.dbt.summary"):
        assert list(quiet_stdout(events(), tail)) == ["a", "b"]
    assert capsys.readouterr().out == ""
    assert list(tail) == ["2 of 2 OK created sql view model staging.a"]
    assert "1 of 2 START" in caplog.text
