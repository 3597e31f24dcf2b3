"""The dbt unit tests (`unit_tests:` in the models' YAML) run here, in `make test`.

The pipeline's daily `dbt build` leaves them out (they test the SQL, not the data). dbt types
the fixtures from the input relations, so they run against a copy of the demo warehouse, where
every model exists with its real column types (an `--empty` build types some columns NULL).
"""

import json

import pytest

from tests.conftest import REPO, copy_demo_home, run_dbt

pytestmark = pytest.mark.integration


def test_every_dbt_unit_test_passes(demo_home, tmp_path):
    home = copy_demo_home(demo_home, tmp_path / "home")
    run_dbt(home / "warehouse" / "linkokr.duckdb", tmp_path, "test", "--select", "test_type:unit")
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
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
