"""Reading the values people's files hold: dates, numbers and booleans in every form a vendor or a
spreadsheet re-save writes them (docs/sources.md, section 6, "Files as users really have them").

Nothing is guessed silently. For each file and typed column, one aggregate query over the file's
table (in DuckDB, no per-row Python) gathers the evidence: does a date's first part ever exceed
12 (day-first) or its second (month-first)? Is a `,` ever a decimal comma? The decision is made
per column from its own values; a column whose values do not decide takes the decision the
file's other columns of the same kind agree on (a spreadsheet writes one locale per file), then
`settings.date_order` (dates) or the delimiter (numbers: `;` means decimal commas). A date column
left undecided refuses the file with a message that names the column and the setting.

The file's table keeps the values exactly as written; `normalize_sql` is the SQL expression the
raw view applies to present them in one canonical text form (`YYYY-MM-DD`, with ` HH:MM:SS`
unless midnight; `1234.5`; `true`/`false`; null for "no value" and "not ranking" markers), so
staging parses one format only. A non-empty value that does not read under the decision rejects
its row (`find_invalid`), reported with line and column, never a null.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb

from ingest.inbox.files import FileRejected
from ingest.warehouse import quote_identifier

DATE_ORDERS = ("auto", "dmy", "mdy")

# Values that mean "no value" in a number or date column (`-` in a Moz export, `N/A` in a sheet).
NULL_MARKERS = ("-", "--", "\u2014", "n/a", "na", "null", "none", "#n/a")
# Rank positions that mean "not ranking" (docs/sources.md §3), beside the null markers.
NOT_RANKING = (">100", "100+", "> 100", "not in top 100", "not ranked", "not ranking")
TRUE_WORDS = ("true", "yes", "y", "1", "wahr", "vrai", "verdadero", "x")
FALSE_WORDS = ("false", "no", "n", "0", "falsch", "faux", "falso")
BOOL_WORDS = TRUE_WORDS + FALSE_WORDS

CANONICAL_TIMESTAMP = "%Y-%m-%d %H:%M:%S"
_NUMERIC_DATE = r"\d{1,2}[./-]\d{1,2}[./-]\d{2}(\d{2})?([ ,T].*)?"
_TIMES = ("", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p")
_MONTH_NAME_FORMATS = [
    f"{day}{time}"
    for day in ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d-%b-%y")
    for time in _TIMES
]


def _sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _in(expr: str, values: Sequence[str]) -> str:
    return f"list_contains({_sql_list(values)}, lower({expr}))"


@dataclass(frozen=True)
class ColumnFormat:
    """How one column of one file reads: `kind` plus, for dates, the day/month `order` (`dmy`,
    `mdy`, or None when no value needs one) and, for numbers, the `decimal` separator."""

    kind: str
    order: str | None = None
    decimal: str = "."

    def token(self) -> str:
        if self.kind == "date":
            return f"date:{self.order}" if self.order else "date"
        if self.kind == "bool":
            return "bool"
        return f"{self.kind}:{'decimal comma' if self.decimal == ',' else 'decimal point'}"

    @classmethod
    def from_token(cls, token: str) -> ColumnFormat:
        kind, _, detail = token.partition(":")
        if kind == "date":
            return cls("date", order=detail or None)
        if kind == "bool":
            return cls("bool")
        return cls(kind, decimal="," if detail == "decimal comma" else ".")


def dumps(formats: Mapping[str, ColumnFormat]) -> str:
    return json.dumps({column: f.token() for column, f in formats.items()}, sort_keys=True)


def loads(text: str | None) -> dict[str, ColumnFormat]:
    return {c: ColumnFormat.from_token(t) for c, t in json.loads(text or "{}").items()}


# --- SQL building blocks ---------------------------------------------------------------------


def _trimmed(column: str) -> str:
    return f"trim({column})"


def _is_empty(t: str, markers: Sequence[str] = NULL_MARKERS) -> str:
    return f"({t} is null or {t} = '' or (length({t}) <= 15 and {_in(t, markers)}))"


def _is_iso(t: str) -> str:
    """`2026-04-18` (also `2026/04/18`), with ` 10:00:00`, `T10:00:00Z`, an offset: a four-digit
    year first. DuckDB's timestamp cast reads any digit count (`1/2/26` as year 1), so it only
    gets values of this shape."""
    return f"(substr({t}, 5, 1) in ('-', '/') and try_cast({t} as timestamp) is not null)"


def _is_compact(t: str) -> str:
    return f"(length({t}) = 8 and regexp_full_match({t}, '\\d{{8}}'))"


def _is_numeric_date(t: str) -> str:
    return f"regexp_full_match({t}, '{_NUMERIC_DATE}')"


def _numeric_date_formats(order: str) -> list[str]:
    first, second = ("%d", "%m") if order == "dmy" else ("%m", "%d")
    return [f"{first}/{second}/%Y{time}" for time in _TIMES]


def _expand_numeric_date(t: str) -> str:
    """`3.4.26 5:49` -> `3/4/2026 5:49`: one separator, four-digit years (two digits are 20YY)."""
    two_digit = (
        f"regexp_replace({t}, "
        "'^(\\d{1,2})[./-](\\d{1,2})[./-](\\d{2})($|[ ,T])', '\\1/\\2/20\\3\\4')"
    )
    return (
        f"trim(regexp_replace({two_digit}, "
        "'^(\\d{1,2})[./-](\\d{1,2})[./-](\\d{4})[ ,T]*', '\\1/\\2/\\3 '))"
    )


def _parse_date(t: str, order: str | None) -> str:
    """A TIMESTAMP from any accepted form, null when `t` does not read (or needs an order)."""
    numeric = (
        f"try_strptime({_expand_numeric_date(t)}, {_sql_list(_numeric_date_formats(order))})"
        if order
        else "cast(null as timestamp)"
    )
    return f"""(case
        when {_is_compact(t)} then try_strptime({t}, '%Y%m%d')
        when {_is_iso(t)} then try_cast({t} as timestamp)
        when {_is_numeric_date(t)} then {numeric}
        else try_strptime({t}, {_sql_list(_MONTH_NAME_FORMATS)})
    end)"""


def _number_text(t: str, kind: str) -> str:
    """The value without what only formats it: group spaces, apostrophes (and `%` in percents)."""
    strip = "[ \u00a0\u202f''%]" if kind == "percent" else "[ \u00a0\u202f'']"
    return f"regexp_replace({t}, '{strip}', '', 'g')"


def _plain_integer(x: str) -> str:
    return f"(try_cast({x} as bigint) is not null)"


def _valid_number(x: str, decimal: str) -> str:
    group = "," if decimal == "." else "\\."
    dec = "\\." if decimal == "." else ","
    pattern = f"[+-]?((\\d+|\\d{{1,3}}({group}\\d{{3}})+)({dec}\\d*)?|{dec}\\d+)"
    return f"({_plain_integer(x)} or regexp_full_match({x}, '{pattern}'))"


def _ambiguous_number(x: str) -> str:
    # `1,234` or `1.234`: a thousands group or a decimal with three digits, the values can't tell
    return "regexp_full_match(" + x + ", '[+-]?[1-9]\\d{0,2}[.,]\\d{3}')"


def _decimal_evidence(x: str, decimal: str) -> str:
    """`x` shows that `decimal` is the decimal separator (the other one groups thousands)."""
    d, g = ("\\.", ",") if decimal == "." else (",", "\\.")
    return (
        f"(not {_ambiguous_number(x)} and ("
        f"regexp_full_match({x}, '[+-]?\\d*{d}\\d+')"
        f" or regexp_full_match({x}, '[+-]?\\d{{1,3}}({g}\\d{{3}})+{d}\\d*')"
        f" or regexp_full_match({x}, '[+-]?\\d{{1,3}}({g}\\d{{3}}){{2,}}')))"
    )


def normalize_sql(column: str, fmt: ColumnFormat) -> str:
    """SQL turning `column` (a value as the file wrote it) into canonical text, or null."""
    t = _trimmed(column)
    if fmt.kind == "bool":
        return (
            f"(case when {_in(t, TRUE_WORDS)} then 'true' "
            f"when {_in(t, FALSE_WORDS)} then 'false' end)"
        )
    if fmt.kind == "date":
        return (
            f"(case when {_is_empty(t)} then null else "
            f"regexp_replace(strftime({_parse_date(t, fmt.order)}, '{CANONICAL_TIMESTAMP}'), "
            "' 00:00:00$', '') end)"
        )
    markers = NULL_MARKERS + NOT_RANKING if fmt.kind == "position" else NULL_MARKERS
    x = _number_text(t, fmt.kind)
    if fmt.decimal == ",":
        number = f"replace(replace({x}, '.', ''), ',', '.')"
    else:
        number = f"replace({x}, ',', '')"
    if fmt.kind == "percent":
        # the sign is kept: Moz's old spam-score scale is told apart by it
        number = f"({number} || case when contains({t}, '%') then '%' else '' end)"
    return f"(case when {_is_empty(t, markers)} then null else {number} end)"


def _is_valid_sql(column: str, fmt: ColumnFormat) -> str:
    """True when `column` is empty or reads under `fmt` (costly tests only where needed)."""
    t = _trimmed(column)
    if fmt.kind == "bool":
        return f"({t} is null or {t} = '' or {_in(t, BOOL_WORDS)})"
    if fmt.kind == "date":
        return (
            f"(case when {_is_empty(t)} then true "
            f"when {_is_iso(t)} then true "
            f"else {_parse_date(t, fmt.order)} is not null end)"
        )
    markers = NULL_MARKERS + NOT_RANKING if fmt.kind == "position" else NULL_MARKERS
    return (
        f"(case when {t} is null or {t} = '' then true "
        f"when try_cast({t} as bigint) is not null then true "
        f"when {_is_empty(t, markers)} then true "
        f"else {_valid_number(_number_text(t, fmt.kind), fmt.decimal)} end)"
    )


# --- deciding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stats:
    """What one column's values say (from the aggregate query)."""

    kind: str
    values: int = 0
    first_over_12: int = 0  # numeric dates whose first part is a day > 12
    second_over_12: int = 0
    numeric_dates: int = 0
    dot_decimal: int = 0  # numbers showing a decimal point
    comma_decimal: int = 0
    # values that do not read: whatever the decision, or under one decision
    bad: int = 0
    bad_dmy: int = 0
    bad_mdy: int = 0
    bad_dot: int = 0
    bad_comma: int = 0

    def invalid(self, fmt: ColumnFormat) -> int:
        if fmt.kind == "date":
            under_order = {"dmy": self.bad_dmy, "mdy": self.bad_mdy}.get(
                fmt.order or "", self.numeric_dates
            )
            return self.bad + under_order
        if fmt.kind == "bool":
            return self.bad
        return self.bad_comma if fmt.decimal == "," else self.bad_dot


