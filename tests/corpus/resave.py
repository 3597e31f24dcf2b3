"""What a spreadsheet writes when a user opens a vendor CSV export and saves it again as CSV.

`resave(data, locale=..., encoding=...)` models Excel on Windows: the file is opened with its
columns recognised (the encoding from its BOM, the delimiter from its lines, the source's number
convention from its delimiter and percents: `;` files and `4,2 %` mean decimal commas), every
cell is typed as Excel types typed-in text, and the sheet is saved as "CSV" (Windows-1252) or
"CSV UTF-8" (with a BOM) in the locale's regional format:

| locale | delimiter | datetime          | date        | decimals, percents | booleans      |
|--------|-----------|-------------------|-------------|--------------------|---------------|
| us     | `,`       | `4/28/2026 5:49`  | `4/28/2026` | `12.5`, `6.47%`    | TRUE/FALSE    |
| uk     | `,`       | `28/04/2026 05:49`| `28/04/2026`| `12.5`, `6.47%`    | TRUE/FALSE    |
| de     | `;`       | `28.04.2026 05:49`| `28.04.2026`| `12,5`, `6,47%`    | WAHR/FALSCH   |

What Excel converts, and how it writes it back:
- `YYYY-MM-DD HH:MM[:SS]` becomes a date-time shown without seconds (the seconds are lost);
  `YYYY-MM-DD` a date. Other date spellings (`2026-04-28T05:49:00Z`, `28.04.2026`,
  `20261101`) are not converted: ISO with `T`/`Z` stays text, 8-digit numbers stay numbers.
- `true`/`false` (any case) become booleans.
- Numbers in the source's convention: integers are written as plain digits (no thousands
  separators, leading zeros dropped; 12 digits and more in scientific notation, as the General
  format does in a default-width column); decimals lose trailing zeros (`0.90` -> `0.9`) and
  take the locale's decimal mark; `1,234` (or `1.234` in a decimal-comma source) is 1234.
- Percents keep their value: `5%` stays `5%`, a percent with decimals is shown with two
  (`4.2%` -> `4.20%`, `6.475%` -> `6.48%`), as Excel's 0.00% format does.
- Everything else is written as it was read: text, URLs, `-`, `>100`, `100+`, empty cells.

The sheet is written as a rectangle: every row, the metadata and preamble lines above a header
and blank lines included, gets as many fields as the widest row (Excel pads with delimiters).
Fields are quoted only when they hold the delimiter, a double quote or a line break. Lines end
with CRLF. Windows-1252 output replaces characters it cannot encode with `?`.

The model assumes the user opened the file so that Excel split its columns and read its
numbers as the source meant them; a German Excel double-clicking a comma file would instead put
every line in column A (a file the pipeline cannot load at all, not one this corpus tests).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple


class Variant(NamedTuple):
    id: str  # e.g. "de-cp1252", usable in file names and test ids
    locale: str  # us, uk, de
    encoding: str  # utf-8-sig (Excel "CSV UTF-8"), cp1252 (Excel "CSV"), utf-8


# The re-saves a test should run every original through.
VARIANTS: tuple[Variant, ...] = (
    Variant("us-cp1252", "us", "cp1252"),
    Variant("uk-utf8bom", "uk", "utf-8-sig"),
    Variant("de-cp1252", "de", "cp1252"),
    Variant("de-utf8bom", "de", "utf-8-sig"),
)


@dataclass(frozen=True)
class Locale:
    delimiter: str
    decimal: str
    true: str
    false: str
    day_first: bool
    date_separator: str
    pad_hour: bool
    pad_date: bool

    def date(self, day: date) -> str:
        if self.pad_date:
            d, m = f"{day.day:02d}", f"{day.month:02d}"
        else:
            d, m = str(day.day), str(day.month)
        parts = (d, m) if self.day_first else (m, d)
        return self.date_separator.join((*parts, str(day.year)))

    def datetime(self, moment: datetime) -> str:
        hour = f"{moment.hour:02d}" if self.pad_hour else str(moment.hour)
        return f"{self.date(moment.date())} {hour}:{moment.minute:02d}"


LOCALES = {
    "us": Locale(",", ".", "TRUE", "FALSE", False, "/", pad_hour=False, pad_date=False),
    "uk": Locale(",", ".", "TRUE", "FALSE", True, "/", pad_hour=True, pad_date=True),
    "de": Locale(";", ",", "WAHR", "FALSCH", True, ".", pad_hour=True, pad_date=True),
}
_LOCALE_ALIASES = {
    "en-us": "us",
    "en_us": "us",
    "en-gb": "uk",
    "en_gb": "uk",
    "gb": "uk",
    "de-de": "de",
    "de_de": "de",
}
_ENCODINGS = {
    "utf-8-sig": "utf-8-sig",
    "utf8-sig": "utf-8-sig",
    "utf-8-bom": "utf-8-sig",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "utf-8": "utf-8",
    "utf8": "utf-8",
}
DELIMITERS = ("\t", ";", ",")  # tie-break order


def _locale(name: str) -> Locale:
    key = name.strip().lower()
    key = _LOCALE_ALIASES.get(key, key)
    if key not in LOCALES:
        raise ValueError(f"unknown locale {name!r}: one of {sorted(LOCALES)}")
    return LOCALES[key]


def _encoding(name: str) -> str:
    key = name.strip().lower().replace("_", "-")
    if key not in _ENCODINGS:
        raise ValueError(f"unknown encoding {name!r}: utf-8-sig, cp1252 or utf-8")
    return _ENCODINGS[key]


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # codec to encode the text back with
    bom: bytes  # written before the encoded text


def decode(data: bytes) -> Decoded:
    """The text of a CSV export: UTF-16 with a BOM (or without, ASCII interleaved with NULs),
    UTF-8 with or without a BOM, else Windows-1252 (a previous re-save)."""
    if data.startswith(codecs.BOM_UTF16_LE):
        return Decoded(data[2:].decode("utf-16-le"), "utf-16-le", codecs.BOM_UTF16_LE)
    if data.startswith(codecs.BOM_UTF16_BE):
        return Decoded(data[2:].decode("utf-16-be"), "utf-16-be", codecs.BOM_UTF16_BE)
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(data[3:].decode("utf-8"), "utf-8", codecs.BOM_UTF8)
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:4:2] != b"\x00\x00":
        return Decoded(data.decode("utf-16-le"), "utf-16-le", b"")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", b"")
    except UnicodeDecodeError:
        return Decoded(data.decode("cp1252"), "cp1252", b"")


def _rows(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def detect_delimiter(text: str, max_lines: int = 60) -> str:
    """The delimiter that splits the file's first lines into the most fields (the header and
    data lines are the widest; metadata lines above them are narrow)."""
    head = "\n".join(text.splitlines()[:max_lines])
    best, width = ",", 1
    for delimiter in DELIMITERS:
        widest = max((len(row) for row in _rows(head, delimiter)), default=0)
        if widest > width:
            best, width = delimiter, widest
    return best


# --- cells ------------------------------------------------------------------------------------

_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_BOOLEANS = {"TRUE": True, "FALSE": False, "WAHR": True, "FALSCH": False}
_PERCENT_SPACE = " \u00a0\u202f"


@lru_cache
def _number_pattern(decimal: str, thousands: str) -> re.Pattern[str]:
    d, t = re.escape(decimal), re.escape(thousands)
    digits = rf"(?:\d+|\d{{1,3}}(?:{t}\d{{3}})+)"
    return re.compile(rf"(-?)({digits})(?:{d}(\d+))?")


@dataclass(frozen=True)
class NumberSyntax:
    """How the source writes numbers: decimal mark and thousands separator."""

    decimal: str
    thousands: str

    def parse(self, text: str) -> tuple[Decimal, int] | None:
        """(value, number of decimals written), or None when `text` is not a number."""
        match = _number_pattern(self.decimal, self.thousands).fullmatch(text)
        if not match:
            return None
        sign, whole, fraction = match.groups()
        whole = whole.replace(self.thousands, "")
        value = Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")
        return value, len(fraction or "")


_COMMA_PERCENT = re.compile(r"-?\d+,\d+[ \u00a0\u202f]?%|-?\d+[ \u00a0\u202f]%")
DECIMAL_COMMA = NumberSyntax(",", ".")
DECIMAL_POINT = NumberSyntax(".", ",")


def source_syntax(rows: list[list[str]], delimiter: str) -> NumberSyntax:
    """The source's number convention: decimal comma for a `;`-delimited export (the German
    Search Console UI) or one with localized percents (`4,2 %`, `40 %`: a localized export that
    kept the comma delimiter and quotes its numbers), else decimal point."""
    if delimiter == ";":
        return DECIMAL_COMMA
    if any(_COMMA_PERCENT.fullmatch(cell) for row in rows for cell in row):
        return DECIMAL_COMMA
    return DECIMAL_POINT


def _general(value: Decimal, locale: Locale) -> str:
    """A number as Excel's General format shows it in a default-width (11 characters) column."""
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
        if abs(value) >= 10**11:
            mantissa, exponent = f"{value:.5E}".split("E")
            mantissa = mantissa.rstrip("0").rstrip(".")
            sign = "-" if exponent.startswith("-") else "+"
            text = f"{mantissa}E{sign}{int(exponent.lstrip('+-')):02d}"
            return text.replace(".", locale.decimal)
        return str(int(value))
    text = format(value.normalize(), "f")
    if len(text) > 11:
        whole = len(text.split(".")[0])
        places = max(0, 11 - whole - 1)
        text = format(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP).normalize(), "f")
    return text.replace(".", locale.decimal)


