"""Sniffing vendor CSV exports: encoding, delimiter, where the header is, and what the header says.

Only the first lines of a file are read in Python; the rows themselves are streamed by DuckDB's
`read_csv` with the options worked out here (`csv_relation`). Parsers key on header *names*
(case-insensitive, trimmed), never on positions: users choose columns in the vendor UIs.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

SNIFF_BYTES = 256 * 1024
DELIMITERS = ("\t", ",", ";")
DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
COMPACT_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
# A 1 MB field in UTF-16 is a 2 MB line, DuckDB's default limit. A larger limit slows every read
# down (bigger buffers, and a slower checkpoint of the table written), so a file is read with the
# default first and again with this one only when lines went missing for their length.
MAX_LINE_BYTES = 8 * 1024 * 1024
LONG_LINE_BUFFER_BYTES = 32 * 1024 * 1024


class FileRejected(ValueError):
    """The file cannot be loaded; the message says why (with line and column where it applies)."""


@dataclass(frozen=True)
class CsvLayout:
    path: Path
    encoding: str  # the DuckDB `encoding` option: utf-8 or utf-16
    delimiter: str
    header_line: int  # 0-based line index of the header row
    header: tuple[str, ...]  # header names as written (trimmed, BOM removed)
    long_lines: bool = False  # read with MAX_LINE_BYTES instead of DuckDB's 2 MB default

    def index(self, aliases: Iterable[str]) -> int | None:
        """Position of the first header name matching one of `aliases` (case-insensitive)."""
        wanted = [normalize_header(a) for a in aliases]
        names = [normalize_header(h) for h in self.header]
        for alias in wanted:
            if alias in names:
                return names.index(alias)
        return None


def normalize_header(name: str) -> str:
    """`Source URL`, `source_url`, `SourceURL` -> `sourceurl`: vendors flip between spellings."""
    return re.sub(r"[^0-9a-z%]", "", name.replace("\ufeff", "").lower())


@dataclass(frozen=True)
class FileScan:
    """One streamed pass over a file's bytes: its SHA-256, how many lines it can hold at most
    (its 0x0A bytes, plus a last line without one): what a load should yield, so a short load is
    noticed without a second read. Exact for UTF-8; a UTF-16 file's count also takes in
    characters with a 0x0A byte (U+300A, U+0A05, ...), see `utf16_lines`. `utf8_valid` is false
    for a file whose first bytes read as UTF-8 but later ones do not (a Windows-1252 re-save
    whose first accented letter comes after a few kB)."""

    sha256: str
    max_lines: int
    utf8_valid: bool = True


def scan_file(path: Path) -> FileScan:
    digest = hashlib.sha256()
    newlines = 0
    last = b""
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    utf8_valid = True
    with path.open("rb") as handle:
        try:
            checking = detect_encoding(handle.read(4096)) == "utf-8"
        except FileRejected:
            checking = False  # not UTF-8 from the start: transcoded as a whole
        handle.seek(0)
        utf8 = codecs.getincrementaldecoder("utf-8")()
        while size := handle.readinto(buffer):
            digest.update(view[:size])
            newlines += buffer.count(b"\n", 0, size)
            last = (last + bytes(view[max(size - 2, 0) : size]))[-2:]
            if checking:
                try:
                    utf8.decode(view[:size])
                except UnicodeDecodeError:
                    checking = utf8_valid = False
        if checking:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_valid = False
    # A last line without a newline (UTF-8 `0A` or UTF-16 `0A 00`) is still a line.
    unterminated = last and not last.endswith(b"\n") and last != b"\n\x00"
    return FileScan(digest.hexdigest(), newlines + (1 if unterminated else 0), utf8_valid)


def utf16_lines(path: Path) -> int:
    """A UTF-16 LE file's exact line count: newlines are `0A 00` at even offsets."""
    newlines = 0
    last = b""
    buffer = bytearray(1 << 20)  # even-sized: code units never straddle two chunks
    with path.open("rb") as handle:
        while size := handle.readinto(buffer):
            newlines += buffer[0:size:2].count(b"\n")
            last = (last + bytes(buffer[max(size - 2, 0) : size]))[-2:]
    return newlines + (1 if last and last != b"\n\x00" else 0)


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    # UTF-16 without a BOM still shows as ASCII interleaved with NUL bytes.
    if len(head) >= 4 and head[1:4:2] == b"\x00\x00" and head[0:4:2] != b"\x00\x00":
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sniffed block is still UTF-8.
        if error.start < len(head) - 4:
            raise FileRejected(
                f"not UTF-8 or UTF-16 (byte 0x{head[error.start]:02x} at offset {error.start})"
            ) from None
    return "utf-8"


def head_lines(path: Path, encoding: str, max_lines: int = 50) -> list[str]:
    raw = path.open("rb").read(SNIFF_BYTES)
    if encoding == "utf-16":
        if len(raw) % 2:
            raw = raw[:-1]
        text = raw.decode("utf-16", errors="replace")
    else:
        text = raw.decode("utf-8", errors="replace")
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if len(raw) == SNIFF_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut mid-way
    return lines[:max_lines]


