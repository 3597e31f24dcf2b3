"""The demo's story: its tuning constants and the in-memory model every demo file is written from.

One outdoor-gear shop, two competitors, their links, rankings and traffic. Everything the demo
files say is derived from one `World` (built by `links.build_world`), so the vendor exports
agree with each other the way real ones do: the same link seen by Ahrefs and Semrush, a
competitor's referring domain that also links to the site. Links move rankings after a lag,
rankings move organic sessions through a click-through curve, and the objective period is
placed relative to the end of the history exactly as the demo config's period is.

The constants block below is where the story is tuned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

# =============================================================================================
# STORY CONSTANTS: the knobs the demo is tuned with. Rates are per day unless named otherwise.
# "period" is the objective period of the demo config (a quarter that starts on the first day
# of the month holding end_date - 50 days); "month 1" is its first calendar month.
# With the defaults, on the last day of the history (55-88 % of the period elapsed) the key
# results read roughly: dr on track; referring-domains and monthly-links
# behind; gap-domains achieved; gap-links on track to achieved; head-terms at risk;
# pages-4-10, relevant-links, guide-traffic and category-links at risk (early in a month) to
# on track; category-position on track; transactions at risk to behind (conversion fell).
# =============================================================================================
# fmt: off
SITE = "acme-outdoor.com"
SITE_HOST = "www.acme-outdoor.com"
SITE_BRAND = "Acme Outdoor"
GA4_PROPERTY_ID = "123456789"
COMPETITORS = ("rival-gear.com", "peak-supply.com")
DISAVOW_DOMAIN = "spammy-links.biz"
RELEVANCE_TOPICS = ("camping", "hiking", "tent", "outdoor")
PERIOD_START_LOOKBACK_DAYS = 50
PERIOD_MONTHS = 3

# --- the site's backlink profile -------------------------------------------------------------
REFERRING_DOMAINS_AT_PERIOD_START = 850  # live, non-toxic, on the day before the period
# Links per stock domain: (weight, min, max); the tail is sitewide footer/blogroll links.
LINKS_PER_DOMAIN = ((54, 1, 1), (21, 2, 2), (12, 3, 5), (8, 6, 10), (5, 15, 40))
STOCK_RELEVANT_SHARE = 0.35  # stock referring domains writing about the outdoors
STOCK_TOXIC_DOMAINS = 14  # spam-flagged domains in the stock (plus the disavowed one)
DOMAIN_LOSSES_PER_DAY = 0.33  # a referring domain drops every link to the site
LINK_LOSSES_PER_DAY = 0.45  # a single link removed, the domain keeps linking

# New links to the site: daily rate before the period, in its slow first month (outreach
# paused: this is what puts `monthly-links` behind) and after it.
# dr: authority range of the linking domain; relevant: share from outdoor-topic pages;
# targets: where the links point (page kinds, weights).
NEW_LINK_STREAMS: dict[str, dict] = {
    "background": dict(pre=0.70, month1=0.02, later=0.55, dr=(1, 38), relevant=0.15,
                       targets={"home": 4, "category": 1, "product": 3, "guide": 3, "misc": 1}),
    "strong": dict(pre=0.10, month1=0.10, later=0.30, dr=(55, 86), relevant=0.85,
                   targets={"home": 1, "category": 2, "product": 5, "product_other": 1,
                            "guide": 3}),
    "guide_outreach": dict(pre=0.08, month1=0.07, later=0.35, dr=(22, 54), relevant=1.0,
                           targets={"guide": 1}),
    "category_outreach": dict(pre=0.05, month1=0.05, later=0.19, dr=(25, 54), relevant=1.0,
                              targets={"product": 5, "category": 1}),
    # Domains that linked to a competitor but not to the site (dr and topic are theirs).
    "gap_wins": dict(pre=0.05, month1=0.06, later=0.21, dr=None, relevant=None,
                     targets={"home": 2, "category": 1, "product": 3, "guide": 3}),
    "toxic": dict(pre=0.04, month1=0.03, later=0.04, dr=(0, 8), relevant=0.0,
                  targets={"home": 2, "product": 1}),
}
NOFOLLOW_SHARE = 0.14  # of non-campaign links; ugc and sponsored add a few points each
SEMRUSH_SHARE = 0.6  # Semrush sees this share of the links Ahrefs sees
SEMRUSH_ONLY_LINKS = 24  # old links only Semrush knows

# --- competitors -----------------------------------------------------------------------------
# shared: referring domains shared with the site's stock; gap: domains linking to the
# competitor but not to the site; new / lost: links per day during the history.
COMPETITOR_PROFILE: dict[str, dict] = {
    "rival-gear.com": dict(shared=230, gap=80, new=0.16, lost=0.10, dr=57, da=52, links=(1, 3)),
    "peak-supply.com": dict(shared=170, gap=60, new=0.12, lost=0.08, dr=49, da=46, links=(1, 2)),
}
GAP_SHARED_BY_BOTH = 25  # gap domains linking to both competitors
PEAK_TOXIC_DOMAINS = 6  # Moz spam score >= 60

# --- authority (weekly domain_metrics) -------------------------------------------------------
SITE_DR_AT_PERIOD_START = 42.0
SITE_DR_PERIOD_TARGET = 48.0
SITE_DR_PACE = 1.0  # share of the planned DR climb delivered on time (1.0 = exactly on plan)
SITE_DR_PRE_PERIOD_PER_DAY = 0.02

# --- rankings --------------------------------------------------------------------------------
# Each link to a page lowers its keywords' positions by a factor exp(-boost) once fully ramped;
# the ramp starts `lag` days after the link is first seen and lasts BOOST_RAMP_DAYS.
LINK_BOOST = {"tier_1": 0.15, "tier_2": 0.07, "tier_3": 0.025, "tier_4": 0.006, "toxic": 0.0}
LINK_LAG_DAYS = {"tier_1": (7, 11), "tier_2": (10, 15), "tier_3": (14, 21), "tier_4": (18, 24),
                 "toxic": (21, 21)}
BOOST_RAMP_DAYS = 30
DR_BOOST_PER_POINT = 0.06  # every page gains this much per point of site DR
HEAD_TERMS_BASELINE = 5.2  # mean position of the head terms the day before the period
PRODUCT_KEYWORDS_BASELINE = 7.3
POSITION_NOISE = 0.05  # daily log-normal noise on positions
# How strongly a keyword's position answers its page's boost, by tag: head terms are contested
# by every big retailer and move slowest.
BOOST_RESPONSE = {"head": 0.78, "product": 1.1}

# --- traffic ---------------------------------------------------------------------------------
CTR_BY_POSITION = (0.30, 0.16, 0.105, 0.075, 0.056, 0.044, 0.035, 0.029, 0.024, 0.021,
                   0.015, 0.012, 0.010, 0.009, 0.008, 0.007, 0.006, 0.005, 0.0045, 0.004)
WEEKDAY_FACTOR = (1.04, 1.06, 1.05, 1.0, 0.92, 0.94, 0.99)  # Monday first
ORGANIC_NOISE = 0.07
# Share of a page's organic sessions that follows its tracked keywords; the rest comes from
# untracked queries and stays at the level it had the day before the period.
ORGANIC_RANK_SHARE = 0.65
LONG_TAIL = {"home": 4.0, "category": 2.0, "product": 1.5, "product_other": 1.5, "guide": 1.2,
             "misc": 0.0}
# Non-organic sessions per day by page kind: Direct, Paid Search, Referral, Email.
OTHER_CHANNELS = {
    "home": (140.0, 45.0, 12.0, 6.0), "category": (14.0, 18.0, 2.0, 1.0),
    "product": (4.0, 6.0, 1.0, 0.6), "product_other": (3.0, 4.0, 0.8, 0.4),
    "guide": (2.0, 0.0, 1.5, 0.8), "misc": (6.0, 0.0, 0.6, 0.2),
}
NEWSLETTER_WEEKDAY = 1  # Tuesday: the newsletter brings tagged Email sessions
NEWSLETTER_SESSIONS = 60.0
CONVERSION_RATE = {"product": (0.014, 0.03), "product_other": (0.012, 0.025),
                   "category": (0.008, 0.015), "home": (0.004, 0.008)}
ORGANIC_CONVERSION_DRIFT_IN_PERIOD = -0.2  # relative change by period end (the promo ended)
ORDER_VALUE = (70.0, 420.0)
KEY_EVENT_RATE = 0.03  # newsletter sign-ups etc., on top of transactions
# fmt: on
# =============================================================================================


def is_relevant(*texts: str) -> bool:
    """The warehouse's relevance rule: a topic is a case-insensitive substring of any text."""
    blob = " ".join(texts).lower()
    return any(topic in blob for topic in RELEVANCE_TOPICS)


