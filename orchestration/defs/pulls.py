"""API pulls: each (subject, day) recorded in `ops.api_pulls`, failures reported, not raised.

The loops every API asset runs its requests through (GA4, Search Console, Ahrefs, Semrush), and
the check that names the pulls still failing after the retry policy gave up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import dagster as dg

from ingest.api_pulls import new_pull_id
from ingest.inbox.ledger import ensure_ops_tables, record_api_pull
from orchestration.resources import WAREHOUSE_POOL


def site_targets(config) -> tuple[list[str], list[str]]:
    """The config's own sites, and every competitor once (in config order)."""
    own = [site.domain for site in config.sites]
    competitors = list(dict.fromkeys(c for site in config.sites for c in site.competitors))
    return own, [c for c in competitors if c not in own]


@dataclass(frozen=True)
class PullFailure:
    subject: str
    day: date
    error: str

    def __str__(self) -> str:
        return f"{self.subject} {self.day}: {self.error}"


@dataclass
class PullReport:
    """What one asset's API pulls did: rows and requests of those that loaded, and those that
    still failed after the retry policy gave up (recorded as `failed` in `ops.api_pulls`)."""

    source: str
    rows: int = 0
    requests: int = 0
    loaded: int = 0
    failures: list[PullFailure] = field(default_factory=list)

    def metadata(self) -> dict[str, dg.MetadataValue]:
        failed = ", ".join(f"{f.subject} {f.day}" for f in self.failures[:50])
        return {
            "rows": dg.MetadataValue.int(self.rows),
            "requests": dg.MetadataValue.int(self.requests),
            "pulls_loaded": dg.MetadataValue.int(self.loaded),
            "pulls_failed": dg.MetadataValue.int(len(self.failures)),
            "failed": dg.MetadataValue.text(failed or "none"),
        }

    def log_failures(self, context) -> None:
        if self.failures:
            context.log.error(
                "%s: %d pull(s) failed after retries and will be retried on the next run "
                "(the rest loaded; see ops.api_pulls):\n%s",
                self.source,
                len(self.failures),
                "\n".join(str(f)[:500] for f in self.failures[:20]),
            )


def pull_one(
    context,
    con,
    report: PullReport,
    subject: str,
    day: date,
    pull: Callable[[], tuple[int, int]],
    *,
    quiet: bool = False,
) -> bool:
    """Run `pull() -> (rows, requests)` and record it in `ops.api_pulls` as loaded or failed.

    A failure is recorded and reported, not raised: the other subjects and days still load, dbt
    still builds, and the `*_failed_pulls` check names it. Each pull writes in its own
    transaction, so a failed one leaves its earlier copy in place."""

    def one_day() -> tuple[Mapping[date, int], int]:
        rows, requests = pull()
        return {day: rows}, requests

    return pull_days(context, con, report, subject, [day], one_day, quiet=quiet)


def pull_days(
    context,
    con,
    report: PullReport,
    subject: str,
    days: list[date],
    pull: Callable[[], tuple[Mapping[date, int], int]],
    *,
    quiet: bool = False,
) -> bool:
    """`pull_one` for a source that answers a date range in one request (`pull() -> (rows per
    day, requests)`), recorded per day so that a failed day is found and retried like any other
    (the requests are counted on the range's last day)."""
    try:
        rows_by_day, requests = pull()
    except Exception as error:  # recorded and reported by the asset and its check
        message = f"{type(error).__name__}: {error}"[:1000]
        for day in days:
            report.failures.append(PullFailure(subject, day, message))
            record_api_pull(
                con,
                source=report.source,
                subject=subject,
                partition_date=day,
                status="failed",
                rows=None,
                requests=None,
                error=message,
            )
        return False
    for day in days:
        record_api_pull(
            con,
            source=report.source,
            subject=subject,
            partition_date=day,
            status="loaded",
            rows=rows_by_day.get(day, 0),
            requests=requests if day == days[-1] else 0,
        )
    rows = sum(rows_by_day.values())
    report.rows += rows
    report.requests += requests
    report.loaded += len(days)
    span = str(days[0]) if len(days) == 1 else f"{days[0]}..{days[-1]}"
    (context.log.debug if quiet else context.log.info)(
        "%s %s %s: %s rows in %d request%s",
        report.source,
        subject,
        span,
        f"{rows:,}",
        requests,
        "" if requests == 1 else "s",
    )
    return True


def pull_each(context, con, targets, *, source, day, pull, report: PullReport | None = None):
    """`pull(target) -> (rows, requests)` for every target (see `pull_one`); the report."""
    report = report or PullReport(source)
    for target in targets:
        pull_one(context, con, report, target, day, lambda target=target: pull(target))
    return report