def split_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader(io.StringIO(line), delimiter=delimiter), [])


def find_header(
    path: Path, is_header: Callable[[list[str]], bool], *, max_lines: int = 50
) -> CsvLayout:
    """Locate the header row: the first line (of the first `max_lines`) that `is_header` accepts.

    Moz and Semrush Position Tracking put metadata lines above the header, so the row is searched
    for instead of skipping a fixed count. `is_header` receives the normalized header names.
    """
    if path.stat().st_size == 0:
        raise FileRejected("empty file (0 bytes)")
    encoding = detect_encoding(path.open("rb").read(4096))
    if encoding == "utf-16" and path.stat().st_size % 2:
        raise FileRejected(
            f"truncated UTF-16 file: odd byte count ({path.stat().st_size} bytes), so the last "
            "line was cut off; loading it as a snapshot would mark links as lost. Export it again."
        )
    lines = head_lines(path, encoding, max_lines)
    if not any(line.strip() for line in lines):
        raise FileRejected("empty file (no text)")
    best: tuple[int, str, list[str]] | None = None
    for number, line in enumerate(lines):
        for delimiter in DELIMITERS:
            if delimiter not in line:
                continue
            cells = split_line(line, delimiter)
            names = [normalize_header(c) for c in cells]
            if is_header(names):
                best = (number, delimiter, cells)
                break
        if best:
            break
    if best is None:
        # the first line that could be a header: below a `#` preamble (GA4), not blank
        number, first = next(
            (
                (n, line)
                for n, line in enumerate(lines)
                if line.strip() and not line.startswith("#")
            ),
            next(((n, line) for n, line in enumerate(lines) if line.strip()), (0, "")),
        )
        raise FileRejected(
            f"line {number + 1}: unknown header, no known vendor format matches: {first[:200]!r}"
        )
    number, delimiter, cells = best
    return CsvLayout(
        path=path,
        encoding=encoding,
        delimiter=delimiter,
        header_line=number,
        header=tuple(c.replace("\ufeff", "").strip() for c in cells),
    )


def csv_relation_sql(
    layout: CsvLayout, *, rejects_table: str | None = None
) -> tuple[str, list[object]]:
    """A `read_csv(...)` call streaming the data rows as VARCHAR columns c0..cN, and its parameters.

    Columns are positional names because header names are user-controlled text (quotes,
    semicolons, SQL); the mapping from names to positions is done in Python from the header.
    """
    columns = {f"c{i}": "VARCHAR" for i in range(len(layout.header))}
    # No sniffing (the header was found above); malformed rows are skipped instead of failing the
    # file, and with `rejects_table` recorded with their line in that temp table (which slows
    # the scan down, so it is only asked for when rows went missing).
    rejects = ""
    if rejects_table:
        assert re.fullmatch(r"[a-z0-9_]+", rejects_table), rejects_table
        rejects = (
            f", store_rejects = true, rejects_table = '{rejects_table}', "
            f"rejects_scan = '{rejects_table}_scans'"
        )
    long_lines = (
        f", max_line_size = {MAX_LINE_BYTES}, buffer_size = {LONG_LINE_BUFFER_BYTES}"
        if layout.long_lines
        else ""
    )
    sql = (
        "read_csv(?, delim = ?, quote = '\"', escape = '\"', header = false, skip = ?, "
        "columns = ?, encoding = ?, auto_detect = false, null_padding = true, parallel = true, "
        f"ignore_errors = true{long_lines}{rejects})"
    )
    return sql, [
        str(layout.path),
        layout.delimiter,
        layout.header_line + 1,
        columns,
        layout.encoding,
    ]


def _date_in(text: str) -> date | None:
    """The first real date in `text`: `YYYY-MM-DD` (also the Ahrefs `YYYY-MM-DD_HH-MM-SS` stamp),
    else `YYYYMMDD` (digits not part of a longer number)."""
    for pattern in (DATE_IN_NAME, COMPACT_DATE_IN_NAME):
        for match in pattern.finditer(text):
            try:
                found = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
            if 2000 <= found.year <= 2099:
                return found
    return None


def snapshot_date_of(
    path: Path, *, outer_name: str | None = None, root: Path | None = None
) -> tuple[date, str]:
    """A file's snapshot date and where it came from (docs/sources.md, section 6), in order: a date
    in the file name (the outer zip's name if any), a date-named folder between `root` (the inbox
    kind folder) and the file, the file's modification time (local date)."""
    found = _date_in(outer_name or path.name)
    if found:
        return found, "file_name"
    folder = path.parent
    while root is not None and folder != root and root in folder.parents:
        found = _date_in(folder.name)
        if found:
            return found, "folder_name"
        folder = folder.parent
    return datetime.fromtimestamp(path.stat().st_mtime).date(), "modified_time"
