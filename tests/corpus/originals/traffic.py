"""GA4 UI report downloads (CSV): Landing page by Date, one day by Hostname, and a 7-day report
without Date (a negative fixture)."""

from __future__ import annotations

from datetime import date

from tests.corpus.originals.data import GA4_DAYS, SITE, _csv

# (landing page + query string, sessions per day index, share engaged, key events, purchases,
# revenue) — the per-day numbers are derived from the day index below.
GA4_PAGES = (
    ("/", 1500, "www"),
    ("/tents/2-person/", 640, "www"),
    ("/guides/tent-sizes/", 410, "www"),
    ("/search/?q=tents,tarps", 96, "www"),
    ("/sleeping-bags/down/?utm_source=newsletter&utm_medium=email", 88, "www"),
    ("/boots/apres-ski/", 41, "www"),
    ("/sale/", 1210, "shop"),
    ("/checkout/", 230, "shop"),
    ("/about/", 37, "www"),
    ("/guides/tarp-vs-tent/", 29, "www"),
    ("(not set)", 12, "www"),
    ("/tarps/", 9, "www"),
)
_CHANNELS = ("Organic Search", "Direct", "Referral", "Email", "Organic Social", "Unassigned")


def _ga4_preamble(title: str, start: date, end: date) -> list[tuple]:
    rule = "# " + "-" * 40
    return [
        (rule,),
        (f"# {title}",),
        ("# Account: Acme Outdoor",),
        (f"# Property: {SITE} - GA4",),
        (rule,),
        ("#",),
        ("# All Users",),
        (f"# Start date: {start:%Y%m%d}",),
        (f"# End date: {end:%Y%m%d}",),
        (),
    ]


def _ga4_metrics(sessions: int, n: int) -> tuple:
    engaged = sessions * 2 // 3
    key_events = sessions // 40 + n % 3
    purchases = sessions // 120
    if sessions == 1500:
        revenue = "1234.56"
    elif purchases:
        revenue = f"{purchases * 61.35 + (n % 4) * 0.5:.2f}".rstrip("0").rstrip(".")
    else:
        revenue = "0"
    return sessions, engaged, key_events, purchases, revenue


def ga4_daily() -> bytes:
    """GA4 "Landing page" report with the secondary dimension Date (multi-day): the `#`
    preamble (report title, account, property, start and end date), a blank line, the header;
    `Date` as YYYYMMDD; comma, CRLF, quotes only where needed."""
    rows = []
    for n, day in enumerate(GA4_DAYS):
        for page, base, _ in GA4_PAGES[:2]:
            sessions = base if (page == "/" and n == 3) else base - 40 + (n * 17) % 90
            rows.append((page, f"{day:%Y%m%d}", *_ga4_metrics(sessions, n)))
        if n % 5 == 0:
            rows.append((GA4_PAGES[3][0], f"{day:%Y%m%d}", *_ga4_metrics(7 + n, n)))
    rows.sort(key=lambda r: (-r[2], r[1], r[0]))
    header = (
        "Landing page + query string", "Date", "Sessions", "Engaged sessions", "Key events",
        "Ecommerce purchases", "Total revenue",
    )  # fmt: skip
    lines = [*_ga4_preamble("Landing page", GA4_DAYS[0], GA4_DAYS[-1]), header, *rows]
    return _csv(lines).encode("utf-8")


def ga4_single_day() -> bytes:
    """GA4 "Landing page" report for one day (start date = end date), no Date dimension, with the
    secondary dimension Hostname."""
    day = GA4_DAYS[-1]
    rows = []
    for n, (page, base, host) in enumerate(GA4_PAGES):
        rows.append((page, f"{host}.{SITE}", *_ga4_metrics(base, n)))
    rows.sort(key=lambda r: (-r[2], r[0]))
    header = (
        "Landing page + query string", "Hostname", "Sessions", "Engaged sessions", "Key events",
        "Transactions", "Purchase revenue",
    )  # fmt: skip
    return _csv([*_ga4_preamble("Landing page", day, day), header, *rows]).encode("utf-8")


def ga4_multi_day_without_date() -> bytes:
    """Negative fixture: a 7-day "Landing page" report without a Date dimension (each row sums
    seven days, so it cannot be read as daily traffic)."""
    rows = []
    for n, (page, base, _) in enumerate(GA4_PAGES):
        rows.append((page, _CHANNELS[n % len(_CHANNELS)], *_ga4_metrics(base * 7, n)))
    rows.sort(key=lambda r: (-r[2], r[0]))
    header = (
        "Landing page + query string", "Session default channel group", "Sessions",
        "Engaged sessions", "Key events", "Transactions", "Total revenue",
    )  # fmt: skip
    lines = [*_ga4_preamble("Landing page", GA4_DAYS[0], GA4_DAYS[6]), header, *rows]
    return _csv(lines).encode("utf-8")