def still_failed(
    con, source: str, subjects: Iterable[str], *, per_day: bool
) -> list[tuple[str, date, str]]:
    """(subject, partition_date, error) of the pulls of `source` that still fail: whose latest
    pull per subject and day (`per_day`: day-partitioned sources) or per subject (snapshots, where
    a later day's pull takes the failed one's place) is recorded as `failed`."""
    ensure_ops_tables(con)
    key = "subject, partition_date" if per_day else "subject"
    return con.execute(
        f"""
        select subject, partition_date, coalesce(error, '') from (
            select *, row_number() over (
                partition by {key} order by pulled_at desc, rowid desc
            ) as latest
            from ops.api_pulls
            where source = ? and subject in (select unnest(?::varchar[]))
        )
        where latest = 1 and status = 'failed'
        order by subject, partition_date
        """,
        [source, list(subjects)],
    ).fetchall()


def failed_days(con, source: str, subjects: Iterable[str]) -> dict[str, list[date]]:
    """Each subject's days whose latest pull of `source` failed. The next run retries them, also
    outside its own range: by then the lookback window may have moved past them."""
    failed: dict[str, list[date]] = {}
    for subject, day, _ in still_failed(con, source, subjects, per_day=True):
        failed.setdefault(subject, []).append(day)
    return failed


def failed_pulls_check(
    *,
    name: str,
    asset_key: dg.AssetKey,
    source: str,
    subjects: list[str],
    per_day: bool,
    resource_key: str,
    is_configured: Callable[[Any], bool],
) -> dg.AssetChecksDefinition:
    """An ERROR check on an API asset naming the pulls of `source` that still fail after retries
    (the subject and day). A failing check also fails its own step, so the run, and `linkokr
    run`'s exit code, say that a source did not fully load; no asset depends on the check, so
    everything else, dbt included, is still built from what did load. A source that is no
    longer configured (`is_configured(resource)` false: no key, no endpoint) is not pulled, so
    its old failures are not held against the run."""
    description = (
        f"ERROR, and the check's step fails, while a pull of {source} recorded in ops.api_pulls "
        "still fails after retries. The next run retries it."
    )

    @dg.multi_asset_check(
        specs=[dg.AssetCheckSpec(name, asset=asset_key, description=description)],
        name=name,
        pool=WAREHOUSE_POOL,
        required_resource_keys={"warehouse", resource_key},
    )
    def failed_pulls(context):
        if not is_configured(getattr(context.resources, resource_key)):
            yield dg.AssetCheckResult(
                check_name=name,
                asset_key=asset_key,
                passed=True,
                description=f"{source} is not configured: nothing pulled",
            )
            return
        with context.resources.warehouse.get_connection() as con:
            failures = still_failed(con, source, subjects, per_day=per_day)
        which = [f"{subject} {day}" if per_day else subject for subject, day, _ in failures]
        summary = (
            f"{len(failures)} {source} pull(s) failed after retries: {', '.join(which[:20])}"
            if failures
            else f"every {source} pull loaded"
        )
        yield dg.AssetCheckResult(
            check_name=name,
            asset_key=asset_key,
            passed=not failures,
            severity=dg.AssetCheckSeverity.ERROR,
            description=summary,
            metadata={
                "failed": dg.MetadataValue.int(len(failures)),
                "which": dg.MetadataValue.text(", ".join(which[:100]) or "none"),
            },
        )
        if failures:
            errors = "\n".join(
                f"{label}: {error[:300]}"
                for label, (_, _, error) in zip(which[:20], failures, strict=False)
            )
            raise dg.Failure(
                description=f"{summary}. Recorded in ops.api_pulls and retried on the next run; "
                f"everything else was built.\n{errors}"
            )

    return failed_pulls


def pull_backlink_snapshots(
    context, con, resource, write, targets, *, source, vendor, key_name
) -> PullReport:
    """Every backlink of each target from a vendor API, landed as a snapshot dated today with
    `write` (the vendor's writer); skipped with a log line when the API key is not set. A target
    whose pull fails keeps its last snapshot and is pulled again on the next run."""
    report = PullReport(source)
    if not resource.api_key:
        context.log.info("%s API skipped: %s is not set", vendor, key_name)
        return report
    today = date.today()
    with resource.get_client() as client:

        def pull(target):
            before = client.requests
            pages = client.iter_backlink_pages(target, max_rows=resource.max_rows_per_pull)
            rows = write(
                con, pages, target=target, site=target, pull_id=new_pull_id(), snapshot_date=today
            )
            return rows, client.requests - before

        pull_each(context, con, targets, source=source, day=today, pull=pull, report=report)
    report.log_failures(context)
    return report
