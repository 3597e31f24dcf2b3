"""Registrable domains from the bundled public-suffix list (private section included).

`blog.acme.co.uk` -> `acme.co.uk`; `a.blogspot.com` and `b.blogspot.com` stay two domains, as
SEO tools count them. Never fetches a list: the snapshot bundled with tldextract is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import tldextract

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
