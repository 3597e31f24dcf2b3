"""The incremental facts give the same tables as a full rebuild (real dbt on a
real DuckDB file).

A first file is built in full; a second file revises the last days and adds a new one; the
incremental `dbt run` must then equal `dbt run --full-refresh` row for row, and the revised days
must carry the later file's values (the latest load wins). This guards the bounds that
`macros/incremental.sql` computes before compiling the models.
"""

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest.config import load_config, write_config_tables
from ingest.inbox import ensure_raw_tables, load_file
from tests.bench.bench_scale import write_backlinks
from tests.conftest import run_dbt

FACTS = ("fct_keyword_rankings_daily", "fct_page_rankings_daily", "fct_page_traffic_daily")
CONFIG = "sites:\n  - domain: acme.com\n"

RANKS_FIRST = "Keyword,Tags,Date,Position,URL,Search Volume\n" + "".join(
    f"{keyword},head,2026-04-0{day},{position + day},https://acme.com/{keyword},900\n"
    for keyword, position in (("tents", 2), ("boots", 10))
    for day in range(1, 6)
)
# Revises 04-05 (tents moves from 7 to 1) and adds 04-06.
RANKS_SECOND = (
    "Keyword,Tags,Date,Position,URL,Search Volume\n"
    "tents,head,2026-04-05,1,https://acme.com/tents,900\n"
    "boots,head,2026-04-05,15,https://acme.com/boots,900\n"
    "tents,head,2026-04-06,2,https://acme.com/tents,900\n"
    "boots,head,2026-04-06,>100,,900\n"
)


def traffic(days: range, sessions: int) -> str:
    header = "Date,Hostname,Landing page + query string,Session default channel group,Sessions\n"
    rows = "".join(
        f"202604{day:02d},www.acme.com,/tents/?utm_source=x,Organic Search,{sessions + day}\n"
        f"202604{day:02d},www.acme.com,/guides/camping,Organic Search,{sessions}\n"
        for day in days
    )
    return "# GA4 export\n" + header + rows


def dbt_run(db: Path, root: Path, *extra: str) -> None:
    run_dbt(db, root, "run", "--select", *(f"+{model}" for model in FACTS), *extra)


def facts(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            model: con.execute(f'select * from marts."{model}" order by all').fetchall()
            for model in FACTS
        }


