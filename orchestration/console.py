"""The console logger of `linkokr run` and `linkokr demo`: one short line per message, for a
person reading the terminal (or a cron mail) rather than Dagster's UI.

`2026-12-03 23:44:01 INFO inbox_files: [1/2] backlinks/acme.com-backlinks.csv: 2716 rows (…)`

Compared with Dagster's default console logger: the run id is said once by `linkokr run` rather
than on every line; a failed step says its error's message without the stack trace, and the run's
failure does not repeat it; dagster-dbt's lines about the dbt command line are DEBUG. Every event
and message still reaches Dagster's event log (the UI) whole: a logger only decides what the
console shows."""

from __future__ import annotations

import logging
import sys

import dagster as dg

# dagster-dbt's INFO lines about its command line (the dbt asset's summary says what happened)
DAGSTER_DBT_DETAILS = (
    "A dbt subsetted execution",
    "Running dbt command:",
    "Finished dbt command:",
    "Copying `",
)
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def _metadata(record: logging.LogRecord) -> dict:
    return getattr(record, "dagster_meta", None) or {}


def _error_text(event) -> str:
    """A step failure's own words: a `dg.Failure`'s description, else each message of the
    error's chain once, without stack traces (they stay in the UI)."""
    data = getattr(event, "event_specific_data", None)
    failure = getattr(data, "user_failure_data", None)
    if failure is not None and failure.description:
        return failure.description
    error = getattr(data, "error", None)
    messages: list[str] = []
    while error is not None:
        message = (error.message or "").strip()
        if message and message not in messages:
            messages.append(message)
        error = error.cause or error.context
    return "\n".join(messages)


class ConsoleFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(datefmt=DATE_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        meta = _metadata(record)
        message = meta.get("orig_message", record.getMessage())
        event = meta.get("dagster_event")
        source = meta.get("step_key") or "run"
        if not meta.get("step_key") and meta.get("resource_name"):
            source = f"resource {meta['resource_name']}"
        text = f"{self.formatTime(record, self.datefmt)} {record.levelname} {source}: {message}"
        # a run that failed because steps failed: their failures said it already
        repeated = (
            event is not None
            and event.event_type == dg.DagsterEventType.RUN_FAILURE
            and "Steps failed" in message
        )
        if event is not None and not repeated:
            error = _error_text(event)
            if error:
                text += "\n" + "\n".join(f"  {line}" for line in error.splitlines())
        if record.exc_info:  # asked for with `log.exception`
            text += "\n" + self.formatException(record.exc_info)
        return text


class ConsoleFilter(logging.Filter):
    """Drops what the console shows only at DEBUG (see DAGSTER_DBT_DETAILS)."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if self.level <= logging.DEBUG:
            return True
        message = _metadata(record).get("orig_message", "")
        return not message.startswith(DAGSTER_DBT_DETAILS)


@dg.logger(
    config_schema={
        "log_level": dg.Field(str, is_required=False, default_value="INFO"),
    },
    description="linkokr's console: one short line per message, errors without stack traces.",
)
def linkokr_console(init_context: dg.InitLoggerContext) -> logging.Logger:
    level = logging.getLevelName(init_context.logger_config["log_level"].upper())
    logger = logging.Logger("linkokr.run", level=level)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ConsoleFormatter())
    handler.addFilter(ConsoleFilter(level))
    logger.addHandler(handler)
    return logger
