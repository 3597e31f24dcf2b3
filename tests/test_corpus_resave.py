"""The re-save corpus: its originals are what tests.corpus.originals builds, their dates tell a
day-first reading from a month-first one, and `resave` / `rebrand` write what Excel writes (and
keep every value). Fast, no pipeline."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest

from tests.corpus import (
    CORPUS_DIR,
    VARIANTS,
    inventory,
    rebrand,
    rebrand_name,
    resave,
    resave_zip,
    variant_name,
)
from tests.corpus.originals import build
from tests.corpus.resave import decode, detect_delimiter

pytestmark = pytest.mark.unit

AHREFS = CORPUS_DIR / "backlinks" / "acme-outdoor.com-backlinks-subdomains_2026-04-18_15-44-46.csv"
MOZ = CORPUS_DIR / "backlinks" / "acme-outdoor.com-moz-inbound-links_2026-04-18.csv"
GSC_DE = CORPUS_DIR / "rankings" / "acme-outdoor.com-Leistung-in-der-Suche-2026-11-14.zip"
GSC_EN = CORPUS_DIR / "rankings" / "acme-outdoor.com-Performance-on-Search-2026-11-14.zip"
GA4_DAILY = (
    CORPUS_DIR / "traffic" / ("acme-outdoor.com-ga4-landing-page-daily_2026-11-01_2026-11-14.csv")
)
RANKS = CORPUS_DIR / "rankings" / "acme-outdoor.com-rank-tracker_2026-11-13.csv"
ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?Z?)?")


def parse(data: bytes, encoding: str, delimiter: str) -> list[list[str]]:
    text = data.decode(encoding)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def table(rows: list[list[str]], header_first: str) -> list[dict[str, str]]:
    """Rows below the header that starts with `header_first`, as dicts."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == header_first)
    header = rows[start]
    return [dict(zip(header, row, strict=False)) for row in rows[start + 1 :]]


def csv_files() -> list[tuple[str, bytes]]:
    """(name, bytes) of every original CSV, zip members included."""
    out = []
    for item in inventory():
        data = item.path.read_bytes()
        if item.path.suffix == ".zip":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                out += [(f"{item.path.name}:{n}", archive.read(n)) for n in archive.namelist()]
        else:
            out.append((item.path.name, data))
    return out


# --- the originals ------------------------------------------------------------------------------


