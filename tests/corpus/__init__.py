"""A corpus of vendor exports in each vendor's published layout, and their spreadsheet re-saves.

`CORPUS_DIR` holds the originals (tests/fixtures/corpus/, built by `tests.corpus.originals`);
`inventory()` lists them; `tests.corpus.resave` turns an original into what Excel writes when a
user opens it and saves it again as CSV in a US, UK or German locale (`VARIANTS`).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from tests.corpus.originals import ORIGINALS
from tests.corpus.resave import (
    VARIANTS,
    Variant,
    rebrand,
    rebrand_name,
    resave,
    resave_zip,
    variant_name,
)

CORPUS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"


class CorpusFile(NamedTuple):
    kind: str  # inbox folder: backlinks, rankings, traffic
    path: Path  # the original, under CORPUS_DIR
    format_id: str  # the ingest format id it should be recognised as (ingest/inbox/formats.py)
    source: str  # vendor / tool id
    site: str  # the site the file is for (acme-outdoor.com or rival-gear.com)
    expect: str  # "load", or "reject" for a negative fixture


def inventory() -> list[CorpusFile]:
    """Every original in the corpus, in a stable order."""
    return [
        CorpusFile(o.kind, CORPUS_DIR / o.relpath, o.format_id, o.source, o.site, o.expect)
        for o in ORIGINALS
    ]


__all__ = [
    "CORPUS_DIR",
    "VARIANTS",
    "CorpusFile",
    "Variant",
    "inventory",
    "rebrand",
    "rebrand_name",
    "resave",
    "resave_zip",
    "variant_name",
]
