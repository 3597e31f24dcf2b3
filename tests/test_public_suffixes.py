"""The `public_suffixes` dbt seed: the Public Suffix List int_host_domains reads, which must stay
the list ingest.domains (tldextract's bundled snapshot) reads, so a host gets the same registrable
domain in the warehouse as in Python."""

import csv

import pytest

from ingest.domains import SEED_COLUMNS, public_suffix_seed_rows, registrable_domain
from tests.conftest import REPO

pytestmark = pytest.mark.unit

SEED = REPO / "dbt_project" / "seeds" / "public_suffixes.csv"


def seed_rows() -> list[tuple[str, ...]]:
    with SEED.open(newline="", encoding="utf-8") as rows:
        header, *body = csv.reader(rows)
    assert tuple(header) == SEED_COLUMNS
    return [tuple(row) for row in body]


def test_seed_is_the_bundled_list_private_section_included():
    """Fails after a tldextract upgrade brings a newer list: write the seed again with
    `python -m ingest.domains dbt_project/seeds/public_suffixes.csv`."""
    rows = seed_rows()
    assert rows == public_suffix_seed_rows()
    by_suffix = {suffix: (rule, section) for suffix, rule, section in rows}
    assert by_suffix["co.uk"] == ("co.uk", "icann")
    assert by_suffix["blogspot.com"] == ("blogspot.com", "private")
    assert by_suffix["xn--55qx5d.cn"] == by_suffix["公司.cn"] == ("公司.cn", "icann")


def test_wildcards_and_exceptions_have_the_shape_the_model_reads():
    """int_host_domains takes the longest matching rule, an exception first. That is tldextract's
    reading as long as `*` is only ever a whole first label, `!` only starts an exception to a
    wildcard, and no other rule sits under a wildcard (tldextract would then not see it)."""
    suffixes = {suffix for suffix, _, _ in seed_rows()}
    wildcards = {s.removeprefix("*.") for s in suffixes if s.startswith("*.")}
    for suffix in suffixes:
        body = suffix.removeprefix("*.").removeprefix("!")
        assert "*" not in body and "!" not in body, suffix
        if suffix.startswith("!"):
            assert body.partition(".")[2] in wildcards, suffix
    under_wildcards = [
        s
        for s in suffixes
        if not s.startswith(("*.", "!")) and any(s.endswith("." + w) for w in wildcards)
    ]
    assert not under_wildcards


# The hosts the dbt unit test of int_host_domains gives the same answers for.
@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("blog.acme.co.uk", "acme.co.uk"),  # a two-label suffix
        ("a.foo.blogspot.com", "foo.blogspot.com"),  # a private-section suffix
        ("a.b.ck", "a.b.ck"),  # `*.ck`: b.ck is a public suffix
        ("a.www.ck", "www.ck"),  # `!www.ck`: the exception is registrable
        ("x.city.kawasaki.jp", "city.kawasaki.jp"),
        ("a.b.xn--55qx5d.cn", "b.xn--55qx5d.cn"),  # an A-label matches its rule `公司.cn`
        ("1.2.3.4", "1.2.3.4"),  # no suffix: the host itself
        ("localhost", "localhost"),
        ("a.b.unknowntld", "a.b.unknowntld"),
        ("co.uk", "co.uk"),  # a bare suffix
        ("a..co.uk", "a..co.uk"),  # an empty label where the domain would be
        ("www.acme.co.uk.", "acme.co.uk"),  # a trailing dot
        (" Acme.COM ", "acme.com"),
        ("user@www.acme.com", "acme.com"),
        ("[::1]", "[::1]"),
        (".", ""),
    ],
)
def test_registrable_domain_of_tricky_hosts(host, domain):
    assert registrable_domain(host) == domain
