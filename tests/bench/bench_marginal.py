"""Benchmark (not a test): the marginal cost of a whole `linkokr run` per million backlink rows,
against a bare DuckDB `read_csv` of the same file.

    make bench                                              # 1M and 3M rows
    python -m tests.bench.bench_marginal --sizes 20000,60000  # a quick check

For each size, an Ahrefs UTF-16 export (UTF-16 LE + BOM + TAB, generated once per size under
.linkokr/bench/ by bench_ingest) is read by a bare DuckDB `read_csv` into a table of a fresh
file (closed, so checkpointed), and dropped into the inbox of a fresh, empty home
(.linkokr/bench/marginal/<rows>/) whose linkokr.yml holds the own site and one key result;
`linkokr run` then runs there in a child process, as the daily job does. Every measurement runs
in a process of its own: peak RSS is its own (for `linkokr run`, summed over its process tree
from /proc, dbt's subprocess included).

The fixed costs of a run (starting Python, Dagster and dbt, the models over an almost empty
warehouse) are the same at every size; the difference between the largest and the smallest size,
per million rows, is what each million rows costs. Prints wall times, their ratios and the
marginals per 1M rows; it asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import duckdb

from tests.bench.bench_ingest import BENCH_DIR, generate, measure
from tests.bench.bench_scale import linkokr_run

HOMES = BENCH_DIR / "marginal"
# The name Ahrefs gives the export (bench_ingest's cached copy carries the row count as well).
INBOX_NAME = "acme-outdoor.com-backlinks-subdomains_2026-04-18.csv"
# The own site and exactly one key result: new followed backlinks over a period around the
# export's date (the generated links were first seen from 2024-01-01 to 2026-03-10, so some fall
# in it). Not referring domains: every generated referring page is on a subdomain of one
# registrable domain, example.org, which such a key result would count once.
CONFIG = """\
# bench_marginal: the own site and one key result, nothing else.
sites:
  - domain: acme-outdoor.com
    objectives:
      - id: links
        title: Win new followed backlinks
        period: {start: 2026-01-01, end: 2026-06-30}
        key_results:
          - id: new-followed-links
            title: 1,000 new followed backlinks
            metric: backlinks_acquired
            filters: {followed_only: true}
            target: 1000
"""


def make_home(rows: int, export: Path) -> Path:
    """A fresh, empty home: linkokr.yml and the export dropped into the backlinks inbox."""
    home = HOMES / str(rows)
    if home.exists():
        shutil.rmtree(home)
    inbox = home / "data" / "inbox" / "backlinks"
    inbox.mkdir(parents=True)
    (home / "linkokr.yml").write_text(CONFIG)
    shutil.copyfile(export, inbox / INBOX_NAME)
    return home


def whole_run(home: Path) -> dict:
    """`linkokr run` in `home` (bench_scale's child process): {'seconds', 'rows', 'peak_rss_mb'}."""
    seconds, rss = linkokr_run(home, home / "run.log")
    con = duckdb.connect(str(home / "warehouse" / "linkokr.duckdb"), read_only=True)
    links = con.execute("select count(*) from marts.fct_backlinks").fetchone()[0]
    con.close()
    return {"seconds": seconds, "rows": links, "peak_rss_mb": rss.peak() / 2**20}


def sizes_arg(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of row counts: {text!r}") from None
    if len(sizes) < 2 or sizes[0] <= 0:
        raise argparse.ArgumentTypeError("two or more distinct row counts > 0, e.g. 20000,60000")
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--sizes",
        type=sizes_arg,
        default=sizes_arg("1000000,3000000"),
        help="row counts, comma-separated (default 1000000,3000000)",
    )
    args = parser.parse_args()
    results: dict[int, tuple[dict, dict]] = {}
    for rows in args.sizes:
        export = generate(rows)
        size_mb = export.stat().st_size / 1e6
        bare = measure("bare", export)
        run = whole_run(make_home(rows, export))
        results[rows] = (bare, run)
        print(f"Ahrefs UTF-16 export: {rows:,} rows, {size_mb:,.0f} MB")
        print(
            f"  bare DuckDB read_csv -> table : {bare['seconds']:7.2f} s  "
            f"peak RSS {bare['peak_rss_mb']:,.0f} MB  ({bare['rows']:,} rows)"
        )
        print(
            f"  linkokr run, empty home       : {run['seconds']:7.2f} s  "
            f"peak RSS {run['peak_rss_mb']:,.0f} MB  ({run['rows']:,} rows in fct_backlinks)"
        )
        print(f"  ratio linkokr run / bare      : {run['seconds'] / bare['seconds']:7.2f}x")
    low, high = args.sizes[0], args.sizes[-1]
    millions = (high - low) / 1e6
    marginal = {}
    print(f"Marginal cost per 1M rows ({high:,} rows against {low:,}):")
    for index, label in enumerate(("bare DuckDB read_csv", "linkokr run")):
        first, last = results[low][index]["seconds"], results[high][index]["seconds"]
        marginal[label] = (last - first) / millions
        print(f"  {label:<20} : {first:7.2f} s / {last:7.2f} s -> {marginal[label]:7.2f} s per 1M")
    bare_marginal = marginal["bare DuckDB read_csv"]
    ratio = marginal["linkokr run"] / bare_marginal if bare_marginal > 0 else float("nan")
    print(f"  ratio of the marginals : {ratio:7.2f}x (target <= 3x)")


if __name__ == "__main__":
    main()