def load(db: Path, path: Path, text: str, kind: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    with duckdb.connect(str(db)) as con:
        assert load_file(con, path, kind).status == "loaded"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    (root / "linkokr.yml").write_text(CONFIG)
    db = root / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        ensure_raw_tables(con)
        write_config_tables(con, load_config(root / "linkokr.yml"))
    inbox = root / "inbox"
    load(db, inbox / "rankings" / "acme.com-rankings_2026-04-05.csv", RANKS_FIRST, "rankings")
    load(
        db, inbox / "traffic" / "acme.com-ga4_2026-04-10.csv", traffic(range(1, 11), 100), "traffic"
    )
    dbt_run(db, root)
    first = facts(db)
    load(db, inbox / "rankings" / "acme.com-rankings_2026-04-06.csv", RANKS_SECOND, "rankings")
    load(
        db, inbox / "traffic" / "acme.com-ga4_2026-04-11.csv", traffic(range(9, 12), 500), "traffic"
    )
    dbt_run(db, root)
    incremental = facts(db)
    dbt_run(db, root, "--full-refresh")
    return first, incremental, facts(db), db


def test_an_incremental_run_equals_a_full_rebuild(built):
    first, incremental, full, _ = built
    for model in FACTS:
        assert incremental[model] == full[model], model
        assert len(incremental[model]) > len(first[model]), model


def test_the_later_load_wins_for_a_revised_day(built):
    *_, db = built
    with duckdb.connect(str(db), read_only=True) as con:
        positions = dict(
            con.execute(
                """select date::varchar || ' ' || keyword, position
                   from marts.fct_keyword_rankings_daily where date >= '2026-04-04'"""
            ).fetchall()
        )
        sessions = dict(
            con.execute(
                """select date::varchar, sessions from marts.fct_page_traffic_daily
                   where page = 'acme.com/guides/camping' and date >= '2026-04-08'"""
            ).fetchall()
        )
    assert positions == {
        "2026-04-04 tents": 6,
        "2026-04-04 boots": 14,
        "2026-04-05 tents": 1,
        "2026-04-05 boots": 15,
        "2026-04-06 tents": 2,
        "2026-04-06 boots": None,
    }
    # the GA4 export re-read the lookback days: 04-09 and 04-10 revised, 04-11 new
    assert sessions == {"2026-04-08": 100, "2026-04-09": 500, "2026-04-10": 500, "2026-04-11": 500}


# The backlink chain: snapshots are appended by load time (int_backlinks_unioned), rebuilt per
# touched snapshot (int_backlink_observations), and only the links a new snapshot can change are
# recomputed (int_backlinks_by_vendor, fct_backlinks). After every step the incrementally built
# tables must equal a full rebuild of a copy; `loaded_at` is bookkeeping (the load that last
# changed a row), so it is left out of the comparison.
BACKLINK_MODELS = (
    "int_backlinks_unioned",
    "int_backlink_observations",
    "int_backlinks_by_vendor",
    "fct_backlinks",
)
# Models whose `loaded_at` is the load that last changed a row, not a fact of the row.
BOOKKEEPING = ("int_backlinks_by_vendor", "fct_backlinks")
SITE = "acme-outdoor.com"


def backlink_tables(db: Path) -> dict[str, list[tuple]]:
    tables = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for model in BACKLINK_MODELS:
            schema = "marts" if model.startswith("fct") else "intermediate"
            columns = [
                f'"{name}"'
                for (name,) in con.execute(
                    """select column_name from information_schema.columns
                       where table_schema = ? and table_name = ? order by ordinal_position""",
                    [schema, model],
                ).fetchall()
                if not (name == "loaded_at" and model in BOOKKEEPING)
            ]
            tables[model] = con.execute(
                f'select {", ".join(columns)} from {schema}."{model}" order by all'
            ).fetchall()
    return tables


def dbt_backlinks(db: Path, root: Path, *extra: str) -> None:
    # build, not run: the public-suffix seed upstream of int_host_domains is built too
    run_dbt(
        db, root, "build", "--exclude-resource-type", "test", "--exclude-resource-type",
        "unit_test", "--select", "+fct_backlinks", "int_backlink_rules_applied", *extra,
    )  # fmt: skip


class FullRebuilds:
    """After every step, the incrementally built tables and a copy of the warehouse; at the end,
    each copy rebuilt in full (`--full-refresh`) must give the same tables. The rebuilds run two
    at a time, as separate dbt processes on separate files. Each of the two slots rebuilds at one
    path with one target directory, so dbt parses the project once per slot, not once per step
    (a different warehouse path is a different profile, which dbt re-parses for)."""

    def __init__(self, root: Path):
        self.root = root
        self.steps: list[tuple[Path, dict[str, list[tuple]]]] = []

    def record(self, db: Path) -> dict[str, list[tuple]]:
        copy = self.root / f"step_{len(self.steps)}.duckdb"
        shutil.copyfile(db, copy)
        self.steps.append((copy, backlink_tables(db)))
        return self.steps[-1][1]

    def assert_equal(self) -> None:
        from orchestration.defs.dbt.assets import DBT_PROJECT_DIR, dbt_executable

        def slot(number: int) -> Path:
            return self.root / f"rebuild_{number % 2}.duckdb"

        def start(number: int, copy: Path) -> subprocess.Popen:
            work = self.root / f"full_{number % 2}"
            shutil.copyfile(copy, slot(number))
            return subprocess.Popen(
                [dbt_executable(), "run", "--full-refresh", "--select", "+fct_backlinks",
                 "int_backlink_rules_applied", "--profiles-dir", str(DBT_PROJECT_DIR),
                 "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
                cwd=DBT_PROJECT_DIR,
                env={**os.environ, "LINKOKR_WAREHOUSE": str(slot(number))},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip

        for first in range(0, len(self.steps), 2):
            batch = list(enumerate(self.steps[first : first + 2], start=first))
            running = [(number, start(number, copy)) for number, (copy, _) in batch]
            for number, process in running:
                out, _ = process.communicate(timeout=600)
                assert process.returncode == 0, f"full rebuild of step {number}:\n{out[-3000:]}"
            for number, (_, incremental) in batch:
                full = backlink_tables(slot(number))
                for model in BACKLINK_MODELS:
                    assert incremental[model] == full[model], (number, model)


def fct_backlinks(db: Path, where: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"select count(*) from marts.fct_backlinks where {where}").fetchone()[0]


def test_backlinks_built_incrementally_equal_a_full_rebuild(tmp_path):
    config = tmp_path / "linkokr.yml"
    config.write_text(f"sites:\n  - domain: {SITE}\n")
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        ensure_raw_tables(con)
        write_config_tables(con, load_config(config))
    folder = tmp_path / "inbox" / "backlinks"
    folder.mkdir(parents=True)

    def drop(name: str, rows: int, first: int, snapshot: date) -> None:
        path = folder / f"{SITE}-backlinks-{name}_{snapshot}.csv"
        write_backlinks(path, SITE, rows, first, snapshot)
        with duckdb.connect(str(db)) as con:
            assert load_file(con, path, "backlinks").status == "loaded"
        dbt_backlinks(db, tmp_path)

    rebuilds = FullRebuilds(tmp_path)
    drop("subdomains", 300, 0, date(2026, 4, 1))
    first = rebuilds.record(db)

    # a partial export (20 links, 10 of them new): it adds and updates, and removes nothing
    drop("new", 20, 290, date(2026, 4, 8))
    partial = rebuilds.record(db)
    assert len(partial["fct_backlinks"]) == len(first["fct_backlinks"]) + 10
    assert fct_backlinks(db, "lost_date = date '2026-04-08'") == 0

    # a second partial export in a row is still partial (it is compared with the last full one)
    drop("new", 10, 320, date(2026, 4, 9))
    rebuilds.record(db)
    assert fct_backlinks(db, "lost_date = date '2026-04-09'") == 0
    assert fct_backlinks(db, "is_live") >= 300

    # a later full export that drops the first 100 links and adds 50
    drop("subdomains", 250, 100, date(2026, 4, 15))
    rebuilds.record(db)
    assert fct_backlinks(db, "lost_date = date '2026-04-15'") >= 90
    # live on the new latest snapshot date: the links lost on it are not
    assert fct_backlinks(db, "is_live and lost_date <= date '2026-04-15'") == 0

    # a full export dated between the two, loaded late: the 04-15 losses of the links it no
    # longer holds move to 04-12
    drop("subdomains", 280, 20, date(2026, 4, 12))
    rebuilds.record(db)
    assert fct_backlinks(db, "lost_date = date '2026-04-12'") >= 15

    # a config change with no new data: the disavowed domain's links turn toxic
    config.write_text(f"sites:\n  - domain: {SITE}\n    disavow: [example3.org]\n")
    with duckdb.connect(str(db)) as con:
        write_config_tables(con, load_config(config))
    assert fct_backlinks(db, "source_domain = 'example3.org' and is_toxic") == 0
    dbt_backlinks(db, tmp_path)
    rebuilds.record(db)
    assert fct_backlinks(db, "source_domain = 'example3.org' and not is_toxic") == 0
    assert fct_backlinks(db, "source_domain = 'example3.org'") > 0
    rebuilds.assert_equal()
