"""dbt models as Dagster assets: `dbt build` runs every model and test; dbt tests become asset
checks. Asset keys mirror DuckDB relations (`["marts", "fct_backlinks"]`), and dbt sources map to
the ingest assets that write them (`["raw", "backlinks_ahrefs"]`)."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from dagster_duckdb import DuckDBResource
from dbt.version import __version__ as dbt_version

from ingest.config import load_config
from ingest.inbox.ledger import ensure_ops_tables
from ingest.settings import Paths
from orchestration.defs.dbt.child import PARENT_ENV, SPARK_LOG_ENV
from orchestration.defs.dbt.engine import (
    check_spark_installed,
    copy_spark_marts,
    dbt_target_args,
    engine,
    engine_environment,
    export_raw_layer,
)
from orchestration.defs.dbt.summary import BuildSummary, quiet_stdout
from orchestration.environ import environ_set
from orchestration.partitions import backfill_start
from orchestration.resources import WAREHOUSE_POOL
from orchestration.shipped import DBT_PROJECT, shipped

PROGRESS_SECONDS = 30  # between two "still building" lines on the console
TAIL_LINES = 20  # of dbt's console output, shown when dbt fails without results to say why

# the repository's dbt_project/, or the copy a wheel ships (orchestration.shipped)
DBT_PROJECT_DIR = shipped(DBT_PROJECT)


class LinkokrDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return None
        return dbt_resource_props["schema"]


def dbt_executable() -> str:
    """`linkokr-dbt` (dbt, killed when the process that started it dies: child.py) installed
    beside this Python, else the `dbt` there (a venv that is not activated is not on PATH)."""
    for name in ("linkokr-dbt", "dbt"):
        candidate = Path(sys.executable).parent / name
        if candidate.exists():
            return str(candidate)
    return "dbt"


def dbt_state_dir(paths: Paths) -> Path:
    """Where dbt writes for this home: its artifacts (target/, build/) and logs."""
    return paths.home / ".linkokr" / "dbt"


def dbt_log_file(paths: Paths) -> Path:
    """dbt's own log of every build (and parse) for this home, in dbt's readable debug format."""
    return dbt_state_dir(paths) / "logs" / "dbt.log"


def spark_log_file(paths: Paths) -> Path:
    """On Spark, the JVM's log (its warnings and stage progress), beside dbt's."""
    return dbt_state_dir(paths) / "logs" / "spark.log"


def dbt_environment(paths: Paths) -> dict[str, str]:
    """What dbt must see besides the inherited environment: the home's absolute paths (its
    profile reads LINKOKR_WAREHOUSE), the engine's settings (engine.py) and the PID linkokr-dbt
    expects as its parent (child.py), and on Spark where the JVM's own output goes (child.py)."""
    env = {**paths.export(), **engine_environment(paths), PARENT_ENV: str(os.getpid())}
    if engine() == "spark":
        env[SPARK_LOG_ENV] = str(spark_log_file(paths))
    return env


def dbt_project(paths: Paths) -> DbtProject:
    """The dbt project, with its artifacts and logs kept outside the project (under the home's
    `dbt_state_dir`): an installed project is read-only.

    Its manifest (what @dbt_assets builds the graph from) is parsed again only when the project's
    files changed; a parse of the same files, made for another linkokr home, is reused from the
    user's cache folder (a parse takes seconds, every new home would pay them)."""
    state_dir = dbt_state_dir(paths)
    target = state_dir / "target"
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=target
    )
    fingerprint = target / "project.sha256"
    current = _project_fingerprint()
    if (
        project.manifest_path.exists()
        and fingerprint.exists()
        and fingerprint.read_text() == current
    ):
        return project
    cached = _manifest_cache() / current / "manifest.json"
    target.mkdir(parents=True, exist_ok=True)
    if cached.exists():
        shutil.copyfile(cached, project.manifest_path)
    else:
        _parse(paths, target, state_dir / "logs")
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            shutil.copyfile(project.manifest_path, partial)
            partial.replace(cached)
        except OSError:
            pass  # no cache (a read-only home): the next new home parses again
    fingerprint.write_text(current)
    return project


def _parse(paths: Paths, target: Path, logs: Path) -> None:
    """`dbt parse` (it needs no warehouse) into `target`, with this home's environment passed to
    dbt alone: loading the definitions leaves this process's environment as it found it."""
    result = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--quiet",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(logs),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **dbt_environment(paths), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-4000:]
        raise dg.DagsterError(f"dbt parse failed (exit code {result.returncode}):\n{output}")


def _manifest_cache() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "linkokr" / "dbt-manifests"


def _project_fingerprint() -> str:
    """A hash of the dbt project's files as they are now. Compared with the one the manifest was
    parsed from, not by modification times: a copied home (or an upgraded checkout) can hold a
    manifest newer than the files yet parsed from other ones."""
    # the project's place and dbt's version are in the manifest too
    digest = hashlib.sha256(f"{DBT_PROJECT_DIR}\0{dbt_version}\0".encode())
    files = [DBT_PROJECT_DIR / "dbt_project.yml"] + sorted(
        path
        for folder in ("models", "macros", "tests")
        for path in (DBT_PROJECT_DIR / folder).rglob("*")
        if path.is_file()
    )
    for path in files:
        digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _summary(invocation) -> BuildSummary | None:
    """The build's counts and failures from dbt's `run_results.json` (None when dbt wrote none)."""
    try:
        return BuildSummary.from_run_results(invocation.get_artifact("run_results.json"))
    except (OSError, ValueError):
        return None


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=60)