@dataclass
class Domain:
    name: str  # registrable domain
    host: str  # host of its pages
    dr: int
    relevant: bool
    spam_score: int = 1  # Moz 1..100
    is_spam: bool = False  # Ahrefs "Is spam"
    traffic: int = 0
    topic: str = ""  # Majestic topical trust flow topic


@dataclass
class Link:
    domain: Domain
    target_site: str
    target_path: str
    source_url: str
    title: str
    anchor: str
    left: str
    right: str
    link_type: str  # text | image | redirect
    content: bool  # in the body of the page (Ahrefs "Content")
    nofollow: bool
    ugc: bool
    sponsored: bool
    first_seen: date
    seen_seconds: int
    stream: str
    lost: date | None = None
    sitewide: bool = False
    in_ahrefs: bool = True
    in_semrush: bool = False
    semrush_delay: int = 0
    lag: int = 0

    @property
    def followed(self) -> bool:
        return not (self.nofollow or self.ugc or self.sponsored)

    @property
    def relevant(self) -> bool:
        return is_relevant(self.title, self.source_url, self.anchor, self.domain.topic)

    @property
    def placement(self) -> str:
        if self.link_type in ("redirect", "image"):
            return self.link_type
        return "contextual" if self.content else "other"

    @property
    def toxic(self) -> bool:
        return (
            self.domain.is_spam
            or self.domain.spam_score >= 60
            or self.domain.name == DISAVOW_DOMAIN
        )

    @property
    def tier(self) -> str:
        dr = self.domain.dr
        if self.toxic:
            return "toxic"
        if self.followed and dr >= 60 and self.placement == "contextual" and self.relevant:
            return "tier_1"
        if self.followed and dr >= 40:
            return "tier_2"
        if (self.followed and dr >= 20) or (not self.followed and dr >= 60):
            return "tier_3"
        return "tier_4"

    def live_on(self, day: date) -> bool:
        return self.first_seen <= day and (self.lost is None or self.lost > day)