def _percent(value: Decimal, decimals: int, locale: Locale) -> str:
    if decimals == 0:
        return f"{_general(value, locale)}%"
    shown = format(value.quantize(Decimal("0.01"), ROUND_HALF_UP), "f")
    return shown.replace(".", locale.decimal) + "%"


def convert_cell(text: str, locale: Locale, syntax: NumberSyntax) -> str:
    """One cell as Excel reads it and writes it back in `locale`."""
    if not text:
        return text
    match = _DATETIME.fullmatch(text)
    if match:
        y, m, d, hh, mm, ss = (int(g) if g else 0 for g in match.groups())
        try:
            return locale.datetime(datetime(y, m, d, hh, mm, ss))
        except ValueError:
            return text
    match = _DATE.fullmatch(text)
    if match:
        try:
            return locale.date(date(*(int(g) for g in match.groups())))
        except ValueError:
            return text
    flag = _BOOLEANS.get(text.upper())
    if flag is not None:
        return locale.true if flag else locale.false
    if text.endswith("%"):
        parsed = syntax.parse(text[:-1].rstrip(_PERCENT_SPACE))
        return _percent(*parsed, locale) if parsed else text
    parsed = syntax.parse(text)
    return _general(parsed[0], locale) if parsed else text


# --- writing ----------------------------------------------------------------------------------


