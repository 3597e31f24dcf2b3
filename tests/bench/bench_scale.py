"""Scale benchmark: the whole pipeline on a large generated data set, then a one-day run.

    python -m tests.bench.bench_scale [--backlinks 5000000 --rankings 2000000 --traffic 1000000]
                                      [--engine duckdb|spark] [--no-full-export-day]

`--engine spark` builds the models on a local Spark (LINKOKR_ENGINE=spark) instead of DuckDB:
the same data set, the same runs, in a home of its own.

The data set goes through the inbox as a user would drop it: an Ahrefs backlink export per site
(the own site and two competitors, `--backlinks` rows in all), a rank-tracker export
(`--rankings` rows) and a GA4 landing-page export (`--traffic` rows), all dated up to three days
ago. `linkokr run` then runs in a child process, as the daily job does; the next day's files
(one day of rankings and traffic, a partial backlink export of new links) are dropped and
`linkokr run` runs again. A third day brings a *full* backlink export of the own site (what a
daily API pull of the whole profile gives: every link of the site in a new snapshot) with that
day's rankings and traffic, and `linkokr run` runs a third time. For each run it prints the
wall time and peak RSS (the sum over the process tree, dbt's subprocess included) of every
stage, read from Dagster's event log and sampled from /proc, and the slowest dbt models. It
prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from demo.generate import shift_config

REPO = Path(__file__).resolve().parents[2]
HOME = REPO / ".linkokr" / "bench" / "scale"
SITES = ("acme-outdoor.com", "rival-gear.com", "peak-supply.com")
KEYWORD_DAYS = 500


def write_backlinks(
    path: Path,
    site: str,
    rows: int,
    first: int,
    snapshot: date,
    first_seen: tuple[date, int] | None = None,
) -> None:
    """An Ahrefs backlink export (current layout, UTF-8) of `rows` links to `site`, taken on
    `snapshot`. Link i is first seen `i % days` days before `until` (`first_seen`; by default
    spread over the 800 days up to the snapshot), so a link keeps its date in every export."""
    until, days = first_seen or (snapshot, 800)
    duckdb.execute(
        f"""
        copy (
            select 'Page ' || i || ' about '
                       || (['tents', 'hiking', 'cooking', 'travel'])[i % 4 + 1]
                       as "Referring page title",
                   'https://blog' || (i % 250000) || '.example' || (i % 7) || '.org/post/' || i
                       || '?utm_source=x' as "Referring page URL",
                   'en' as "Language", (i * 7919 % 100)::varchar as "Domain rating",
                   (i % 60)::varchar as "UR", (i % 5000)::varchar as "Domain traffic",
                   'https://www.' || $site || '/'
                       || (['tents', 'guides', 'backpacks', 'blog'])[i % 4 + 1] || '/'
                       || (i % 300) || '/' as "Target URL",
                   'read our' as "Left context", 'best tent ' || (i % 50) as "Anchor",
                   'review' as "Right context", 'text' as "Type",
                   case when i % 3 = 0 then 'false' else 'true' end as "Content",
                   case when i % 5 = 0 then 'true' else 'false' end as "Nofollow",
                   'false' as "UGC", 'false' as "Sponsored",
                   strftime($until - (i % $days)::int, '%Y-%m-%d 10:00:00') as "First seen",
                   strftime($snapshot - 1, '%Y-%m-%d 09:00:00') as "Last seen",
                   case when i % 20 = 0 then strftime($snapshot - (i % 90)::int, '%Y-%m-%d')
                        else '' end as "Lost"
            from range({int(first)}, {int(first + rows)}) t(i)
        ) to '{path}' (header, delimiter '\t')
        """,
        {"site": site, "snapshot": snapshot, "until": until, "days": days},
    )


def write_rankings(path: Path, keywords: int, days: list[date]) -> None:
    """A generic long rank-tracker export: one row per keyword and day."""
    duckdb.execute(
        f"""
        copy (
            select coalesce((['tents', 'backpacks', 'camping gear', 'hiking boots',
                              'sleeping bags'])[k + 1], 'keyword ' || k) as "Keyword",
                   case when k % 3 = 0 then 'product' else 'blog' end as "Tags",
                   strftime(d, '%Y-%m-%d') as "Date",
                   case when (k + day(d)) % 9 = 0 then '-'
                        else ((k * 7 + day(d)) % 100 + 1)::varchar end as "Position",
                   'https://www.acme-outdoor.com/'
                       || (['tents', 'guides', 'backpacks'])[k % 3 + 1] || '/' || (k % 300) || '/'
                       as "URL",
                   (k % 1000) * 10 as "Search Volume"
            from range({int(keywords)}) t(k), unnest($days::date[]) u(d)
        ) to '{path}' (header)
        """,
        {"days": days},
    )


def write_traffic(path: Path, pages: int, days: list[date]) -> None:
    """A GA4 UI landing-page export (the `traffic/` fallback of the Data API)."""
    duckdb.execute(
        f"""
        copy (
            select strftime(d, '%Y%m%d') as "Date", 'www.acme-outdoor.com' as "Hostname",
                   '/' || (['tents', 'guides', 'backpacks', 'blog'])[p % 4 + 1] || '/' || p || '/'
                       as "Landing page + query string",
                   case when p % 10 = 0 then 'Direct' else 'Organic Search' end
                       as "Session default channel group",
                   (p * 13 + day(d)) % 200 + 1 as "Sessions",
                   (p * 13 + day(d)) % 120 as "Engaged sessions",
                   (p + day(d)) % 7 as "Key events",
                   (p + day(d)) % 3 as "Transactions",
                   ((p + day(d)) % 3) * 49.5 as "Purchase revenue"
            from range({int(pages)}) t(p), unnest($days::date[]) u(d)
        ) to '{path}' (header)
        """,
        {"days": days},
    )


def own_links(sizes: argparse.Namespace) -> int:
    """The own site's share of the backlinks (the rest is split between the competitors)."""
    return sizes.backlinks * 8 // 10