def _needs_look(t: str, kind: str) -> str:
    """True for a value the quick pass cannot settle: not empty, and not what vendors write
    (timestamps DuckDB casts, whole numbers, `true`/`false`). Kept this simple on purpose: such
    an expression over a dictionary-compressed column is evaluated once per distinct value."""
    settled = {
        "date": _is_iso(t),
        "bool": f"{t} in ('true', 'false')",
    }.get(kind, f"try_cast({t} as bigint) is not null")
    return f"not ({t} is null or {t} = '' or {settled})"


def _closer_look_sql(t: str, kind: str) -> list[tuple[str, str]]:
    """(stat, aggregate) over the values `_needs_look` let through."""
    if kind == "bool":
        return [("bad", f"count(*) filter (where not {_in(t, BOOL_WORDS)})")]
    if kind == "date":
        numeric = _is_numeric_date(t)
        first = f"try_cast(regexp_extract({t}, '^(\\d{{1,2}})[./-]', 1) as integer)"
        second = f"try_cast(regexp_extract({t}, '^\\d{{1,2}}[./-](\\d{{1,2}})[./-]', 1) as integer)"
        month_names = f"try_strptime({t}, {_sql_list(_MONTH_NAME_FORMATS)})"
        stats = [
            (
                "bad",
                f"""count(case when {_is_empty(t)} or {numeric} then null
                    when {_is_compact(t)} then
                        case when try_strptime({t}, '%Y%m%d') is null then 1 end
                    else case when {month_names} is null then 1 end end)""",
            ),
            ("numeric_dates", f"count(*) filter (where {numeric})"),
            (
                "first_over_12",
                f"count(case when {numeric} then case when {first} > 12 then 1 end end)",
            ),
            (
                "second_over_12",
                f"count(case when {numeric} then case when {second} > 12 then 1 end end)",
            ),
        ]
        for order in ("dmy", "mdy"):
            formats = _sql_list(_numeric_date_formats(order))
            parsed = f"try_strptime({_expand_numeric_date(t)}, {formats})"
            stats.append(
                (
                    f"bad_{order}",
                    f"count(case when {numeric} then case when {parsed} is null then 1 end end)",
                )
            )
        return stats
    x = _number_text(t, kind)
    markers = NULL_MARKERS + NOT_RANKING if kind == "position" else NULL_MARKERS
    stats = []
    for decimal, name in ((".", "dot"), (",", "comma")):
        evidence = _decimal_evidence(x, decimal)
        invalid = f"not {_valid_number(x, decimal)}"
        for stat, test in ((f"{name}_decimal", evidence), (f"bad_{name}", invalid)):
            stats.append(
                (stat, f"count(case when {_is_empty(t, markers)} then null when {test} then 1 end)")
            )
    return stats


