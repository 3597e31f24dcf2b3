"""Recognising an inbox file: the CSV to read (zips extracted, Windows-1252 transcoded), its
format (from the header), and the site it is for (its URLs, else its name)."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ingest.domains import HOST_PATTERN, has_public_suffix, registrable_domain
from ingest.inbox.fileformat import FileFormat
from ingest.inbox.files import (
    CsvLayout,
    FileRejected,
    detect_encoding,
    find_header,
    normalize_header,
    scan_file,
)
from ingest.inbox.formats import FORMATS_BY_KIND, ZIP_BUNDLES
from ingest.warehouse import quote_identifier

# Runs of characters a domain can hold; a domain ends where one of them does, or at a `-`, `_`
# or `.` (`acme.com-backlinks.csv`, `acme.co.uk_export.csv`).
NAME_TOKEN = re.compile(r"[a-z0-9][a-z0-9.-]*")
DOMAIN_END = re.compile(r"(?<=[a-z])(?=[-.]|$)")
TRANSCODE_CHUNK = 1 << 20


def detect_format(path: Path, kind: str) -> tuple[CsvLayout, FileFormat]:
    formats = FORMATS_BY_KIND.get(kind)
    if not formats:
        raise FileRejected(f"no file formats are known for inbox folder {kind!r}")
    layout = find_header(path, lambda names: any(f.matches(names) for f in formats))
    names = [normalize_header(h) for h in layout.header]
    return layout, next(f for f in formats if f.matches(names))


@contextmanager
def readable_copy(
    path: Path, *, transcode: bool = False, scratch: Path | None = None
) -> Iterator[Path]:
    """The CSV DuckDB should read: zips extracted, non-UTF encodings transcoded (streamed;
    `transcode`: whatever the first bytes say), in a folder under `scratch` (ingest.scratch).

    A zip holds one CSV, or several that one of `ZIP_BUNDLES` combines into one (a Search
    Console export)."""
    if scratch is not None:
        scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="linkokr-", dir=scratch) as tmp:
        current = path
        if path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    members = [
                        m
                        for m in archive.infolist()
                        if not m.is_dir() and not Path(m.filename).name.startswith(".")
                    ]
                    if not members:
                        raise FileRejected("zip must hold exactly one CSV file, found 0")
                    folder = Path(tmp) / "members" if len(members) > 1 else Path(tmp)
                    folder.mkdir(exist_ok=True)
                    extracted = []
                    for member in members:
                        extracted.append(folder / Path(member.filename).name)
                        with archive.open(member) as src, extracted[-1].open("wb") as dst:
                            shutil.copyfileobj(src, dst, TRANSCODE_CHUNK)
            except zipfile.BadZipFile as error:
                raise FileRejected(f"not a readable zip file: {error}") from None
            # a re-saved export inside a zip is as likely to be Windows-1252 as a loose one
            extracted = [
                _as_utf(member, Path(tmp) / "utf8", transcode=not scan_file(member).utf8_valid)
                for member in extracted
            ]
            if len(extracted) == 1:
                current = extracted[0]
            else:
                bundled = (bundle(extracted, Path(tmp)) for bundle in ZIP_BUNDLES)
                current = next((c for c in bundled if c is not None), None)
                if current is None:
                    raise FileRejected(f"zip must hold exactly one CSV file, found {len(members)}")
        current = _as_utf(current, Path(tmp) / "utf8", transcode=transcode and current == path)
        yield current


def _as_utf(path: Path, folder: Path, *, transcode: bool = False) -> Path:
    """`path` if DuckDB can read it (UTF-8 or UTF-16), else a UTF-8 copy of it, transcoded from
    Windows-1252 in chunks: what Excel writes on most Western machines ("CSV"), and what DuckDB
    cannot read (its encodings extension cannot be downloaded here). Bytes Windows-1252 does not
    define refuse the file rather than turning into something else. `transcode`: the file's
    first bytes read as UTF-8 but later ones do not (an `é` after the first few kB)."""
    if not transcode:
        try:
            detect_encoding(path.open("rb").read(4096))
            return path
        except FileRejected:
            pass
    folder.mkdir(parents=True, exist_ok=True)
    transcoded = folder / path.name
    try:
        with (
            path.open("r", encoding="cp1252", newline="") as src,
            transcoded.open("w", encoding="utf-8", newline="") as dst,
        ):
            shutil.copyfileobj(src, dst, TRANSCODE_CHUNK)
    except UnicodeDecodeError as error:
        raise FileRejected(
            f"{path.name}: not UTF-8, UTF-16 or Windows-1252 (byte "
            f"0x{error.object[error.start]:02x} is none of them): save it again as CSV UTF-8"
        ) from None
    return transcoded


def site_from_name(name: str) -> str | None:
    """The registrable domain of the first domain in a file name (`acme.com-backlinks.csv`,
    `ga4_acme.co.uk-landing-pages.csv`): the longest head of a name token that ends a label and
    has a public suffix (`acme.com-landing-pages.csv` is not a domain, `acme.com` is)."""
    # `.zip` and friends are top-level domains too: the extension is not part of the name
    stem = re.sub(r"(\.(csv|tsv|txt|zip|xlsx?))+$", "", name.lower())
    for token in NAME_TOKEN.finditer(stem):
        text = token[0]
        heads = [text[: end.start()] for end in DOMAIN_END.finditer(text)]
        for head in sorted(heads, key=len, reverse=True):
            if "." in head and not head.startswith("-") and has_public_suffix(head):
                domain = registrable_domain(head.removeprefix("www."))
                if domain:
                    return domain
    return None


def detect_site(con: duckdb.DuckDBPyConnection, fmt: FileFormat, relation: str) -> str | None:
    """The most common registrable domain of the format's site column (per distinct host)."""
    if fmt.site_column is None:
        return None
    # An optional column the user left out of the export is not in the file's table.
    present = [d[0] for d in con.execute(f"select * from {relation} limit 0").description]
    if fmt.site_column not in present:
        return None
    column = quote_identifier(fmt.site_column)
    rows = con.execute(
        f"""select lower(regexp_extract(trim({column}), ?, 1)) as host, count(*) as n
            from {relation}
            where {column} is not null
            group by host""",
        [HOST_PATTERN],
    ).fetchall()
    counts: Counter[str] = Counter()
    for host, n in rows:
        if host:
            counts[registrable_domain(host.removeprefix("www."))] += n
    return counts.most_common(1)[0][0] if counts else None
