"""Benchmark (not a test): the daily sources at scale.

    make bench                                   # also runs bench_ingest
    python -m tests.bench.bench_daily --ga4-rows 1000000 --ranking-rows 5000000

1. GA4: one property-day of N rows paged through the real `google-analytics-data` client against
   the emulator; prints rows/s end to end and the share of the time spent inside the emulator.
2. Rankings: a full `dbt run` of the ranking facts over N rank-tracker rows, then the daily
   incremental run after one more day arrives; prints both and their ratio.
"""

import argparse
import json
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
from google.analytics.data_v1beta.types import DateRange, Metric, RunReportRequest

from demo.emulators.server import EmulatorServer
from ingest.config import load_config, write_config_tables
from ingest.inbox import ensure_raw_tables, load_file
from ingest.sources.ga4.api import fetch_day, make_client
from tests.conftest import run_dbt

REPO = Path(__file__).resolve().parents[2]
BENCH_DIR = REPO / ".linkokr" / "bench"
DAY = date(2026, 6, 1)
RANKING_MODELS = ["+fct_page_rankings_daily"]
CONFIG = """
sites:
  - domain: acme-outdoor.com
"""


def ga4(rows: int) -> None:
    data = BENCH_DIR / f"ga4_{rows}" / "ga4"
    if not (data / "1.csv").exists():
        data.mkdir(parents=True, exist_ok=True)
        (data / "properties.json").write_text('{"1": {"time_zone": "UTC"}}')
        duckdb.execute(f"""
            copy (
                select '{DAY:%Y%m%d}' as date, 'www.acme-outdoor.com' as hostName,
                       '/p/' || i as landingPagePlusQueryString,
                       (['Organic Search', 'Direct', 'Referral'])[i % 3 + 1]
                           as sessionDefaultChannelGroup,
                       i % 97 + 1 as sessions, i % 41 as engagedSessions, i % 7 as keyEvents,
                       i % 3 as transactions, round((i % 500) * 1.37, 2) as purchaseRevenue
                from range({rows}) t(i)
            ) to '{data / "1.csv"}' (header)
        """)
    with EmulatorServer(data.parent) as server:
        emulator = next(e for e in server.emulators if e.name == "ga4")
        spent = [0.0]
        handle = emulator.handle

        def timed(request):
            start = time.perf_counter()
            try:
                return handle(request)
            finally:
                spent[0] += time.perf_counter() - start

        emulator.handle = timed
        client = make_client(server.url)
        # warm-up: one tiny report, so the emulator's one-off CSV load is not timed
        client.run_report(
            RunReportRequest(
                property="properties/1",
                limit=1,
                metrics=[Metric(name="sessions")],
                date_ranges=[DateRange(start_date=str(DAY), end_date=str(DAY))],
            )
        )
        spent[0] = 0.0
        start = time.perf_counter()
        result = fetch_day(client, "1", DAY, page_size=100_000)
        seconds = time.perf_counter() - start
    print(
        f"GA4 runReport, {result.row_count:,} rows in {result.requests} pages: {seconds:.1f} s, "
        f"{result.row_count / seconds:,.0f} rows/s end to end; "
        f"{spent[0] / seconds:.0%} of it inside the emulator (the rest is HTTP + the client "
        "parsing JSON into protobuf)"
    )


def dbt_run(db: Path) -> tuple[float, float]:
    """Wall time of `dbt run`, and the time its models spent executing (run_results.json):
    the wall time includes dbt's fixed start-up (parsing, connecting) of a few seconds."""
    start = time.perf_counter()
    run_dbt(db, BENCH_DIR, "run", "--select", *RANKING_MODELS)
    wall = time.perf_counter() - start
    results = json.loads((BENCH_DIR / "target" / "run_results.json").read_text())
    return wall, sum(r["execution_time"] for r in results["results"])


def write_rankings(path: Path, keywords: int, days: list[date]) -> None:
    duckdb.execute(
        f"""
        copy (
            select 'keyword ' || k as "Keyword", 'tag' || (k % 5) as "Tags",
                   strftime(d, '%Y-%m-%d') as "Date",
                   case when (k + day(d)) % 9 = 0 then '-'
                        else ((k * 7 + day(d)) % 100 + 1)::varchar end
                       as "Position",
                   'https://www.acme-outdoor.com/p/' || (k % 400) as "URL",
                   (k % 1000) * 10 as "Search Volume"
            from range({keywords}) t(k),
                 unnest(?::date[]) u(d)
        ) to '{path}' (header)
    """,
        [days],
    )


def rankings(rows: int) -> None:
    keywords = 5000
    history = [DAY - timedelta(days=n) for n in range(rows // keywords)][::-1]
    folder = BENCH_DIR / f"rankings_{rows}"
    folder.mkdir(parents=True, exist_ok=True)
    full_file = folder / f"acme-outdoor.com-rankings_{history[-1]}.csv"
    if not full_file.exists():
        write_rankings(full_file, keywords, history)
    next_day = history[-1] + timedelta(days=1)
    day_file = folder / f"acme-outdoor.com-rankings_{next_day}.csv"
    write_rankings(day_file, keywords, [next_day])
    db = BENCH_DIR / "bench_rankings.duckdb"
    db.unlink(missing_ok=True)
    (BENCH_DIR / "linkokr.yml").write_text(CONFIG)
    con = duckdb.connect(str(db))
    ensure_raw_tables(con)
    write_config_tables(con, load_config(BENCH_DIR / "linkokr.yml"))
    loaded = load_file(con, full_file, "rankings").rows_loaded
    con.close()
    full = dbt_run(db)
    con = duckdb.connect(str(db))
    load_file(con, day_file, "rankings")
    con.close()
    incremental = dbt_run(db)
    con = duckdb.connect(str(db), read_only=True)
    facts = con.execute("select count(*) from marts.fct_keyword_rankings_daily").fetchone()[0]
    con.close()
    db.unlink(missing_ok=True)
    print(f"Rankings, {loaded:,} rank-tracker rows ({keywords:,} keywords x {len(history)} days):")
    print(
        f"  full dbt run of the ranking facts     : {full[0]:7.2f} s wall, "
        f"{full[1]:6.2f} s in the models"
    )
    print(
        f"  one-day incremental run (+{keywords:,} rows) : {incremental[0]:7.2f} s wall, "
        f"{incremental[1]:6.2f} s in the models ({facts:,} rows in fct_keyword_rankings_daily)"
    )
    print(
        f"  ratio incremental / full, models      : {incremental[1] / full[1]:7.2%} "
        f"(target <= 10%); wall: {incremental[0] / full[0]:.0%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ga4-rows", type=int, default=1_000_000)
    parser.add_argument("--ranking-rows", type=int, default=5_000_000)
    args = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    ga4(args.ga4_rows)
    rankings(args.ranking_rows)


if __name__ == "__main__":
    main()
