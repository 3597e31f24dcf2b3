"""`linkokr status` as a new user meets it: a day after the data ends, the demo's home missed."""

from datetime import timedelta

import duckdb
import pytest

from orchestration.cli import main
from tests.conftest import LINKOKR_ENV, use_home


@pytest.mark.e2e
def test_a_day_after_the_data_says_so_and_shows_the_last_days_scoreboard(
    demo_home, monkeypatch, capsys
):
    use_home(monkeypatch, demo_home)
    con = duckdb.connect(str(demo_home / "warehouse" / "linkokr.duckdb"), read_only=True)
    try:
        last = con.execute("select max(date) from marts.fct_key_result_progress").fetchone()[0]
    finally:
        con.close()

    capsys.readouterr()
    assert main(["status", "--date", last.isoformat()]) == 0
    on_the_last_day = capsys.readouterr()
    assert on_the_last_day.err == ""  # the last data day itself: nothing to say

    assert main(["status", "--date", (last + timedelta(days=30)).isoformat()]) == 0
    after = capsys.readouterr()
    assert after.out == on_the_last_day.out  # the scoreboard, as of the last data day
    assert after.err == f"linkokr: no data after {last}; the scoreboard is as of {last}\n"


@pytest.mark.unit
def test_no_warehouse_beside_the_demos_names_the_demo_home(tmp_path, monkeypatch):
    """After `make demo` (everything under <repo>/.demo/), `linkokr status` from the repo root."""
    for name in (*LINKOKR_ENV, "LINKOKR_HOME"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".demo" / "warehouse").mkdir(parents=True)
    duckdb.connect(str(tmp_path / ".demo" / "warehouse" / "linkokr.duckdb")).close()
    monkeypatch.chdir(tmp_path)

    with pytest.raises(SystemExit) as exit_:
        main(["status"])
    assert str(exit_.value) == (
        f"linkokr: no warehouse at {tmp_path.resolve() / 'warehouse' / 'linkokr.duckdb'}. "
        "The demo's is in .demo/: run LINKOKR_HOME=.demo linkokr status"
    )


@pytest.mark.unit
def test_no_warehouse_in_a_chosen_home_says_to_run_first(tmp_path, monkeypatch):
    """A home chosen with LINKOKR_HOME is not second-guessed, even beside a demo."""
    (tmp_path / ".demo" / "warehouse").mkdir(parents=True)
    duckdb.connect(str(tmp_path / ".demo" / "warehouse" / "linkokr.duckdb")).close()
    monkeypatch.chdir(tmp_path)
    home = use_home(monkeypatch, tmp_path / "home")

    with pytest.raises(SystemExit) as exit_:
        main(["status"])
    assert str(exit_.value) == (
        f"linkokr: no warehouse at {home / 'warehouse' / 'linkokr.duckdb'}: run `linkokr run` first"
    )
