"""`linkokr disavow`: a site's toxic referring domains as a Google disavow file.

The domains come from `marts.fct_disavow_candidates` (the serving copy when present, else the
warehouse opened read-only, as `linkokr status` reads). Domains already in the site's `disavow`
list are left out: in the mart (the list the last run used) or in linkokr.yml as it is now.

Google's format (Search Console help, "Disavow links to your site"): a UTF-8 or 7-bit ASCII
`.txt` file, one entry per line, `domain:example.com` for a whole domain, lines starting with
`#` are comments; at most 100,000 lines (comments and blank lines included) and 2 MB.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

from ingest.settings import Paths
from orchestration.cli.status import open_marts

MAX_LINES = 100_000
MAX_BYTES = 2 * 1024 * 1024
FOLDER = "disavow"  # under LINKOKR_HOME: <site>-disavow.txt
ASCII_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")


def default_output(paths: Paths, site: str) -> Path:
    return paths.home / FOLDER / f"{site}-disavow.txt"


def _own_sites(con) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select site from marts.dim_sites where not is_competitor order by site"
        ).fetchall()
    ]


def _choose_site(sites: list[str], wanted: str | None) -> str:
    listed = ", ".join(sites)
    if wanted is not None:
        if wanted not in sites:
            raise SystemExit(
                f"linkokr: {wanted!r} is not an own site in the warehouse "
                f"(own sites: {listed or 'none yet, run `linkokr run` first'})"
            )
        return wanted
    if not sites:
        raise SystemExit("linkokr: no sites in the warehouse yet: run `linkokr run` first")
    if len(sites) > 1:
        raise SystemExit(f"linkokr: several sites, choose one with --site: {listed}")
    return sites[0]


def _configured_disavow(paths: Paths, site: str) -> set[str]:
    """The site's `disavow` list in linkokr.yml as it is now (it may be newer than the last run)."""
    if not paths.config.exists():
        return set()
    from ingest.config import load_config

    for configured in load_config(paths.config).sites:
        if configured.domain == site:
            return set(configured.disavow)
    return set()


def candidates(paths: Paths, site: str | None) -> tuple[str, list[dict]]:
    """The chosen site and its rows of fct_disavow_candidates, ordered by referring domain.

    Exits with a one-line message when there is no warehouse, the mart is not built yet, or the
    site is ambiguous or unknown."""
    con = open_marts(paths, ("fct_disavow_candidates", "dim_sites"), "the disavow candidates are")
    try:
        chosen = _choose_site(_own_sites(con), site)
        cursor = con.execute(
            """
            select referring_domain, reasons, toxic_links, live_toxic_links, is_already_disavowed
            from marts.fct_disavow_candidates
            where site = ?
            order by referring_domain
            """,
            [chosen],
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    return chosen, rows


def ascii_domain(domain: str) -> str | None:
    """The domain as Google's file needs it (internationalized names in punycode), else None."""
    try:
        ascii_name = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    return ascii_name if ASCII_DOMAIN.match(ascii_name) else None


def disavow_text(site: str, domains: list[str], left_out: int, today: date) -> str:
    """The file: a dated comment header, then one `domain:` line per domain."""
    header = [
        f"# Disavow file for {site}, written by linkokr on {today.isoformat()}.",
        f"# {len(domains)} toxic referring domain(s); left out: {left_out} already in the "
        "site's disavow list in linkokr.yml.",
        "# Why each is listed: marts.fct_disavow_candidates (reasons, toxic_links).",
        "# An upload replaces the site's previous disavow file in Search Console: upload these",
        "# lines together with the domains you disavowed before.",
    ]
    if not domains:
        header.append("# No toxic referring domains to disavow.")
    return "\n".join([*header, *(f"domain:{d}" for d in domains)]) + "\n"


def cmd_disavow(args: argparse.Namespace) -> int:
    """Write the file (or print it with `--output -`); 0 when written, even with no domains."""
    paths = Paths.from_env()
    site, rows = candidates(paths, args.site)
    configured = _configured_disavow(paths, site)
    listed = {
        r["referring_domain"]
        for r in rows
        if r["is_already_disavowed"] or r["referring_domain"] in configured
    }
    found: set[str] = set()
    for row in rows:
        if row["referring_domain"] in listed:
            continue
        domain = ascii_domain(row["referring_domain"])
        if domain is None:
            print(
                f"linkokr: left out {row['referring_domain']!r}: not a domain name Google accepts",
                file=sys.stderr,
            )
        else:
            found.add(domain)
    domains = sorted(found)
    text = disavow_text(site, domains, len(listed), date.today())
    lines, size = text.count("\n"), len(text.encode("utf-8"))
    if lines > MAX_LINES or size > MAX_BYTES:
        print(
            f"linkokr: {len(domains)} domains make a file of {lines:,} lines and {size:,} bytes, "
            f"over Google's limit of {MAX_LINES:,} lines and 2 MB; nothing written",
            file=sys.stderr,
        )
        return 1
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    output = Path(args.output).expanduser().resolve() if args.output else None
    output = output or default_output(paths, site)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(
        f"linkokr: wrote {len(domains)} domain(s) to disavow for {site} to {output}"
        + (f" ({len(listed)} already in the disavow list left out)" if listed else "")
    )
    return 0
