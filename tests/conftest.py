"""Shared fixtures: a linkokr home with the repo's example config.

Tests come in three layers, by marker: `unit` (one module, no dbt build and no Dagster run:
`make check`), `integration` (a real dbt build or a Dagster materialization of a part of the
graph) and `e2e` (whole pipeline runs as users start them). A test marked neither unit nor e2e is
an integration test. `make test` runs all three.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

# The `demo` fixture (the demo's inputs for a fixed day) of the demo data tests.
pytest_plugins = ["tests.demo_files"]
# Helper modules whose asserts should explain themselves like a test's.
pytest.register_assert_rewrite("tests.okr_hand_calculation")

REPO = Path(__file__).resolve().parents[1]
LINKOKR_ENV = (
    "LINKOKR_CONFIG",
    "LINKOKR_ENGINE",
    "LINKOKR_INBOX",
    "LINKOKR_WAREHOUSE",
    "LINKOKR_SERVING",
    "DAGSTER_HOME",
    "LINKOKR_GA4_ENDPOINT",
    "LINKOKR_GSC_ENDPOINT",
    "LINKOKR_AHREFS_ENDPOINT",
    "LINKOKR_SEMRUSH_ENDPOINT",
    "LINKOKR_ALERT_WEBHOOK",
    "AHREFS_API_KEY",
    "SEMRUSH_API_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
)


# The files that take minutes, longest first (seen with `--durations`): `make test` hands whole
# files to its workers in collection order (pytest-xdist `--dist loadfile --no-loadscope-reorder`),
# so these start at once and the many quick files fill in around them, instead of a worker ending
# the run alone with a Spark build. test_spark waits for the shared demo, which its worker then
# builds; test_incremental, second, needs no demo, so the other worker never waits for it.
LONGEST_FIRST = (
    "test_spark.py",
    "test_incremental.py",
    "test_killed_runs.py",
    "test_first_days.py",
    "test_okr_metrics.py",
    "test_faults.py",
    "test_backlinks_e2e.py",
    "test_disk_full.py",
    "test_analyst_queries.py",
    "test_hostile_inputs.py",
    "test_dbt_unit.py",
    "test_dev.py",
    "test_corpus.py",
    "test_logs.py",
    "test_recovery.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not any(item.get_closest_marker(layer) for layer in ("unit", "e2e")):
            item.add_marker(pytest.mark.integration)
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: files stay whole


def use_home(mp: pytest.MonkeyPatch, home: Path) -> Path:
    """Point linkokr at `home` and nothing else: every other LINKOKR_* variable unset."""
    for name in LINKOKR_ENV:
        mp.delenv(name, raising=False)
    mp.setenv("LINKOKR_HOME", str(home))
    return home


@pytest.fixture
def linkokr_home(tmp_path, monkeypatch) -> Path:
    """An empty LINKOKR_HOME holding a copy of the example config, set in the environment."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPO / "linkokr.yml", home / "linkokr.yml")
    return use_home(monkeypatch, home)


@pytest.fixture
def con():
    """An empty in-memory warehouse with every raw relation and the ledger: what the inbox loads
    into."""
    import duckdb

    from ingest.inbox import ensure_raw_tables

    connection = duckdb.connect()
    ensure_raw_tables(connection)
    yield connection
    connection.close()


# For the API client tests: each module serves its emulator as `server` (module scope).
@pytest.fixture
def emulator(server):
    """The module's emulator server, with no fault scripted before or after the test."""
    server.clear_faults()
    yield server
    server.clear_faults()


@pytest.fixture
def waits() -> list[float]:
    """The back-off waits a client would have slept (its `sleep`), recorded instead."""
    return []


@pytest.fixture
def warehouse(tmp_path: Path):
    """A connection to a fresh DuckDB file."""
    import duckdb

    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield con
    con.close()


DEMO_DAYS = 120


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """One `linkokr demo` run (120 days) shared by every test module that reads its results.

    Treat it as read-only: a test that writes (re-runs the pipeline, reloads a config) copies
    it first with `copy_demo_home`. The environment is restored once the demo has run, so a test
    that needs LINKOKR_HOME set calls `use_home(monkeypatch, demo_home)` itself. Under
    pytest-xdist (`make test`) the workers share one demo: the first builds it under a file lock,
    the others wait for it.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return _build_demo(tmp_path_factory.mktemp("demo_home"))
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # the same for every worker of this session
    home, built = shared / "demo_home", shared / "demo_home.built"
    with FileLock(str(shared / "demo_home.lock")):
        if not built.exists():
            _build_demo(home)
            built.touch()
    return home


def _build_demo(home: Path) -> Path:
    from orchestration.cli import main

    home.mkdir(parents=True, exist_ok=True)
    # `linkokr demo` points the API sources at its emulators in os.environ (and those stop with
    # it): the whole environment is put back afterwards, not only what use_home changed.
    saved = dict(os.environ)
    try:
        with pytest.MonkeyPatch.context() as mp:
            use_home(mp, home)
            code = main(["demo", "--days", str(DEMO_DAYS)])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert code == 0, "linkokr demo failed: every demo-based test depends on it"
    return home


def copy_demo_home(demo_home: Path, target: Path) -> Path:
    """A private, writable copy of the shared demo home (the warehouse, inbox and config)."""
    shutil.copytree(demo_home, target, ignore=shutil.ignore_patterns(".dagster"))
    return target


def run_dbt(
    warehouse: Path, work_dir: Path, *args: str, check: bool = True
) -> subprocess.CompletedProcess:
    """`dbt <args>` on `warehouse`, as the dbt asset runs it, with dbt's target and logs under
    `work_dir` (never in the repo). Fails the test, with dbt's output, when dbt fails (unless
    `check` is false)."""
    from orchestration.defs.dbt.assets import DBT_PROJECT_DIR, dbt_executable

    result = subprocess.run(
        [
            dbt_executable(),
            *args,
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(work_dir / "target"),
            "--log-path",
            str(work_dir / "logs"),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "LINKOKR_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 or not check, result.stdout[-4000:]
    return result