def _column_stats(
    con: duckdb.DuckDBPyConnection, table: str, columns: Mapping[str, str]
) -> dict[str, _Stats]:
    """What each column's values say. A quick flat pass counts every column's values and those
    it cannot settle (flat on purpose: DuckDB evaluates an expression over a dictionary-compressed
    column once per distinct value); only a column with such values gets a closer look, over
    those values alone. A vendor's own export (ISO dates, whole numbers) needs none."""
    if not columns:
        return {}
    trimmed = {c: _trimmed(quote_identifier(c)) for c in columns}
    quick = []
    for column, kind in columns.items():
        t = trimmed[column]
        quick += [
            f"count(*) filter (where {t} <> '')",
            f"count(*) filter (where {_needs_look(t, kind)})",
        ]
    row = con.execute(f"select {', '.join(quick)} from {table}").fetchone()
    found = {}
    for index, (column, kind) in enumerate(columns.items()):
        counts = {"values": row[2 * index]}
        looks = row[2 * index + 1]
        if looks:
            t = trimmed[column]
            closer = _closer_look_sql(t, kind)
            values = con.execute(
                f"select {', '.join(sql for _, sql in closer)} from {table} "
                f"where {_needs_look(t, kind)}"
            ).fetchone()
            counts.update(
                {name: value or 0 for (name, _), value in zip(closer, values, strict=True)}
            )
        found[column] = _Stats(kind, **counts)
    return found


