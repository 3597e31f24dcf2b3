"""`linkokr init DOMAIN`: a commented starter `linkokr.yml` for one site, and the inbox folders.

The config goes where every other command looks for it (`LINKOKR_CONFIG`, default
`$LINKOKR_HOME/linkokr.yml`), rendered from `templates/linkokr.yml.j2`: the four example
objectives of docs/config.md with placeholder targets, every period the current quarter. An
existing file is never overwritten. The inbox gets its four folders (`backlinks/`, `rankings/`,
`domain_metrics/`, `traffic/`); folders that exist are left as they are.
"""

from __future__ import annotations

import argparse
import calendar
import sys
from datetime import date
from importlib.resources import files

from ingest.settings import INBOX_KINDS, Paths

TEMPLATE = "linkokr.yml.j2"


class DomainError(ValueError):
    """What the user gave is not a domain a site can be configured with."""


def site_domain(given: str) -> str:
    """The registrable domain of `given`: a domain, a host (`www.acme.com`) or a URL
    (`https://www.acme.com/shop`) all give `acme.com`. Raises DomainError otherwise."""
    from pydantic import TypeAdapter, ValidationError

    from ingest.config.fields import Domain
    from ingest.domains import has_public_suffix, host_of, registrable_domain

    host = host_of(given)
    try:
        host = host.encode("idna").decode("ascii") if host else host
    except UnicodeError:
        raise DomainError(f"expected a domain name like acme.com, got {given!r}") from None
    if not host or not has_public_suffix(host):
        raise DomainError(
            f"expected a domain name with a public suffix, like acme.com, got {given!r}"
        )
    domain = registrable_domain(host)
    try:
        return TypeAdapter(Domain).validate_python(domain)
    except ValidationError as error:
        raise DomainError(error.errors()[0]["msg"].removeprefix("Value error, ")) from None


def quarter(today: date) -> tuple[date, date]:
    """The first and last day of the calendar quarter holding `today`."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    last_month = first_month + 2
    return (
        date(today.year, first_month, 1),
        date(today.year, last_month, calendar.monthrange(today.year, last_month)[1]),
    )


def starter_config(domain: str, today: date) -> str:
    """The starter `linkokr.yml` for `domain`, periods in the quarter of `today`."""
    from jinja2 import Environment, StrictUndefined

    start, end = quarter(today)
    month_ends = [
        date(start.year, month, calendar.monthrange(start.year, month)[1])
        for month in range(start.month, start.month + 3)
    ]
    template = (files("orchestration.cli") / "templates" / TEMPLATE).read_text(encoding="utf-8")
    # YAML, not HTML: no autoescaping; every value put in is a validated domain or a date.
    environment = Environment(undefined=StrictUndefined, keep_trailing_newline=True)
    return environment.from_string(template).render(
        domain=domain, today=today, start=start, end=end, month_ends=month_ends
    )


def cmd_init(args: argparse.Namespace) -> int:
    """0 when the config is written; 1 when the domain is refused or the config file exists."""
    paths = Paths.from_env()
    try:
        domain = site_domain(args.domain)
    except DomainError as error:
        print(f"linkokr: {error}", file=sys.stderr)
        return 1
    if domain != args.domain:
        print(f"linkokr: the site is the registrable domain {domain} (from {args.domain!r})")
    text = starter_config(domain, date.today())
    paths.config.parent.mkdir(parents=True, exist_ok=True)
    try:
        with paths.config.open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        print(
            f"linkokr: {paths.config} already exists; linkokr init never overwrites a file "
            "(move it away, or set LINKOKR_CONFIG or LINKOKR_HOME to write somewhere else)",
            file=sys.stderr,
        )
        return 1
    for kind in INBOX_KINDS:
        (paths.inbox / kind).mkdir(parents=True, exist_ok=True)
    print(f"linkokr: wrote {paths.config} for {domain}")
    print(f"linkokr: inbox folders under {paths.inbox}: {', '.join(INBOX_KINDS)}")
    print(
        "next: edit the targets, page patterns and keywords in the config, drop vendor exports "
        "into the inbox folders, then run `linkokr run`"
    )
    return 0