def _field(value: str, delimiter: str) -> str:
    if delimiter in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if encoding == "cp1252":
        return text.encode("cp1252", errors="replace")  # what Excel's "CSV" does: `?`
    return text.encode("utf-8")


def is_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06")


def resave(
    data: bytes,
    *,
    locale: str,
    encoding: str,
    name: str = "",
    source_decimal: str | None = None,
) -> bytes:
    """`data` (a CSV export, or a zip of them) as Excel saves it again in `locale` (us, uk, de)
    and `encoding` (utf-8-sig for "CSV UTF-8", cp1252 for "CSV", utf-8). `name` is only used to
    tell a zip by its extension and in error messages; `source_decimal` overrides the source's
    decimal mark (`.` or `,`) that is otherwise inferred from its delimiter."""
    if is_zip(data) or name.lower().endswith(".zip"):
        return resave_zip(data, locale=locale, encoding=encoding, name=name)
    target, codec = _locale(locale), _encoding(encoding)
    text = decode(data).text
    delimiter = detect_delimiter(text)
    rows = _rows(text, delimiter)
    if source_decimal is None:
        syntax = source_syntax(rows, delimiter)
    else:
        syntax = DECIMAL_COMMA if source_decimal == "," else DECIMAL_POINT
    width = max((len(row) for row in rows), default=0)
    lines = []
    for row in rows:
        cells = [convert_cell(cell, target, syntax) for cell in row]
        cells += [""] * (width - len(cells))
        lines.append(target.delimiter.join(_field(c, target.delimiter) for c in cells))
    out = "".join(line + "\r\n" for line in lines)
    return _encode(out, codec)


def _copy_info(info: zipfile.ZipInfo, name: str | None = None) -> zipfile.ZipInfo:
    copy = zipfile.ZipInfo(name or info.filename, date_time=info.date_time)
    copy.compress_type = zipfile.ZIP_DEFLATED
    copy.external_attr = info.external_attr
    copy.create_system = info.create_system
    return copy


def resave_zip(data: bytes, *, locale: str, encoding: str, name: str = "") -> bytes:
    """A Search Console export zip with each CSV member re-saved (names, order and member times
    kept; other members copied)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if not info.is_dir() and info.filename.lower().endswith(".csv"):
                content = resave(
                    content, locale=locale, encoding=encoding, name=f"{name}:{info.filename}"
                )
            target.writestr(_copy_info(info), content)
    return buffer.getvalue()


# --- copies under another site ----------------------------------------------------------------


def _domain_pattern(old: str) -> re.Pattern[str]:
    # Subdomains (`www.`, `*.`) and a following `/`, `-`, `.`, `_` stay; a longer name does not
    # match (`notacme-outdoor.com`, `acme-outdoor.community`).
    return re.compile(rf"(?<![A-Za-z0-9-]){re.escape(old)}(?![A-Za-z0-9])", re.IGNORECASE)


def rebrand_name(name: str, old: str, new: str) -> str:
    """A file name with the domain token `old` replaced by `new`."""
    return _domain_pattern(old).sub(new, name)


def rebrand(data: bytes, old: str, new: str) -> bytes:
    """The file with every `old` domain token replaced by `new`, in the file's own encoding and
    BOM (UTF-16 included); for a zip, in every member (member names too)."""
    if is_zip(data):
        buffer = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(data)) as source,
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for info in source.infolist():
                content = source.read(info)
                if not info.is_dir():
                    content = rebrand(content, old, new)
                target.writestr(_copy_info(info, rebrand_name(info.filename, old, new)), content)
        return buffer.getvalue()
    decoded = decode(data)
    text = _domain_pattern(old).sub(new, decoded.text)
    return decoded.bom + text.encode(decoded.encoding)


def variant_name(name: str, variant: Variant | str) -> str:
    """`acme.com-backlinks_2026-04-18.csv` -> `acme.com-backlinks_2026-04-18-resaved-de-cp1252.csv`:
    the site and the date stay where the inbox looks for them."""
    vid = variant.id if isinstance(variant, Variant) else variant
    stem, dot, extension = name.rpartition(".")
    if not dot:
        return f"{name}-resaved-{vid}"
    return f"{stem}-resaved-{vid}.{extension}"