def _agreed(votes: list[str]) -> str | None:
    """The one decision the other columns agree on, or None (no votes, or a contradiction)."""
    return votes[0] if votes and all(v == votes[0] for v in votes) else None


@dataclass(frozen=True)
class Decided:
    formats: dict[str, ColumnFormat]
    invalid: int  # values that do not read under these formats (find_invalid lists them)


def decide_formats(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Mapping[str, str],
    *,
    names: Mapping[str, str],
    delimiter: str,
    date_order: str = "auto",
) -> Decided:
    """How each typed column of the file's `table` reads (`columns`: canonical name -> kind).

    `names` gives each column's header as the file wrote it, for messages. Raises FileRejected
    when a column contradicts itself, or a date column cannot be decided."""
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}, not {date_order!r}")
    stats = _column_stats(con, table, columns)

    def label(column: str) -> str:
        name = names.get(column, column)
        return f"column {name!r}" if name == column else f"column {name!r} ({column})"

    # Each column's own verdict first.
    orders: dict[str, str | None] = {}
    decimals: dict[str, str | None] = {}
    for column, s in stats.items():
        if s.kind == "date" and s.numeric_dates:
            if s.first_over_12 and s.second_over_12:
                raise FileRejected(
                    f"{label(column)} mixes day-first and month-first dates ({s.first_over_12} "
                    f"value(s) with a day first above 12, {s.second_over_12} with one second): "
                    "export the file again, or fix the column so it uses one order"
                )
            orders[column] = "dmy" if s.first_over_12 else "mdy" if s.second_over_12 else None
        elif s.kind in ("number", "percent", "position"):
            if s.dot_decimal and s.comma_decimal:
                raise FileRejected(
                    f"{label(column)} mixes decimal points and decimal commas "
                    f"({s.dot_decimal} value(s) read as 1,234.5, {s.comma_decimal} as 1.234,5): "
                    "export the file again, or fix the column so it uses one form"
                )
            decimals[column] = "." if s.dot_decimal else "," if s.comma_decimal else None

    file_order = _agreed([o for o in orders.values() if o])
    file_decimal = _agreed([d for d in decimals.values() if d])
    formats: dict[str, ColumnFormat] = {}
    for column, s in stats.items():
        if s.kind == "date":
            order = None
            if column in orders:
                order = (
                    orders[column] or file_order or (date_order if date_order != "auto" else None)
                )
                if order is None:
                    raise FileRejected(
                        f"{label(column)}: cannot tell day-first from month-first dates: all "
                        f"{s.numeric_dates} numeric date(s) read either way (no part above 12). "
                        "Set `settings.date_order` to `dmy` or `mdy` in linkokr.yml, or export "
                        "the file again with ISO dates (YYYY-MM-DD)"
                    )
            formats[column] = ColumnFormat("date", order=order)
        elif s.kind == "bool":
            formats[column] = ColumnFormat("bool")
        else:
            decimal = decimals.get(column) or file_decimal or ("," if delimiter == ";" else ".")
            formats[column] = ColumnFormat(s.kind, decimal=decimal)
    return Decided(formats, sum(stats[c].invalid(f) for c, f in formats.items()))


@dataclass(frozen=True)
class InvalidValue:
    row_index: int  # rowid in the file's table
    column: str  # canonical column
    value: str


def find_invalid(
    con: duckdb.DuckDBPyConnection, table: str, formats: Mapping[str, ColumnFormat]
) -> list[InvalidValue]:
    """Every value that does not read under its column's format (one per offending cell)."""
    if not formats:
        return []
    checks = []
    for column, fmt in formats.items():
        quoted = quote_identifier(column)
        checks.append((column, quoted, _is_valid_sql(quoted, fmt)))
    any_bad = " or ".join(f"not {valid}" for _, _, valid in checks)
    cells = ", ".join(
        f"case when not {valid} then {quoted} end as {quoted}" for _, quoted, valid in checks
    )
    rows = con.execute(
        f"select rowid, {cells} from {table} where {any_bad} order by rowid"
    ).fetchall()
    found = []
    for row in rows:
        for (column, _, _), value in zip(checks, row[1:], strict=True):
            if value is not None:
                found.append(InvalidValue(row[0], column, value))
    return found
