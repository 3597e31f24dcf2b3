"""Benchmark (not a test): linkokr's ingest of an Ahrefs UTF-16 export vs bare DuckDB `read_csv`.

    make bench                      # 1M rows
    make bench BENCH_ARGS="--rows 5000000"

Each measurement runs in its own process so peak RSS is its own. Prints wall times, their ratio
and peak RSS. The export is generated once per size under .linkokr/bench/ (UTF-16 LE + BOM + TAB).
"""

import argparse
import codecs
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.conftest import run_dbt

REPO = Path(__file__).resolve().parents[2]
BENCH_DIR = REPO / ".linkokr" / "bench"


def generate(rows: int) -> Path:
    path = BENCH_DIR / f"acme-outdoor.com-backlinks-subdomains_2026-04-18_{rows}.csv"
    if path.exists():
        return path
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    utf8 = path.with_suffix(".utf8.tmp")
    # DuckDB writes the rows; Python only transcodes the stream to UTF-16 in 1 MB chunks.
    duckdb.execute(f"""
        copy (
            select 'Page ' || i || ' about tents and hiking' as "Referring page title",
                   'https://site' || (i % 200000) || '.example.org/post/' || i || '?utm_source=x'
                       as "Referring page URL",
                   'en' as "Language", (i * 7919 % 100)::varchar as "Domain rating",
                   (i % 60)::varchar as "UR", (i % 5000)::varchar as "Domain traffic",
                   'https://www.acme-outdoor.com/guides/' || (i % 300) || '/' as "Target URL",
                   'read our' as "Left context", 'best tent ' || (i % 50) as "Anchor",
                   'review' as "Right context", 'text' as "Type",
                   case when i % 3 = 0 then 'false' else 'true' end as "Content",
                   case when i % 5 = 0 then 'true' else 'false' end as "Nofollow",
                   'false' as "UGC", 'false' as "Sponsored",
                   strftime(date '2024-01-01' + (i % 800)::int, '%Y-%m-%d 10:00:00')
                       as "First seen",
                   '2026-04-17 09:00:00' as "Last seen",
                   case when i % 20 = 0 then '2026-02-01 00:00:00' else '' end as "Lost"
            from range({int(rows)}) t(i)
        ) to '{utf8}' (header, delimiter '\t', quote '')
    """)
    with utf8.open("r", encoding="utf-8", newline="") as src, path.open("wb") as dst:
        dst.write(codecs.BOM_UTF16_LE)
        while chunk := src.read(1 << 20):
            dst.write(chunk.encode("utf-16-le"))
    utf8.unlink()
    return path


def measure(mode: str, path: Path) -> dict:
    """Run one measurement in a child process: {'seconds', 'rows', 'peak_rss_mb'}."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_ingest", "--child", mode, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


BACKLINK_MARTS = (
    "+dim_sites +fct_backlinks +fct_referring_domains_daily +fct_link_velocity_monthly "
    "+fct_link_gap"
)
BENCH_CONFIG = """
sites:
  - domain: acme-outdoor.com
    competitors: [rival-gear.com]
    relevance_topics: [camping, hiking, tent]
"""


def dbt_build(path: Path) -> dict:
    """Load the export, then time `dbt build` of the backlink models (a child process)."""
    from ingest.config import load_config, write_config_tables
    from ingest.inbox import ensure_raw_tables, load_file

    db = BENCH_DIR / "bench_dbt.duckdb"
    db.unlink(missing_ok=True)
    config = BENCH_DIR / "linkokr.yml"
    config.write_text(BENCH_CONFIG)
    con = duckdb.connect(str(db))
    ensure_raw_tables(con)
    write_config_tables(con, load_config(config))
    load_file(con, path, "backlinks")
    con.close()
    start = time.perf_counter()
    # cautious: a test between a selected model and one left out (a relationships test from
    # fct_disavow_candidates to dim_sites) is not run against a table this build never made
    run_dbt(
        db,
        BENCH_DIR,
        "build",
        "--indirect-selection",
        "cautious",
        "--select",
        *BACKLINK_MARTS.split(),
    )
    seconds = time.perf_counter() - start
    con = duckdb.connect(str(db), read_only=True)
    links = con.execute("select count(*) from marts.fct_backlinks").fetchone()[0]
    con.close()
    db.unlink(missing_ok=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "rows": links, "peak_rss_mb": peak}


def child(mode: str, path: Path) -> None:
    if mode == "dbt":
        print(json.dumps(dbt_build(path)))
        return
    db = BENCH_DIR / f"bench_{mode}.duckdb"
    db.unlink(missing_ok=True)
    # Importing linkokr (the GA4 and Dagster client libraries come with it) is a cost per
    # process, not per file: it happens before the clock starts.
    from ingest.inbox import ensure_raw_tables, load_file

    con = duckdb.connect(str(db))
    start = time.perf_counter()
    if mode == "bare":
        con.execute(
            "create table t as select * from read_csv(?, delim = '\t', header = true, "
            "encoding = 'utf-16', all_varchar = true)",
            [str(path)],
        )
        rows = con.execute("select count(*) from t").fetchone()[0]
    else:
        ensure_raw_tables(con)
        rows = load_file(con, path, "backlinks").rows_loaded
    # closing checkpoints the file: part of the cost of a durable load, for both modes
    con.close()
    seconds = time.perf_counter() - start
    db.unlink(missing_ok=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_rss_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each mode (median kept)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    path = generate(args.rows)
    size_mb = path.stat().st_size / 1e6
    # Alternate the two modes and keep each one's median: one run of each is at the mercy of
    # whatever else the machine does in those seconds.
    runs: dict[str, list[dict]] = {"bare": [], "linkokr": []}
    for _ in range(args.repeat):
        for mode in runs:
            runs[mode].append(measure(mode, path))
    bare, ingest = (
        sorted(runs[mode], key=lambda r: r["seconds"])[len(runs[mode]) // 2] for mode in runs
    )
    print(f"Ahrefs UTF-16 export: {args.rows:,} rows, {size_mb:,.0f} MB (median of {args.repeat})")
    print(
        f"  bare DuckDB read_csv -> table : {bare['seconds']:7.2f} s  "
        f"peak RSS {bare['peak_rss_mb']:,.0f} MB"
    )
    print(
        f"  linkokr ingest (load_file)    : {ingest['seconds']:7.2f} s  "
        f"peak RSS {ingest['peak_rss_mb']:,.0f} MB  ({ingest['rows']:,} rows)"
    )
    print(
        f"  ratio linkokr / bare          : {ingest['seconds'] / bare['seconds']:7.2f}x "
        f"(target <= 1.2x)"
    )
    dbt = measure("dbt", path)
    print(
        f"  dbt build, backlink models    : {dbt['seconds']:7.2f} s  "
        f"peak RSS {dbt['peak_rss_mb']:,.0f} MB  ({dbt['rows']:,} rows in fct_backlinks)"
    )


if __name__ == "__main__":
    main()
