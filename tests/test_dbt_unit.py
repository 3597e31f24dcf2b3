"""The dbt unit tests (`unit_tests:` in the models' YAML) run here, in `make test`.

The pipeline's daily `dbt build` leaves them out (they test the SQL, not the data). dbt types
the fixtures from the input relations, so they run against a copy of the demo warehouse, where
every model exists with its real column types (an `--empty` build types some columns NULL).
"""

import json

import pytest

from tests.conftest import REPO, copy_demo_home, run_dbt

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def project(demo_home, tmp_path_factory):
    """A copy of the demo warehouse, and dbt's target directory, shared by this module's dbt
    invocations (the second one parses only what changed, as a daily run does)."""
    work = tmp_path_factory.mktemp("dbt_unit")
    home = copy_demo_home(demo_home, work / "home")
    return home / "warehouse" / "linkokr.duckdb", work


def test_every_dbt_unit_test_passes(project):
    warehouse, work = project
    run_dbt(warehouse, work, "test", "--select", "test_type:unit")
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    # the project's on-run-start hook reports as an operation ("success"), not a test
    tests = [r for r in results if not r["unique_id"].startswith("operation.")]
    failed = [r["unique_id"] for r in tests if r["status"] != "pass"]
    assert not failed, failed
    # every unit test of the project ran (a YAML typo would silently drop one)
    declared = sum(
        path.read_text().count("\n  - name: ")
        for path in (REPO / "dbt_project" / "models").rglob("_*__unit_tests.yml")
    )
    assert len(tests) == declared >= 40


def test_the_uniqueness_test_reports_every_repeated_key(project):
    """The project's own `unique_combination` test (it stands in for dbt_utils') finds each key
    that occurs twice, whichever way it looks for them."""
    import duckdb

    warehouse, work = project
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into marts.fct_backlinks select * from marts.fct_backlinks limit 3")
    test = "unique_combination_fct_backlinks_site__backlink_id"
    result = run_dbt(warehouse, work, "test", "--select", test, check=False)
    assert result.returncode == 1, result.stdout[-4000:]
    [outcome] = [
        r
        for r in json.loads((work / "target" / "run_results.json").read_text())["results"]
        if r["unique_id"].startswith("test.")
    ]
    assert (outcome["status"], outcome["failures"]) == ("fail", 3)