def _copy_marts(context, warehouse: DuckDBResource, paths: Paths) -> None:
    """Spark's marts into the warehouse file, where every reader of the marts finds them."""
    marts = [key.path[-1] for key in context.selected_asset_keys if key.path[0] == "marts"]
    with warehouse.get_connection() as con:
        copied = copy_spark_marts(con, paths, marts)
    context.log.info("engine: Spark; %d marts copied into the warehouse", len(copied))


def build_dbt_assets(project: DbtProject, paths: Paths) -> dg.AssetsDefinition:
    state_dir = dbt_state_dir(paths)

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=LinkokrDbtTranslator(),
        pool=WAREHOUSE_POOL,
    )
    def linkokr_dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBResource
    ):
        """`dbt build`: staging views, intermediate and mart tables, and their data tests.

        Unit tests check the SQL, not the data: they run in `make test` (tests/test_dbt_unit.py),
        not every morning, as dbt recommends for production runs. After `linkokr forget`, the
        build is a full refresh: incremental models keep what they built, forgotten rows too."""
        total = len(context.selected_asset_keys) + len(context.selected_asset_check_keys)
        context.log.info(
            "building the marts: dbt build of %d models and %d tests…",
            len(context.selected_asset_keys),
            len(context.selected_asset_check_keys),
        )
        on_spark = engine() == "spark"
        args = [
            "build",
            *dbt_target_args(),
            "--exclude-resource-type",
            "unit_test",
            "--log-path",
            str(state_dir / "logs"),
            # dagster-dbt asks dbt for JSON lines on stdout; the log file stays readable
            "--log-format-file",
            "debug",
        ]
        with warehouse.get_connection() as con:
            ensure_ops_tables(con)
            requests = con.execute(
                "select reason, requested_at from ops.full_refresh_requests"
            ).fetchall()
        if on_spark:
            check_spark_installed()
            with warehouse.get_connection() as con:
                exported = export_raw_layer(con, paths)
            context.log.info(
                "engine: Spark; raw layer as Parquet (%d relations); Spark's own log: %s",
                exported,
                spark_log_file(paths),
            )
        if requests:
            context.log.info("full refresh: %s", "; ".join(reason for reason, _ in requests)[:1000])
            args.append("--full-refresh")
        # A backfill re-reads its whole range in the incremental facts, not just the lookback.
        from_date = backfill_start(
            context.run.tags, load_config(paths.config).settings.lookback_days
        )
        if from_date:
            args += ["--vars", json.dumps({"from_date": from_date})]
        # the summary reads this build's results, never an earlier build's
        (state_dir / "build" / "run_results.json").unlink(missing_ok=True)
        # dagster-dbt hands dbt this process's environment (and reads dbt's profile here): the
        # home's paths are in it while dbt starts, then the environment is as before.
        with environ_set(dbt_environment(paths)):
            invocation = dbt.cli(
                args,
                context=context,
                # One build at a time (the warehouse pool), so one target folder is enough.
                target_path=state_dir / "build",
            )
        done, said, tail = 0, time.monotonic(), deque(maxlen=TAIL_LINES)
        try:
            # dbt's console lines go to DEBUG: the summary below says what a person needs, and
            # a line every PROGRESS_SECONDS that it is still going
            for event in quiet_stdout(invocation.stream(), tail):
                done += 1
                if time.monotonic() - said >= PROGRESS_SECONDS:
                    context.log.info(
                        "dbt: %d of %d models and tests done…", min(done, total), total
                    )
                    said = time.monotonic()
                yield event
        except DagsterDbtCliRuntimeError as error:
            if on_spark:
                _copy_marts(context, warehouse, paths)
            summary = _summary(invocation)
            if summary is not None and summary.failures:
                # once, with each failure's message, not again in dbt's error
                raise dg.Failure(description=summary.failure_text(dbt_log_file(paths))) from None
            if "Errors parsed" in str(error):
                raise  # dbt stopped before building (a parse or connection error): its words
            # nothing dbt called an error (it crashed): the last lines it printed (at DEBUG)
            raise dg.Failure(
                description=f"{error}\n\ndbt's last lines:\n"
                + "\n".join(tail)
                + f"\nfull log: {dbt_log_file(paths)}"
            ) from error
        except BaseException:
            # A run reported failed or interrupted must not go on changing the marts: dbt stops
            # before the failure is reported (dbt's own transactions leave no half a model).
            _stop(invocation.process)
            raise
        if on_spark:
            _copy_marts(context, warehouse, paths)
        summary = _summary(invocation)
        if summary is not None:
            context.log.info(summary.line(dbt_log_file(paths)))
            if summary.warnings_line():
                context.log.warning(summary.warnings_line())
        if requests:
            with warehouse.get_connection() as con:
                con.execute(
                    "delete from ops.full_refresh_requests where requested_at <= ?",
                    [max(requested_at for _, requested_at in requests)],
                )

    return linkokr_dbt_models