@dataclass(frozen=True)
class Keyword:
    keyword: str
    tags: tuple[str, ...]
    path: str
    volume: int
    base_position: float


@dataclass(frozen=True)
class Export:
    """One backlink snapshot file: which vendor export, in which of its formats, of which site."""

    vendor: str  # ahrefs | semrush | majestic | moz
    style: str  # the vendor's export variant, e.g. excel, utf8, zip, legacy
    site: str
    day: date


@dataclass
class World:
    start: date  # first day of history
    end: date  # last day of history (today - 1)
    period_start: date
    period_end: date
    pages: tuple[tuple[str, str], ...]
    keywords: tuple[Keyword, ...]
    links: list[Link] = field(default_factory=list)  # site and competitor links
    dr_daily: list[float] = field(default_factory=list)  # the site's DR, one per history day
    positions: dict[str, list[float | None]] = field(default_factory=dict)  # continuous
    exports: tuple[Export, ...] = ()  # every inbox snapshot file, oldest first per vendor

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def day_index(self, day: date) -> int:
        return (day - self.start).days


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months; a day past the target month's end is clamped to it."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = month_end(date(year, month, 1)).day
    return date(year, month, min(day.day, last))


def month_end(day: date) -> date:
    nxt = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def period_for(end_date: date) -> tuple[date, date]:
    """The demo's objective period: a quarter starting on the first of the month that holds
    `end_date - 50 days`, so the history's last day is past the grace days and about half way."""
    anchor = end_date - timedelta(days=PERIOD_START_LOOKBACK_DAYS)
    start = date(anchor.year, anchor.month, 1)
    return start, add_months(start, PERIOD_MONTHS) - timedelta(days=1)


def ctr(position: float | None) -> float:
    """Organic click-through rate at a (fractional) position."""
    if position is None:
        return 0.0
    if position <= 1:
        return CTR_BY_POSITION[0]
    if position >= len(CTR_BY_POSITION):
        return CTR_BY_POSITION[-1] * (len(CTR_BY_POSITION) / position) ** 1.5
    low = int(position)
    frac = position - low
    return CTR_BY_POSITION[low - 1] * (1 - frac) + CTR_BY_POSITION[low] * frac
