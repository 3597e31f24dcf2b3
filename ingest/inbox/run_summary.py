"""What a run did with each inbox file (docs/sources.md, section 6, "The run summary"): loaded
(rows, rows rejected), duplicate (of which file), held out (a domain linkokr.yml does not name),
refused (the reason's first line), and the files left alone: still being written, unreadable,
vanished. The inbox asset puts it in its metadata; `linkokr run` prints it at the end."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest.inbox.load import LoadResult
from ingest.inbox.scan import shown

# Files whose rows belong to a site: held out of the marts when the config does not name it.
SITE_KINDS = ("backlinks", "rankings", "traffic")


@dataclass(frozen=True)
class FileFate:
    file: str  # `<kind>/<name>`, as under the inbox
    fate: str  # loaded, held out, duplicate, refused, still being written, unreadable, vanished
    detail: str
    warning: bool = False  # worth a look: rows rejected, held out, refused, mtime snapshot date

    def as_dict(self) -> dict:
        return asdict(self)


def held_out_domain(result: LoadResult, configured: Iterable[str]) -> str | None:
    """The unconfigured domain a loaded file is for, or None."""
    if result.status != "loaded" or result.kind not in SITE_KINDS or not result.site:
        return None
    return None if result.site in set(configured) else result.site


def fix_for(domain: str) -> str:
    return (
        f"add {domain} to linkokr.yml, under `sites:` (your own site) or a site's "
        "`competitors:`; the next run brings the file's rows into the marts"
    )


def fates(
    results: Sequence[LoadResult],
    configured: Iterable[str],
    *,
    inbox: Path,
    changing: Sequence[tuple[str, Path]] = (),
) -> list[FileFate]:
    """One line per file of the run; files already loaded and unchanged are left out."""
    configured = set(configured)
    found = []

    def name(path: Path) -> str:
        try:
            return shown(path.relative_to(inbox))
        except ValueError:
            return shown(path.name)

    for result in results:
        if result.status == "skipped":
            continue
        file = name(result.path)
        if result.status == "loaded":
            detail = f"{result.rows_loaded:,} rows"
            if result.rows_rejected:
                detail += f", {result.rows_rejected:,} rejected ({_first_line(result.error)})"
            detail += (
                f"; {result.source}, {result.site or 'no site'}, snapshot {result.snapshot_date}"
            )
            mtime = result.snapshot_date_source == "modified_time"
            if mtime:
                detail += (
                    " (the file's modification date: name the file or its folder with the "
                    "export date, YYYY-MM-DD, if that is not the day it was exported)"
                )
            domain = held_out_domain(result, configured)
            if domain:
                found.append(FileFate(file, "held out", f"{detail}; {fix_for(domain)}", True))
            else:
                found.append(FileFate(file, "loaded", detail, bool(result.rows_rejected) or mtime))
        elif result.status == "duplicate":
            found.append(
                FileFate(file, "duplicate", f"same content as {shown(result.duplicate_of)}")
            )
        elif result.status == "rejected":
            reason = f"{_first_line(result.error)} (moved to {result.kind}/_rejected/)"
            found.append(FileFate(file, "refused", reason, True))
        else:
            found.append(FileFate(file, result.status, _first_line(result.error), True))
    for _, path in changing:
        found.append(FileFate(name(path), "still being written", "left for the next run", True))
    return found


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def as_text(found: Sequence[FileFate], already_loaded: int = 0) -> str:
    """The summary `linkokr run` prints."""
    if not found:
        lines = ["inbox: no new files"]
    else:
        width = max(len(f.fate) for f in found)
        lines = [f"inbox: {len(found)} file(s) this run"]
        lines += [
            f"  {'!' if f.warning else ' '} {f.fate.ljust(width)}  {f.file}: {f.detail}"
            for f in found
        ]
    if already_loaded:
        lines.append(f"  ({already_loaded} file(s) already loaded, unchanged)")
    return "\n".join(lines)


def as_markdown(found: Sequence[FileFate]) -> str:
    """The summary in the inbox asset's metadata (the Dagster UI)."""
    if not found:
        return "No new files."

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    rows = [f"| {cell(f.fate)} | `{cell(f.file)}` | {cell(f.detail)} |" for f in found]
    return "| fate | file | detail |\n|---|---|---|\n" + "\n".join(rows)