def test_originals_on_disk_are_what_the_builder_writes():
    built = build()
    on_disk = {
        str(p.relative_to(CORPUS_DIR)): p.read_bytes()
        for p in CORPUS_DIR.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert sorted(on_disk) == sorted(built), "run `python -m tests.corpus` to rewrite the corpus"
    for relpath, data in built.items():
        if relpath.endswith(".zip"):  # compressed bytes may differ between zlib builds
            with (
                zipfile.ZipFile(io.BytesIO(data)) as want,
                zipfile.ZipFile(io.BytesIO(on_disk[relpath])) as have,
            ):
                assert have.namelist() == want.namelist(), relpath
                for name in want.namelist():
                    assert have.read(name) == want.read(name), f"{relpath}:{name}"
        else:
            assert on_disk[relpath] == data, f"{relpath}: run `python -m tests.corpus`"


def test_inventory_lists_every_original_once():
    items = inventory()
    assert len({item.path for item in items}) == len(items) >= 19
    assert {item.kind for item in items} == {"backlinks", "rankings", "traffic"}
    for item in items:
        assert item.path.is_file(), item.path
        assert item.path.parent.name == item.kind
        assert item.site in item.path.name
        assert item.expect in ("load", "reject")
    assert [i.path.name for i in items if i.expect == "reject"] == [
        "acme-outdoor.com-ga4-landing-page-week_2026-11-01_2026-11-07.csv"
    ]


CSV_FILES = csv_files()
CSV_IDS = [name for name, _ in CSV_FILES]


@pytest.mark.parametrize("name, data", CSV_FILES, ids=CSV_IDS)
def test_every_date_column_tells_day_first_from_month_first(name, data):
    """A column with three or more dates has days <= 12 and days > 12, so a re-save read with
    the wrong day/month order shows."""
    text = decode(data).text
    delimiter = detect_delimiter(text)
    days: dict[int, list[int]] = {}
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        for index, cell in enumerate(row):
            match = ISO.fullmatch(cell)
            if match:
                days.setdefault(index, []).append(int(match[3]))
    for index, values in days.items():
        if len(values) >= 3:
            assert min(values) <= 12 < max(values), (name, index, values)


def test_originals_carry_the_tricky_values():
    ahrefs = AHREFS.read_bytes()
    assert ahrefs.startswith(codecs.BOM_UTF16_LE)
    text = ahrefs[2:].decode("utf-16-le")
    assert "\r\n" in text and "\t" in text
    for value in ('"12.5"', '"true"', '"false"', '"2026-03-14 05:49:00"', "Größe", "Après"):
        assert value in text, value
    assert '"The ""ultralight"" myth"' in text  # a double quote inside a quoted field
    ranks = RANKS.read_text(encoding="utf-8")
    assert '"tents, 2 person"' in ranks and ",1200" in ranks  # a comma inside a quoted field
    with zipfile.ZipFile(GSC_DE) as archive:
        queries = archive.read("Queries.csv").decode("utf-8-sig")
    assert "Häufigste Suchanfragen;Klicks" in queries and "1.234" in queries and "9,72 %" in queries


# --- resave -----------------------------------------------------------------------------------


def test_uk_resave_of_ahrefs_utf16_is_utf8_bom_comma_crlf():
    out = resave(AHREFS.read_bytes(), locale="uk", encoding="utf-8-sig", name=AHREFS.name)
    assert out.startswith(codecs.BOM_UTF8)
    text = out[3:].decode("utf-8")
    assert "\t" not in text
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = table(parse(out[3:], "utf-8", ","), "Referring page title")
    lost = next(r for r in rows if r["Referring page URL"].startswith("https://campingcafe.fr/"))
    assert lost["Lost"] == "14/03/2026 05:49"  # was 2026-03-14 05:49:00
    assert lost["First seen"] == "27/01/2026 09:00"
    assert lost["Content"] == "TRUE" and lost["Nofollow"] == "FALSE"
    assert lost["Referring page title"] == "Café & camping: le guide du sac de couchage"
    live = next(r for r in rows if r["Referring page URL"].startswith("https://bergblog.de/"))
    assert live["Lost"] == "" and live["UR"] == "12.5" and live["Domain traffic"] == "25169"


def test_us_resave_writes_month_first_without_padding_or_seconds():
    out = resave(AHREFS.read_bytes(), locale="us", encoding="cp1252")
    rows = table(parse(out, "cp1252", ","), "Referring page title")
    reddit = next(r for r in rows if "reddit.com" in r["Referring page URL"])
    assert reddit["First seen"] == "4/11/2026 18:42"  # 2026-04-11 18:42:07
    assert reddit["Last seen"] == "4/17/2026 3:03"  # 2026-04-17 03:03:03


def test_german_resave_uses_semicolons_decimal_commas_and_wahr():
    out = resave(AHREFS.read_bytes(), locale="de", encoding="utf-8-sig")
    text = out.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Referring page title;Referring page URL;")
    rows = table(parse(out, "utf-8-sig", ";"), "Referring page title")
    berg = next(r for r in rows if r["Referring page URL"].startswith("https://bergblog.de/"))
    assert berg["UR"] == "12,5"
    assert berg["First seen"] == "14.12.2025 22:05"
    assert berg["Content"] == "WAHR" and berg["Sponsored"] == "FALSCH"
    comma = next(r for r in rows if r["Referring page title"] == "Best Tents of 2026, Tested")
    assert comma["Left context"] == "Our favourite all-rounder comes from"
    # Quoted only where needed: a comma no longer needs quotes, a semicolon does.
    assert "\r\nBest Tents of 2026, Tested;" in text
    ranks = resave(RANKS.read_bytes(), locale="de", encoding="cp1252").decode("cp1252")
    assert '2 person tent;"product;head";10.11.2026;3;' in ranks


def test_cp1252_output_has_no_bom_and_replaces_what_it_cannot_encode():
    out = resave(MOZ.read_bytes(), locale="us", encoding="cp1252")
    assert not out.startswith(codecs.BOM_UTF8)
    assert "Ausrüstung für Hochtouren – Checkliste".encode("cp1252") in out
    out.decode("cp1252")  # decodes
    with pytest.raises(UnicodeDecodeError):
        out.decode("utf-8")  # ü, – are single bytes now
    odd = "Keyword,Volume\r\n帐篷 tent ✓,1200\r\nzelt für 2,880\r\n".encode()
    assert resave(odd, locale="uk", encoding="cp1252") == (
        b"Keyword,Volume\r\n?? tent ?,1200\r\nzelt f\xfcr 2,880\r\n"
    )


def test_metadata_rows_above_the_header_are_padded_to_the_widest_row():
    out = resave(MOZ.read_bytes(), locale="uk", encoding="utf-8-sig")
    lines = out.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Moz Link Explorer - Inbound Links" + "," * 12
    assert lines[1] == "Target,acme-outdoor.com" + "," * 11
    assert lines[4] == "Exported,18/04/2026" + "," * 11  # the ISO date is converted too
    assert lines[5] == "," * 12  # the blank line
    assert lines[6].startswith("URL,Title,Anchor Text,Spam Score")
    de = resave(GA4_DAILY.read_bytes(), locale="de", encoding="cp1252").decode("cp1252")
    assert de.startswith("# ----------------------------------------;;;;;;\r\n")
    assert "\r\n# Start date: 20261101;;;;;;\r\n# End date: 20261114;;;;;;\r\n;;;;;;\r\n" in de


def test_numbers_percents_and_markers():
    ga4 = resave(GA4_DAILY.read_bytes(), locale="de", encoding="utf-8-sig").decode("utf-8-sig")
    assert "\r\n/;20261104;1500;1000;37;12;1234,56\r\n" in ga4  # YYYYMMDD and integers as digits
    assert '"/search/?q=tents,tarps"' not in ga4 and "/search/?q=tents,tarps;" in ga4
    ranks = resave(RANKS.read_bytes(), locale="us", encoding="utf-8-sig").decode("utf-8-sig")
    assert "\r\ncamping gear,head,11/10/2026,-,,14800\r\n" in ranks
    assert "\r\nhiking boots,product;head,11/10/2026,,,9900\r\n" in ranks
    assert "\r\ndown jacket sale,product,11/13/2026,>100,,1300\r\n" in ranks
    sample = (
        b"Key,Int,Dec,Pct,Pct1,Lead,Big,Iso,Flag,Marker\r\n"
        b"a,1200,0.90,6.47%,4.2%,007,123456789012,2026-04-11T18:42:07Z,+,100+\r\n"
    )
    uk = resave(sample, locale="uk", encoding="utf-8").decode().split("\r\n")[1]
    assert uk == "a,1200,0.9,6.47%,4.20%,7,1.23457E+11,2026-04-11T18:42:07Z,+,100+"
    de = resave(sample, locale="de", encoding="utf-8").decode().split("\r\n")[1]
    assert de == "a;1200;0,9;6,47%;4,20%;7;1,23457E+11;2026-04-11T18:42:07Z;+;100+"


def test_german_search_console_numbers_are_read_with_decimal_commas():
    with zipfile.ZipFile(io.BytesIO(resave_zip(GSC_DE.read_bytes(), locale="us",
                                               encoding="cp1252"))) as archive:  # fmt: skip
        assert [i.filename for i in archive.infolist()] == zipfile.ZipFile(GSC_DE).namelist()
        queries = archive.read("Queries.csv").decode("cp1252").split("\r\n")
        chart = archive.read("Chart.csv").decode("cp1252").split("\r\n")
    assert queries[0] == "Häufigste Suchanfragen,Klicks,Impressionen,CTR,Position"
    assert queries[2] == "2 person tent,120,1234,9.72%,3.2"  # from 120;1.234;9,72 %;3,2
    assert chart[4] == "11/11/2026,0,0,,"  # the day without impressions stays empty
    # A comma-delimited localized export (`"4,2 %"`) is read with decimal commas too.
    quoted = 'Seiten,Klicks,Impressionen,CTR,Position\r\n/x,"1.200","3.000","40 %","1,2"\r\n'
    assert (
        resave(quoted.encode(), locale="uk", encoding="utf-8")
        .decode()
        .endswith("/x,1200,3000,40%,1.2\r\n")
    )


def test_resave_zip_keeps_member_names_order_and_times():
    original = zipfile.ZipFile(GSC_EN)
    out = resave(GSC_EN.read_bytes(), locale="uk", encoding="utf-8-sig", name=GSC_EN.name)
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        assert archive.namelist() == original.namelist()
        assert [i.date_time for i in archive.infolist()] == [
            i.date_time for i in original.infolist()
        ]
        dates = archive.read("Dates.csv")
    assert dates.startswith(codecs.BOM_UTF8)
    assert b"\r\n08/11/2026,95,1320,7.20%,8.4\r\n" in dates


def test_resave_of_a_resave_is_stable():
    for locale in ("us", "uk", "de"):
        once = resave(AHREFS.read_bytes(), locale=locale, encoding="utf-8-sig")
        assert resave(once, locale=locale, encoding="utf-8-sig") == once


# --- every original, every variant: same rows, same values ---------------------------------------

_TARGET = {
    "us": (",", ".", ("%m/%d/%Y %H:%M", "%m/%d/%Y"), ("TRUE", "FALSE")),
    "uk": (",", ".", ("%d/%m/%Y %H:%M", "%d/%m/%Y"), ("TRUE", "FALSE")),
    "de": (";", ",", ("%d.%m.%Y %H:%M", "%d.%m.%Y"), ("WAHR", "FALSCH")),
}


def _number(text: str, decimal: str) -> Decimal | None:
    thousands = "." if decimal == "," else ","
    text = text.strip().rstrip("%").strip()
    if re.fullmatch(rf"-?\d{{1,3}}(\{thousands}\d{{3}})+(\{decimal}\d+)?", text):
        text = text.replace(thousands, "")
    if not re.fullmatch(rf"-?\d+(\{decimal}\d+)?", text):
        return None
    return Decimal(text.replace(decimal, "."))


def _same_value(original: str, resaved: str, locale: str, source_decimal: str) -> bool:
    """An independent check that a re-saved cell holds the original's value."""
    if original == resaved:
        return True
    _, decimal, (stamp, day), words = _TARGET[locale]
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}):\d{2}", original)
    if match:
        return datetime.strptime(resaved, stamp) == datetime.fromisoformat(f"{match[1]} {match[2]}")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", original):
        return datetime.strptime(resaved, day).date().isoformat() == original
    if original.lower() in ("true", "false"):
        return resaved == words[original.lower() == "false"]
    a, b = _number(original, source_decimal), _number(resaved, decimal)
    if a is None or b is None or original.endswith("%") != resaved.endswith("%"):
        return False
    return round(a, 2) == round(b, 2) if original.endswith("%") else a == b


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.id)
@pytest.mark.parametrize("name, data", CSV_FILES, ids=CSV_IDS)
def test_every_resave_keeps_every_row_and_value(name, data, variant):
    out = resave(data, locale=variant.locale, encoding=variant.encoding, name=name)
    assert out.startswith(codecs.BOM_UTF8) == (variant.encoding == "utf-8-sig")
    codec = "cp1252" if variant.encoding == "cp1252" else "utf-8-sig"
    delimiter, *_ = _TARGET[variant.locale]
    text = decode(data).text
    source_delimiter = detect_delimiter(text)
    source_decimal = "," if source_delimiter == ";" else "."
    before = list(csv.reader(io.StringIO(text, newline=""), delimiter=source_delimiter))
    after = parse(out, codec, delimiter)
    assert len(after) == len(before)
    width = max(len(row) for row in before)
    for old, new in zip(before, after, strict=True):
        assert len(new) == width  # a rectangle
        assert all(cell == "" for cell in new[len(old) :])
        for a, b in zip(old, new, strict=False):
            if variant.encoding == "cp1252":
                a = a.encode("cp1252", errors="replace").decode("cp1252")
            assert _same_value(a, b, variant.locale, source_decimal), (name, a, b)


