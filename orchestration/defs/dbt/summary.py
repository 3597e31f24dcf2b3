"""What one `dbt build` did, in a few lines for a person: models built, tests passed, warned and
failed, each failure once (its name and dbt's message), and where dbt's full log is.

dagster-dbt echoes every line dbt prints (about two per model and test, and the failures again at
the end) to standard output; `quiet_stdout` sends them to a DEBUG logger instead. The per-model
materializations and asset checks still reach Dagster: only the console text is summarised."""

from __future__ import annotations

import contextlib
import io
import logging
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
MESSAGE_LIMIT = 2000  # characters of one failure's message


class _DebugLines(io.TextIOBase):
    """A text stream whose lines go to `log` at DEBUG, the last ones kept in `tail`."""

    def __init__(self, tail: deque[str]) -> None:
        super().__init__()
        self.tail = tail

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                log.debug("%s", line)
                self.tail.append(line)
        return len(text)


def quiet_stdout(events: Iterable[T], tail: deque[str] | None = None) -> Iterator[T]:
    """`events`, with what producing each one prints to standard output sent to a DEBUG logger
    (and its last lines to `tail`, for an error that dbt's results do not explain).

    Standard output is redirected only while the next event is produced, not while the caller
    handles it: dagster-dbt prints dbt's console lines from inside its event iterator."""
    iterator = iter(events)
    sink = _DebugLines(deque(maxlen=0) if tail is None else tail)
    while True:
        with contextlib.redirect_stdout(sink):
            try:
                event = next(iterator)
            except StopIteration:
                return
        yield event


@dataclass(frozen=True)
class Problem:
    kind: str  # model, test, seed, snapshot
    name: str
    status: str  # error, fail, warn
    message: str

    def __str__(self) -> str:
        message = self.message.strip()
        if len(message) > MESSAGE_LIMIT:
            message = message[:MESSAGE_LIMIT] + " …"
        return f"{self.kind} {self.name} ({self.status}): {message}"


@dataclass
class BuildSummary:
    """Counts of one build's nodes by resource type and status (dbt's `run_results.json`)."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    seconds: float | None = None

    @classmethod
    def from_run_results(cls, run_results: Mapping[str, Any]) -> BuildSummary:
        summary = cls(seconds=run_results.get("elapsed_time"))
        for result in run_results.get("results", []):
            kind, _, name = _kind_and_name(result.get("unique_id", ""))
            status = result.get("status") or "unknown"
            summary.counts[kind, status] += 1
            if status in ("error", "fail", "warn"):
                summary.problems.append(Problem(kind, name, status, result.get("message") or ""))
        return summary

    @property
    def failures(self) -> list[Problem]:
        return [p for p in self.problems if p.status != "warn"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.status == "warn"]

    def _count(self, kinds: tuple[str, ...], *statuses: str) -> int:
        return sum(
            n
            for (kind, status), n in self.counts.items()
            if kind in kinds and (not statuses or status in statuses)
        )

    def line(self, log_file: Path) -> str:
        """`dbt build: 55 models built, 252 tests: 250 passed, 2 warned, 0 failed (16.7 s);
        full log: …/dbt.log`, with the errors and skipped nodes when there are any."""
        built_kinds = ("model", "seed", "snapshot")
        nodes = self._count(built_kinds)
        built = self._count(built_kinds, "success")
        errors = self._count(built_kinds, "error")
        skipped = self._count(built_kinds, "skipped")
        models = f"{built} models built" if built == nodes else f"{built} of {nodes} models built"
        extra = [f"{n} {what}" for n, what in ((errors, "error"), (skipped, "skipped")) if n]
        if extra:
            models += f" ({', '.join(extra)})"
        tests = self._count(("test",))
        parts = [
            f"{self._count(('test',), 'pass')} passed",
            f"{self._count(('test',), 'warn')} warned",
            f"{self._count(('test',), 'fail', 'error')} failed",
        ]
        if self._count(("test",), "skipped"):
            parts.append(f"{self._count(('test',), 'skipped')} skipped")
        took = f" ({self.seconds:.1f} s)" if self.seconds is not None else ""
        return f"dbt build: {models}, {tests} tests: {', '.join(parts)}{took}; full log: {log_file}"

    def warnings_line(self) -> str | None:
        """The tests that warned, by name (their rows are in the asset checks and the marts)."""
        if not self.warnings:
            return None
        names = ", ".join(p.name for p in self.warnings[:20])
        more = f" and {len(self.warnings) - 20} more" if len(self.warnings) > 20 else ""
        return f"dbt: {len(self.warnings)} test(s) warned: {names}{more}"

    def failure_text(self, log_file: Path) -> str:
        """The summary line, then each failure once with dbt's message."""
        return "\n".join([self.line(log_file), *(str(p) for p in self.failures)])


def _kind_and_name(unique_id: str) -> tuple[str, str, str]:
    """`test.linkokr.not_null_x.7669a8de99` -> ("test", "linkokr", "not_null_x")."""
    parts = unique_id.split(".")
    if len(parts) < 3:
        return (parts[0] or "node", "", unique_id)
    return (parts[0], parts[1], parts[2])