def generate(home: Path, sizes: argparse.Namespace, last: date) -> None:
    """The full data set, ending on `last`, in a fresh LINKOKR_HOME."""
    if home.exists():
        shutil.rmtree(home)
    inbox = home / "data" / "inbox"
    for kind in ("backlinks", "rankings", "traffic"):
        (inbox / kind).mkdir(parents=True)
    (home / "linkokr.yml").write_text(shift_config((REPO / "linkokr.yml").read_text(), last))
    own = own_links(sizes)
    shares = {SITES[0]: own, SITES[1]: (sizes.backlinks - own) // 2}
    shares[SITES[2]] = sizes.backlinks - own - shares[SITES[1]]
    first = 0
    for site, rows in shares.items():
        path = inbox / "backlinks" / f"{site}-backlinks-subdomains_{last}.csv"
        write_backlinks(path, site, rows, first, last)
        # competitors share part of the referring-domain space with the site (link gap)
        first += rows // 2
    keywords = max(sizes.rankings // KEYWORD_DAYS, 1)
    history = [last - timedelta(days=n) for n in range(KEYWORD_DAYS)][::-1]
    write_rankings(inbox / "rankings" / f"acme-outdoor.com-rankings_{last}.csv", keywords, history)
    pages = max(sizes.traffic // KEYWORD_DAYS, 1)
    write_traffic(inbox / "traffic" / f"acme-outdoor.com-ga4_{last}.csv", pages, history)


def add_day(
    home: Path, sizes: argparse.Namespace, day: date, base: date, *, full_export: bool
) -> None:
    """What a daily run finds: one day of rankings and traffic, and a backlink export of the own
    site. Partial: the 5,000 links first seen that day. Full: every link the site had in the
    export of `base` (the partial export's new links of earlier days are not in it, so they are
    lost), with the same first-seen dates and a new last-seen date."""
    inbox = home / "data" / "inbox"
    write_rankings(
        inbox / "rankings" / f"acme-outdoor.com-rankings_{day}.csv",
        max(sizes.rankings // KEYWORD_DAYS, 1),
        [day],
    )
    write_traffic(
        inbox / "traffic" / f"acme-outdoor.com-ga4_{day}.csv",
        max(sizes.traffic // KEYWORD_DAYS, 1),
        [day],
    )
    kind, rows, first, first_seen = (
        ("subdomains", own_links(sizes), 0, (base, 800))
        if full_export
        else ("new", 5_000, sizes.backlinks, (day, 1))
    )
    write_backlinks(
        inbox / "backlinks" / f"acme-outdoor.com-backlinks-{kind}_{day}.csv",
        SITES[0],
        rows,
        first,
        day,
        first_seen,
    )


class TreeRss:
    """Samples the summed RSS of a process and its descendants from /proc every 0.2 s."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.samples.append((time.time(), self._tree_rss()))

    def _tree_rss(self) -> int:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            pid = int(status.parent.name)
            parents[pid] = int(re.search(r"^PPid:\s+(\d+)", text, re.M).group(1))
            found = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
            rss[pid] = int(found.group(1)) * 1024 if found else 0
        tree = {self.pid}
        grew = True
        while grew:
            children = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= children
            grew = bool(children)
        return sum(rss.get(pid, 0) for pid in tree)

    def peak(self, start: float = 0.0, end: float = float("inf")) -> int:
        return max((rss for at, rss in self.samples if start <= at <= end), default=0)


def steps_of_last_run(dagster_home: Path) -> list[tuple[str, float, float]]:
    """(step, start, end) of the latest run, from the Dagster event log."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(dagster_home)
    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        started: dict[str, float] = {}
        steps = []
        for record in instance.all_logs(run.run_id):
            event = record.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type_value == "STEP_START":
                started[event.step_key] = record.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                steps.append((event.step_key, started[event.step_key], record.timestamp))
    return steps


def slowest_models(home: Path, count: int = 6) -> list[tuple[str, float]]:
    results = json.loads((home / ".linkokr" / "dbt" / "build" / "run_results.json").read_text())
    timings = [(r["unique_id"].split(".")[-1], r["execution_time"]) for r in results["results"]]
    return sorted(timings, key=lambda t: -t[1])[:count]


LOG_TAIL = 30  # lines of a failed run's output shown


def linkokr_run(home: Path, log_path: Path, engine: str = "duckdb") -> tuple[float, TreeRss]:
    """`linkokr run` for `home` in a child process, as the daily job runs it (Dagster's storage
    in the home), its output in `log_path`: the wall time and the RSS sampler of its process
    tree. Exits with the log's last lines when the run fails."""
    env = {**os.environ, "LINKOKR_HOME": str(home)}
    for name in [n for n in env if n.startswith("LINKOKR_") and n != "LINKOKR_HOME"]:
        if not name.startswith("LINKOKR_SPARK_"):  # Spark's memory and master stay settable
            del env[name]
    env["LINKOKR_ENGINE"] = engine
    env.pop("DAGSTER_HOME", None)
    start = time.time()
    with open(log_path, "w") as log:
        child = subprocess.Popen(
            [str(Path(sys.executable).parent / "linkokr"), "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        with TreeRss(child.pid) as rss:
            code = child.wait()
    wall = time.time() - start
    if code != 0:
        tail = log_path.read_text(errors="replace").splitlines()[-LOG_TAIL:]
        print("\n".join(tail), file=sys.stderr)
        raise SystemExit(f"linkokr run failed ({code}); see {log_path}")
    return wall, rss


def run(home: Path, label: str, engine: str = "duckdb") -> dict:
    wall, rss = linkokr_run(home, home / f"{label}.log", engine)
    steps = steps_of_last_run(home / ".dagster")
    print(f"\n{label}: `linkokr run` {wall:7.1f} s wall, peak RSS {rss.peak() / 2**20:,.0f} MB")
    for step, begin, end in steps:
        peak = rss.peak(begin, end) / 2**20
        # a step shorter than the 0.2 s sampling interval may have no sample of its own
        shown = f"{peak:7,.0f} MB" if peak else "    n/a"
        print(f"  {step:<44} {end - begin:7.1f} s  peak RSS {shown}")
    print("  slowest dbt models: " + ", ".join(f"{m} {s:.1f} s" for m, s in slowest_models(home)))
    return {"wall": wall, "peak": rss.peak()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backlinks", type=int, default=5_000_000)
    parser.add_argument("--rankings", type=int, default=2_000_000)
    parser.add_argument("--traffic", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument(
        "--no-full-export-day",
        action="store_true",
        help="stop after the day with a partial export (the third run is the longest at 20M)",
    )
    sizes = parser.parse_args()
    home = HOME if sizes.engine == "duckdb" else HOME.with_name(f"scale-{sizes.engine}")
    yesterday = date.today() - timedelta(days=1)
    started = time.perf_counter()
    base = yesterday - timedelta(days=2)
    generate(home, sizes, base)
    print(
        f"Scale data set: {sizes.backlinks:,} backlinks, {sizes.rankings:,} ranking rows, "
        f"{sizes.traffic:,} traffic rows ({time.perf_counter() - started:.0f} s to generate); "
        f"models on {sizes.engine}"
    )
    full = run(home, "full run", sizes.engine)
    add_day(home, sizes, yesterday - timedelta(days=1), base, full_export=False)
    daily = run(home, "one-day incremental run", sizes.engine)
    runs = [full, daily]
    if not sizes.no_full_export_day:
        add_day(home, sizes, yesterday, base, full_export=True)
        runs.append(run(home, "one-day run with a full backlink export", sizes.engine))
    size = (home / "warehouse" / "linkokr.duckdb").stat().st_size
    peak = max(each["peak"] for each in runs)
    full_export = f"{runs[2]['wall']:.0f} s" if len(runs) > 2 else "not run"
    print(
        f"\nSummary: full {full['wall']:.0f} s (target < 180), "
        f"daily with a partial export {daily['wall']:.0f} s (target < 60), "
        f"daily with a full export {full_export} (target < 90), "
        f"peak RSS {peak / 2**30:.2f} GB (target < 3); warehouse {size / 2**30:.2f} GB"
    )


if __name__ == "__main__":
    main()
