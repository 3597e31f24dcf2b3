"""The incremental facts give the same tables as a full rebuild (layer c of style.md: real dbt on a
real DuckDB file).

A first file is built in full; a second file revises the last days and adds a new one; the
incremental `dbt run` must then equal `dbt run --full-refresh` row for row, and the revised days
must carry the later file's values (the latest load wins). This guards the bounds that
`macros/incremental.sql` computes before compiling the models.
"""

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


# The backlink chain: snapshots are appended by load time (int_backlinks_unioned) and rebuilt per
# touched snapshot (int_backlink_observations); everything downstream must come out the same.
BACKLINK_MODELS = ("int_backlinks_unioned", "int_backlink_observations", "fct_backlinks")


def backlink_tables(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            model: con.execute(
                f'select * from {"marts" if model.startswith("fct") else "intermediate"}."{model}" '
                "order by all"
            ).fetchall()
            for model in BACKLINK_MODELS
        }


def dbt_backlinks(db: Path, root: Path, *extra: str) -> None:
    run_dbt(db, root, "run", "--select", "+fct_backlinks", *extra)


def test_backlinks_built_incrementally_equal_a_full_rebuild(tmp_path):
    (tmp_path / "linkokr.yml").write_text("sites:\n  - domain: acme-outdoor.com\n")
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        ensure_raw_tables(con)
        write_config_tables(con, load_config(tmp_path / "linkokr.yml"))
    folder = tmp_path / "inbox" / "backlinks"
    folder.mkdir(parents=True)
    first = folder / "acme-outdoor.com-backlinks-subdomains_2026-04-01.csv"
    write_backlinks(first, "acme-outdoor.com", 300, 0, date(2026, 4, 1))
    with duckdb.connect(str(db)) as con:
        assert load_file(con, first, "backlinks").status == "loaded"
    dbt_backlinks(db, tmp_path)
    before = backlink_tables(db)
    # a later full export that drops the first 100 links and adds 50
    second = folder / "acme-outdoor.com-backlinks-subdomains_2026-04-15.csv"
    write_backlinks(second, "acme-outdoor.com", 250, 100, date(2026, 4, 15))
    with duckdb.connect(str(db)) as con:
        assert load_file(con, second, "backlinks").status == "loaded"
    dbt_backlinks(db, tmp_path)
    incremental = backlink_tables(db)
    dbt_backlinks(db, tmp_path, "--full-refresh")
    full = backlink_tables(db)
    for model in BACKLINK_MODELS:
        assert incremental[model] == full[model], model
        assert len(incremental[model]) > len(before[model]), model
    with duckdb.connect(str(db), read_only=True) as con:
        lost = con.execute("select count(*) from marts.fct_backlinks where not is_live").fetchone()
    assert lost[0] >= 100
