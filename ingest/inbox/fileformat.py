"""What a file format is: the header aliases per canonical column, and how a file is recognised.

Each source package declares its formats with this class (`ingest/sources/<vendor>/formats.py`)
and `ingest.inbox.formats` lists them per inbox folder. A vendor is recognised from the header:
its required columns plus at least one column only that vendor writes. An unknown header is a
rejection, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ingest.inbox.files import CsvLayout, normalize_header


@dataclass(frozen=True)
class Reshaped:
    """A format's own SELECT producing its canonical columns from `source`, the file's data rows
    as the VARCHAR columns c0..cN of `files.csv_relation_sql`."""

    sql: str
    params: list[object]
    rows_per_line: int = 1  # long rows each data line becomes (one per date and target)
    site: str | None = None  # the site the header names, if it names one


@dataclass(frozen=True)
class FileFormat:
    format_id: str  # e.g. ahrefs_current, recorded as `_format`
    source: str  # vendor / tool id, recorded as `_source` and in the ledger
    kind: str  # inbox folder: backlinks, rankings, domain_metrics, traffic
    table: str  # raw table name (schema raw)
    columns: Mapping[str, Sequence[str]]  # canonical column -> header aliases
    required: Sequence[str]  # canonical columns that must be present
    signature: Sequence[str] = ()  # at least one of these header names must be present
    forbidden: Sequence[str] = ()  # none of these may be present (tells look-alikes apart)
    site_column: str | None = None  # canonical column whose registrable domain names the site
    site_from_name: bool = False  # no URL column: the site is the domain in the file name
    raw_columns: Sequence[str] = field(default=())  # all columns of the raw table (union per table)
    # Canonical columns the header must have although a row may leave them empty (a rank file's
    # position: empty is "not ranking", not a broken row).
    header_only: Sequence[str] = ()
    # A further test on the normalized header names (wide formats: their date columns).
    header_test: Callable[[Sequence[str]], bool] | None = None
    # Wide formats and GA4 downloads: their own SELECT producing the canonical columns. Columns
    # with no aliases are produced by it and not looked for in the header.
    reshape: Callable[[CsvLayout], Reshaped] | None = None
    # The file must name a site: else the domain in its file name, else it is rejected.
    site_required: bool = False
    # Canonical columns holding dates, numbers or booleans (ingest.inbox.values kinds): how each
    # reads is decided per file from its values, and the raw view presents them in canonical form.
    types: Mapping[str, str] = field(default_factory=dict)

    def matches(self, names: Sequence[str]) -> bool:
        present = set(names)

        def has(aliases: Sequence[str]) -> bool:
            return any(normalize_header(a) in present for a in aliases)

        in_header = [c for c in (*self.required, *self.header_only) if self.columns[c]]
        return (
            all(has(self.columns[c]) for c in in_header)
            and (not self.signature or has(self.signature))
            and not has(self.forbidden)
            and (self.header_test is None or self.header_test(names))
        )