def test_variants():
    ids = [v.id for v in VARIANTS]
    assert {"us-cp1252", "uk-utf8bom", "de-cp1252", "de-utf8bom"} <= set(ids)
    assert len(set(ids)) == len(ids)
    for v in VARIANTS:
        assert v.locale in ("us", "uk", "de") and v.encoding in ("cp1252", "utf-8-sig", "utf-8")
    assert (
        variant_name("acme-outdoor.com-backlinks_2026-04-18.csv", VARIANTS[2])
        == "acme-outdoor.com-backlinks_2026-04-18-resaved-de-cp1252.csv"
    )


# --- rebrand ----------------------------------------------------------------------------------


def test_rebrand_keeps_utf16_and_its_bom():
    out = rebrand(AHREFS.read_bytes(), "acme-outdoor.com", "acme-two.com")
    assert out.startswith(codecs.BOM_UTF16_LE)
    text = out[2:].decode("utf-16-le")
    assert "acme-outdoor.com" not in text
    assert '"https://www.acme-two.com/tents/"' in text
    assert "Zeltgrößen erklärt" in text  # other text untouched
    original = AHREFS.read_bytes()[2:].decode("utf-16-le")
    assert text == original.replace("acme-outdoor.com", "acme-two.com")


def test_rebrand_replaces_domain_tokens_only():
    data = codecs.BOM_UTF8 + (
        b"url,other\r\n"
        b"https://www.acme-outdoor.com/a,*.acme-outdoor.com/*_20261110\r\n"
        b"acme-outdoor.com/b,notacme-outdoor.com acme-outdoor.community ACME-OUTDOOR.COM\r\n"
    )
    out = rebrand(data, "acme-outdoor.com", "acme-two.com")
    assert out.startswith(codecs.BOM_UTF8)
    assert out[3:].decode() == (
        "url,other\r\n"
        "https://www.acme-two.com/a,*.acme-two.com/*_20261110\r\n"
        "acme-two.com/b,notacme-outdoor.com acme-outdoor.community acme-two.com\r\n"
    )
    cp = "Seite;Titel\r\nhttps://acme-outdoor.com/;Größe\r\n".encode("cp1252")
    assert rebrand(cp, "acme-outdoor.com", "acme-two.com") == cp.replace(
        b"acme-outdoor.com", b"acme-two.com"
    )


def test_rebrand_zip_members_and_names():
    out = rebrand(GSC_EN.read_bytes(), "acme-outdoor.com", "acme-two.com")
    with zipfile.ZipFile(io.BytesIO(out)) as archive, zipfile.ZipFile(GSC_EN) as original:
        assert archive.namelist() == original.namelist()
        pages = archive.read("Pages.csv").decode()
    assert "https://www.acme-two.com/tents/2-person/" in pages and "acme-outdoor" not in pages
    assert (
        rebrand_name(GSC_EN.name, "acme-outdoor.com", "acme-two.com")
        == "acme-two.com-Performance-on-Search-2026-11-14.zip"
    )
