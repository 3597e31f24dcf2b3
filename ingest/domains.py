"""Registrable domains from the bundled public-suffix list (private section included).

`blog.acme.co.uk` -> `acme.co.uk`; `a.blogspot.com` and `b.blogspot.com` stay two domains, as
SEO tools count them. Never fetches a list: the snapshot bundled with tldextract is used.

The warehouse reads the same list from the dbt seed `public_suffixes` (int_host_domains gives
every host the domain `registrable_domain` gives it). The seed is written from the bundled
snapshot, again after a tldextract upgrade:

    python -m ingest.domains dbt_project/seeds/public_suffixes.csv
"""

from __future__ import annotations

import csv
import itertools
import pkgutil
import re
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import idna
import tldextract
from tldextract.suffix_list import extract_tlds_from_suffix_list

# scheme, optional credentials, then the host up to a port, path, query or fragment
HOST_PATTERN = r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?(?://)?(?:[^@/?#]*@)?([^/?#:\\]+)"
_HOST = re.compile(HOST_PATTERN)


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(
        suffix_list_urls=(), include_psl_private_domains=True, cache_dir=None
    )


def host_of(url: str) -> str:
    match = _HOST.match(url.strip())
    host = match[1].lower().rstrip(".") if match else ""
    return host.removeprefix("www.")


@lru_cache(maxsize=200_000)
def registrable_domain(host: str) -> str:
    """The registrable domain of a host; the host itself when it has none (IPs, localhost)."""
    host = host.strip().lower().rstrip(".")
    if not host:
        return ""
    result = _extractor()(host)
    return result.top_domain_under_public_suffix or host


def domain_name(domain: str) -> str:
    """The name of a registrable domain without its public suffix (`acme-outdoor.com` ->
    `acme-outdoor`, `acme.co.uk` -> `acme`): the brand a domain always carries."""
    return _extractor()(domain.strip().lower()).domain


def has_public_suffix(host: str) -> bool:
    """True when the host ends in a listed public suffix (`acme.com`, not `export.csv`)."""
    result = _extractor()(host.strip().lower())
    return bool(result.suffix and result.domain)


def registrable_domains(hosts: Iterable[str]) -> dict[str, str]:
    return {host: registrable_domain(host) for host in hosts}


def public_suffix_rules() -> dict[str, list[str]]:
    """The rules of the snapshot bundled with tldextract, as tldextract parses them, by section
    (`icann`, `private`), in the list's order."""
    text = pkgutil.get_data("tldextract", ".tld_set_snapshot")
    icann, private = extract_tlds_from_suffix_list(text.decode("utf-8"))
    return {"icann": icann, "private": private}


def _label_forms(label: str) -> list[str]:
    """The ways a host spells a rule's label: as listed and, for an internationalized label, its
    A-label (`公司` and `xn--55qx5d`): tldextract decodes a host's A-labels before matching."""
    if label.isascii():
        return [label]
    try:
        a_label = idna.encode(label).decode("ascii")
    except idna.IDNAError:
        return [label]
    try:
        decoded = idna.decode(a_label)
    except idna.IDNAError:
        decoded = a_label
    return [label, a_label] if decoded == label else [label]


def public_suffix_seed_rows() -> list[tuple[str, str, str]]:
    """The rows of the `public_suffixes` seed: (suffix as a host spells it, rule as listed,
    section), one per spelling of each rule (an internationalized rule also in A-labels)."""
    return [
        (".".join(spelling), rule, section)
        for section, rules in public_suffix_rules().items()
        for rule in rules
        for spelling in itertools.product(*map(_label_forms, rule.split(".")))
    ]


SEED_COLUMNS = ("suffix", "rule", "section")


def write_public_suffix_seed(path: Path) -> int:
    """Write the seed's CSV to `path`; the number of rows."""
    rows = public_suffix_seed_rows()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(SEED_COLUMNS)
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    target = Path(sys.argv[1])
    sys.stdout.write(f"{write_public_suffix_seed(target)} rows written to {target}\n")
