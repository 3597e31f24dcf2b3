"""The key-result checks on `marts.fct_key_result_progress` (docs/config.md, "Checks and alerts"):
their metadata is for a person to read, with the raw values left in the mart."""

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from ingest.config import load_config
from orchestration.defs.okrs.checks import PROGRESS, build_key_result_checks, display_float

REPO = Path(__file__).resolve().parents[1]
# What the mart holds: unrounded ratios and projections.
RAW = {
    "value": 10.333333333333334,
    "baseline": 2.0,
    "target": 25.0,
    "progress": 0.5784946236559139,
    "expected_progress": 0.41758241758241754,
    "pace": 1.3853383458646618,
    "projected_value": 24.99999999999999,
    "days_remaining": 53.0,
}


def decimals(value: float) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


@pytest.mark.unit
@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (0.5784946236559139, 0.578),
        (1.3853383458646618, 1.385),
        (24.99999999999999, 25.0),
        (12, 12.0),
        (-0.0001, 0.0),
        (123456.78949, 123456.789),
    ],
)
def test_display_float_keeps_three_decimals(raw, shown):
    assert display_float(raw) == shown
    assert decimals(display_float(raw)) <= 3


def test_key_result_check_metadata_shows_rounded_floats(tmp_path):
    config = load_config(REPO / "linkokr.yml")
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            """create table marts.fct_key_result_progress (
                   kr_id varchar, date date, status varchar, projected_status varchar,
                   value double, baseline double, target double, progress double,
                   expected_progress double, pace double, projected_value double,
                   days_remaining double, is_latest boolean)"""
        )
        con.executemany(
            "insert into marts.fct_key_result_progress values "
            "(?, ?, 'on_track', 'achieved', ?, ?, ?, ?, ?, ?, ?, ?, true)",
            [[kr.kr_id, date(2026, 11, 20), *RAW.values()] for kr in config.key_results()],
        )

    @dg.asset(key=PROGRESS)
    def fct_key_result_progress():
        """Stands in for the dbt model: the checks read the warehouse, not this asset."""

    result = dg.materialize(
        [fct_key_result_progress, *build_key_result_checks(config)],
        resources={"warehouse": DuckDBResource(database=str(warehouse))},
        instance=dg.DagsterInstance.ephemeral(),
    )

    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == len(config.key_results())
    for evaluation in evaluations:
        floats = {
            name: entry.value
            for name, entry in evaluation.metadata.items()
            if isinstance(entry.value, float)
        }
        assert set(floats) == set(RAW), evaluation.check_name
        assert all(decimals(value) <= 4 for value in floats.values()), floats
        assert floats["progress"] == 0.578 and floats["pace"] == 1.385
    # the mart keeps the raw values
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select distinct progress from marts.fct_key_result_progress"
        ).fetchall() == [(0.5784946236559139,)]
