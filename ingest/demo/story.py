"""The demo's story: one outdoor-gear shop, two competitors, their links, rankings and traffic.

Everything the demo files say is derived from the in-memory `World` built here, so the vendor
exports agree with each other the way real ones do (the same link seen by Ahrefs and Semrush,
a competitor's referring domain that also links to the site). Links move rankings after a lag,
rankings move organic sessions through a click-through curve, and the objective period is
placed relative to the end of the history exactly as the demo config's period is.

Events that drive key results (links won, domains lost) are placed by systematic sampling of a
daily rate, not drawn independently, so the counts in any window track the configured rates
closely and the statuses the demo shows do not depend on a lucky seed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

# =============================================================================================
# STORY CONSTANTS: the knobs the demo is tuned with. Rates are per day unless named otherwise.
# "period" is the objective period of the demo config (a quarter that starts on the first day
# of the month holding end_date - 50 days); "month 1" is its first calendar month.
# =============================================================================================
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
LINKS_PER_DOMAIN = ((50, 1, 1), (22, 2, 2), (13, 3, 5), (10, 6, 10), (5, 15, 40))
STOCK_RELEVANT_SHARE = 0.35  # stock referring domains writing about the outdoors
STOCK_TOXIC_DOMAINS = 14  # spam-flagged domains in the stock (plus the disavowed one)
DOMAIN_LOSSES_PER_DAY = 0.33  # a referring domain drops every link to the site
LINK_LOSSES_PER_DAY = 0.45  # a single link removed, the domain keeps linking

# New links to the site: daily rate before the period, in its slow first month (outreach
# paused: this is what puts `monthly-links` behind) and after it.
# dr: authority range of the linking domain; relevant: share from outdoor-topic pages;
# targets: where the links point (page kinds, weights).
NEW_LINK_STREAMS: dict[str, dict] = {
    "background": dict(pre=0.70, month1=0.10, later=0.55, dr=(1, 38), relevant=0.15,
                       targets={"home": 4, "category": 1, "product": 3, "guide": 3, "misc": 1}),
    "strong": dict(pre=0.10, month1=0.10, later=0.30, dr=(55, 86), relevant=0.85,
                   targets={"home": 2, "category": 3, "product": 4, "product_other": 1,
                            "guide": 3}),
    "guide_outreach": dict(pre=0.08, month1=0.04, later=0.37, dr=(22, 54), relevant=1.0,
                           targets={"guide": 1}),
    "category_outreach": dict(pre=0.05, month1=0.03, later=0.24, dr=(25, 54), relevant=1.0,
                              targets={"product": 5, "category": 1}),
    "gap_wins": dict(pre=0.05, month1=0.03, later=0.27, dr=None, relevant=None,
                     targets={"home": 2, "category": 1, "product": 3, "guide": 3}),
    "toxic": dict(pre=0.04, month1=0.03, later=0.04, dr=(0, 8), relevant=0.0,
                  targets={"home": 2, "product": 1}),
}
NOFOLLOW_SHARE = 0.14  # of non-campaign links; ugc and sponsored add a few points each
SEMRUSH_SHARE = 0.6  # Semrush sees this share of the links Ahrefs sees
SEMRUSH_ONLY_LINKS = 24  # old links only Semrush knows

# --- competitors -----------------------------------------------------------------------------
# shared: referring domains shared with the site's stock; gap: domains linking to the
# competitor but not to the site; new: new links per day during the history.
COMPETITOR_PROFILE: dict[str, dict] = {
    "rival-gear.com": dict(shared=230, gap=80, new=0.16, lost=0.10, dr=57, da=52, links=(1, 3)),
    "peak-supply.com": dict(shared=170, gap=60, new=0.12, lost=0.08, dr=49, da=46, links=(1, 2)),
}
GAP_SHARED_BY_BOTH = 25  # gap domains linking to both competitors
PEAK_TOXIC_DOMAINS = 6  # Moz spam score >= 60

# --- authority (weekly domain_metrics) ---------------------------------------------------------
SITE_DR_AT_PERIOD_START = 42.0
SITE_DR_PERIOD_TARGET = 48.0
SITE_DR_PACE = 1.0  # share of the planned DR climb delivered on time (1.0 = exactly on plan)
SITE_DR_PRE_PERIOD_PER_DAY = 0.02

# --- rankings --------------------------------------------------------------------------------
# Each link to a page lowers its keywords' positions by a factor exp(-boost) once fully ramped;
# the ramp starts `lag` days after the link is first seen and lasts BOOST_RAMP_DAYS.
LINK_BOOST = {"tier_1": 0.11, "tier_2": 0.055, "tier_3": 0.022, "tier_4": 0.006, "toxic": 0.0}
LINK_LAG_DAYS = {"tier_1": (7, 11), "tier_2": (10, 15), "tier_3": (14, 21), "tier_4": (18, 24),
                 "toxic": (21, 21)}
BOOST_RAMP_DAYS = 30
DR_BOOST_PER_POINT = 0.045  # every page gains this much per point of site DR
HEAD_TERMS_BASELINE = 5.2  # mean position of the head terms the day before the period
PRODUCT_KEYWORDS_BASELINE = 7.3
POSITION_NOISE = 0.05  # daily log-normal noise on positions

# --- traffic ---------------------------------------------------------------------------------
CTR_BY_POSITION = (0.30, 0.16, 0.105, 0.075, 0.056, 0.044, 0.035, 0.029, 0.024, 0.021,
                   0.015, 0.012, 0.010, 0.009, 0.008, 0.007, 0.006, 0.005, 0.0045, 0.004)
WEEKDAY_FACTOR = (1.04, 1.06, 1.05, 1.0, 0.92, 0.94, 0.99)  # Monday first
ORGANIC_NOISE = 0.07
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
ORGANIC_CONVERSION_DRIFT_IN_PERIOD = -0.18  # relative change by period end (promo ended)
ORDER_VALUE = (70.0, 420.0)
KEY_EVENT_RATE = 0.03  # newsletter sign-ups etc., on top of transactions

# =============================================================================================

# (path, kind). kinds: home, misc, category (category root), product (in a product category
# page group), product_other (sold, but outside the page groups), guide.
PAGES: tuple[tuple[str, str], ...] = (
    ("/", "home"), ("/sale", "misc"), ("/about", "misc"), ("/contact", "misc"),
    ("/blog", "misc"), ("/shipping", "misc"),
    ("/tents", "category"), ("/tents/2-person", "product"), ("/tents/4-person", "product"),
    ("/tents/ultralight", "product"), ("/tents/family", "product"),
    ("/tents/backpacking", "product"), ("/tents/rooftop", "product"),
    ("/tents/winter", "product"), ("/tents/pop-up", "product"),
    ("/tents/accessories", "product"), ("/tents/footprints", "product"),
    ("/tents/canopies", "product"), ("/tents/trekking-pole", "product"),
    ("/backpacks", "category"), ("/backpacks/hiking", "product"),
    ("/backpacks/daypacks", "product"), ("/backpacks/ultralight", "product"),
    ("/backpacks/travel", "product"), ("/backpacks/kids", "product"),
    ("/backpacks/hydration", "product"), ("/backpacks/womens", "product"),
    ("/backpacks/frameless", "product"), ("/backpacks/rain-covers", "product"),
    ("/backpacks/35-liter", "product"),
    ("/sleeping-bags", "category"), ("/sleeping-bags/down", "product_other"),
    ("/sleeping-bags/synthetic", "product_other"), ("/boots/hiking", "product_other"),
    ("/boots/waterproof", "product_other"), ("/stoves/backpacking", "product_other"),
    ("/guides/how-to-pitch-a-tent", "guide"), ("/guides/camping-checklist", "guide"),
    ("/guides/choosing-a-backpack", "guide"), ("/guides/hiking-for-beginners", "guide"),
    ("/guides/backpack-fitting", "guide"), ("/guides/tent-care", "guide"),
    ("/guides/winter-camping", "guide"), ("/guides/ultralight-backpacking", "guide"),
    ("/guides/camping-with-kids", "guide"), ("/guides/best-hiking-trails-colorado", "guide"),
    ("/guides/layering-for-hiking", "guide"), ("/guides/leave-no-trace", "guide"),
    ("/guides/water-filtration", "guide"), ("/guides/campfire-cooking", "guide"),
    ("/guides/bear-safety", "guide"), ("/guides/sleeping-warm", "guide"),
    ("/guides/trekking-poles", "guide"), ("/guides/first-aid-kit", "guide"),
    ("/guides/navigation-basics", "guide"), ("/guides/rain-camping", "guide"),
    ("/guides/car-camping", "guide"), ("/guides/hammock-camping", "guide"),
    ("/guides/thru-hiking-resupply", "guide"), ("/guides/weekend-packing-list", "guide"),
)

# (keyword, tags, page path, monthly search volume, position the day before the period).
# Head-term and product positions are rescaled to the baselines above.
KEYWORDS: tuple[tuple[str, str, str, int, float], ...] = (
    ("acme outdoor", "brand", "/", 2900, 1.0),
    ("acme outdoor coupon", "brand", "/sale", 880, 1.2),
    ("acme outdoor tents", "brand", "/tents", 320, 1.1),
    ("camping gear", "head", "/", 33100, 3.2),
    ("tents", "head", "/tents", 49500, 4.3),
    ("backpacks", "head", "/backpacks", 40500, 5.1),
    ("hiking boots", "head", "/boots/hiking", 90500, 6.6),
    ("sleeping bags", "head", "/sleeping-bags", 33100, 6.8),
    ("2 person tent", "product", "/tents/2-person", 12100, 6.0),
    ("two person tent", "product", "/tents/2-person", 2400, 8.0),
    ("4 person tent", "product", "/tents/4-person", 9900, 7.0),
    ("ultralight tent", "product", "/tents/ultralight", 8100, 9.0),
    ("family tent", "product", "/tents/family", 6600, 5.0),
    ("large family tent", "product", "/tents/family", 1300, 8.0),
    ("backpacking tent", "product", "/tents/backpacking", 14800, 11.0),
    ("rooftop tent", "product", "/tents/rooftop", 27100, 13.0),
    ("4 season tent", "product", "/tents/winter", 5400, 6.0),
    ("pop up tent", "product", "/tents/pop-up", 18100, 9.0),
    ("tent accessories", "product", "/tents/accessories", 1000, 4.0),
    ("tent footprint", "product", "/tents/footprints", 2900, 5.0),
    ("camping canopy", "product", "/tents/canopies", 3600, 10.0),
    ("trekking pole tent", "product", "/tents/trekking-pole", 2400, 7.0),
    ("hiking backpack", "product", "/backpacks/hiking", 22200, 8.0),
    ("best hiking backpack", "product", "/backpacks/hiking", 6600, 10.0),
    ("daypack", "product", "/backpacks/daypacks", 9900, 6.0),
    ("ultralight backpack", "product", "/backpacks/ultralight", 5400, 5.0),
    ("travel backpack", "product", "/backpacks/travel", 40500, 14.0),
    ("kids hiking backpack", "product", "/backpacks/kids", 1300, 4.0),
    ("hydration pack", "product", "/backpacks/hydration", 12100, 9.0),
    ("womens hiking backpack", "product", "/backpacks/womens", 2900, 6.0),
    ("frameless backpack", "product", "/backpacks/frameless", 880, 3.0),
    ("backpack rain cover", "product", "/backpacks/rain-covers", 2400, 5.0),
    ("35 liter backpack", "product", "/backpacks/35-liter", 1900, 7.0),
    ("down sleeping bag", "product", "/sleeping-bags/down", 6600, 8.0),
    ("synthetic sleeping bag", "product", "/sleeping-bags/synthetic", 1600, 6.0),
    ("waterproof hiking boots", "product", "/boots/waterproof", 14800, 9.0),
    ("backpacking stove", "product", "/stoves/backpacking", 4400, 8.0),
    ("how to set up a tent", "guide", "/guides/how-to-pitch-a-tent", 8100, 3.0),
    ("how to pitch a tent", "guide", "/guides/how-to-pitch-a-tent", 2900, 4.0),
    ("camping checklist", "guide", "/guides/camping-checklist", 9900, 2.0),
    ("camping packing list", "guide", "/guides/camping-checklist", 4400, 5.0),
    ("how to choose a backpack", "guide", "/guides/choosing-a-backpack", 1600, 6.0),
    ("hiking for beginners", "guide", "/guides/hiking-for-beginners", 2400, 9.0),
    ("beginner hiking tips", "guide", "/guides/hiking-for-beginners", 720, 12.0),
    ("how to fit a backpack", "guide", "/guides/backpack-fitting", 1300, 11.0),
    ("how to clean a tent", "guide", "/guides/tent-care", 1900, 12.0),
    ("how to fold a tent", "guide", "/guides/tent-care", 1000, 17.0),
    ("winter camping tips", "guide", "/guides/winter-camping", 2900, 13.0),
    ("winter camping gear", "guide", "/guides/winter-camping", 2400, 21.0),
    ("ultralight backpacking", "guide", "/guides/ultralight-backpacking", 3600, 8.0),
    ("ultralight backpacking gear list", "guide", "/guides/ultralight-backpacking", 2400, 10.0),
    ("camping with kids", "guide", "/guides/camping-with-kids", 2400, 11.5),
    ("camping with toddlers", "guide", "/guides/camping-with-kids", 1000, 18.0),
    ("best hiking trails colorado", "guide", "/guides/best-hiking-trails-colorado", 6600, 7.0),
    ("colorado 14ers for beginners", "guide", "/guides/best-hiking-trails-colorado", 880, 15.0),
    ("layering for hiking", "guide", "/guides/layering-for-hiking", 880, 14.0),
    ("what to wear hiking", "guide", "/guides/layering-for-hiking", 6600, 24.0),
    ("leave no trace principles", "guide", "/guides/leave-no-trace", 5400, 6.0),
    ("backpacking water filter", "guide", "/guides/water-filtration", 6600, 12.5),
    ("best water filter for hiking", "guide", "/guides/water-filtration", 1900, 19.0),
    ("campfire recipes", "guide", "/guides/campfire-cooking", 9900, 16.0),
    ("dutch oven camping recipes", "guide", "/guides/campfire-cooking", 2900, 11.0),
    ("bear safety camping", "guide", "/guides/bear-safety", 1300, 8.0),
    ("bear canister", "guide", "/guides/bear-safety", 5400, 27.0),
    ("how to stay warm camping", "guide", "/guides/sleeping-warm", 2900, 13.5),
    ("sleeping bag liner", "guide", "/guides/sleeping-warm", 3600, 31.0),
    ("how to use trekking poles", "guide", "/guides/trekking-poles", 1900, 10.0),
    ("hiking first aid kit", "guide", "/guides/first-aid-kit", 2400, 12.0),
    ("how to use a compass", "guide", "/guides/navigation-basics", 8100, 22.0),
    ("map reading for hikers", "guide", "/guides/navigation-basics", 480, 14.5),
    ("camping in the rain", "guide", "/guides/rain-camping", 1600, 9.0),
    ("car camping tips", "guide", "/guides/car-camping", 1900, 13.0),
    ("car camping checklist", "guide", "/guides/car-camping", 1300, 16.0),
    ("hammock camping", "guide", "/guides/hammock-camping", 6600, 12.0),
    ("hammock vs tent", "guide", "/guides/hammock-camping", 1000, 35.0),
    ("thru hike resupply", "guide", "/guides/thru-hiking-resupply", 480, 45.0),
    ("appalachian trail resupply", "guide", "/guides/thru-hiking-resupply", 720, 88.0),
    ("backpacking packing list", "guide", "/guides/weekend-packing-list", 4400, 14.0),
    ("backpacking meals", "guide", "/guides/weekend-packing-list", 3600, 60.0),
)

_RELEVANT_WORDS = ("trail", "summit", "camping", "hiking", "outdoor", "backcountry", "ridge",
                   "campfire", "alpine", "basecamp", "wild", "trek", "canyon", "pine", "tent")
_PLAIN_WORDS = ("daily", "local", "family", "money", "food", "style", "city", "review", "digest",
                "journal", "post", "times", "hub", "zone", "world", "life", "garden", "auto",
                "pets", "health", "deals", "coupon", "parent", "student", "travel", "photo",
                "craft", "diy", "market", "brew", "kitchen", "budget", "gadget", "mom", "dad")
_TLDS = (".com", ".com", ".com", ".com", ".com", ".net", ".org", ".co.uk", ".io", ".blog",
         ".com.au", ".de", ".ca")
_RELEVANT_TITLES = (
    "The Best Camping Gear of {year}", "Our Favorite Hiking Backpacks, Tested",
    "Weekend Camping Checklist: What We Pack", "Trail Report: {place} in the Fall",
    "How to Choose a Tent for Backpacking", "Ultralight Hiking Setup for Beginners",
    "Family Camping Trip Ideas for {year}", "Gear Review: Tents That Survived the Storm",
    "10 Outdoor Gifts for Hikers", "Where to Buy Camping Gear Online",
    "Winter Camping: A First-Timer's Notes", "Thru-Hiking Resupply Strategies",
    "Best Day Hikes Near {place}", "Outdoor Gear Deals This Week",
    "Backpacking {place}: Trip Planning Guide", "Camping With Dogs: Tips and Gear",
)
_PLAIN_TITLES = (
    "Gift Ideas for Dad This Year", "Weekly Deals Roundup", "Our Favorite Online Stores",
    "Budget Travel Tips for Families", "Spring Cleaning Checklist", "Best Coupons This Month",
    "What to Buy on Black Friday", "Back to School Essentials", "Small Business Spotlight",
    "Links We Loved This Week", "Resources and Partners", "Holiday Shopping Guide {year}",
    "Road Trip Playlist and Snacks", "Father's Day Gift Guide", "Brand Directory: Sports",
    "Reader Questions, Answered",
)
_PLACES = ("Colorado", "Yosemite", "the Smokies", "Utah", "the Cascades", "Vermont", "Big Sur",
           "the Adirondacks", "Montana", "the Lake District")
_GENERIC_ANCHORS = ("here", "this store", "their website", "read more", "this one", "source",
                    "check it out", "link", "this shop")
_LEFT = ("We compared a dozen options and the", "If you are shopping this season, the",
         "A reader recommended the", "For the price, the", "Our editor swears by the",
         "The team behind the")
_RIGHT = ("held up best in our test.", "is worth a look.", "ships fast and free.",
          "was the crowd favorite.", "is what we would buy again.", "made the shortlist.")
_SPAM_WORDS = ("seo", "links", "rank", "backlink", "cheap", "bonus", "casino", "pills", "free")


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
        return (self.domain.is_spam or self.domain.spam_score >= 60
                or self.domain.name == DISAVOW_DOMAIN)

    @property
    def tier(self) -> str:
        dr = self.domain.dr
        if self.toxic:
            return "toxic"
        if (self.followed and dr >= 60 and self.placement == "contextual" and self.relevant):
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
    ahrefs_snapshots: tuple[date, ...] = ()
    semrush_snapshots: tuple[date, ...] = ()
    competitor_snapshots: dict[str, tuple[date, ...]] = field(default_factory=dict)

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
    last = _month_end(date(year, month, 1)).day
    return date(year, month, min(day.day, last))


def _month_end(day: date) -> date:
    nxt = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def period_for(end_date: date) -> tuple[date, date]:
    """The demo's objective period: a quarter starting on the first of the month that holds
    `end_date - 50 days`, so the history's last day is past the grace days and about half way."""
    anchor = end_date - timedelta(days=PERIOD_START_LOOKBACK_DAYS)
    start = date(anchor.year, anchor.month, 1)
    return start, add_months(start, PERIOD_MONTHS) - timedelta(days=1)


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


class _DomainFactory:
    """Unique, plausible referring domains; relevant ones write about the outdoors."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set(COMPETITORS) | {SITE, DISAVOW_DOMAIN}

    def _name(self, relevant: bool, spam: bool) -> tuple[str, str]:
        rng = self.rng
        while True:
            if spam:
                words = (rng.choice(_SPAM_WORDS), rng.choice(_SPAM_WORDS))
                tld = rng.choice((".xyz", ".top", ".info", ".biz", ".click"))
            else:
                first = _RELEVANT_WORDS if relevant and rng.random() < 0.6 else _PLAIN_WORDS
                words = (rng.choice(first), rng.choice(_PLAIN_WORDS + _RELEVANT_WORDS * relevant))
                tld = rng.choice(_TLDS)
            if words[0] == words[1]:
                continue
            sep = "-" if rng.random() < 0.3 else ""
            base = words[0] + sep + words[1]
            if rng.random() < 0.25:
                base += str(rng.randint(2, 99))
            roll = rng.random()
            if not spam and roll < 0.04:
                name = f"{base}.blogspot.com"
                host = name
            elif not spam and roll < 0.07:
                name = f"{base}.wordpress.com"
                host = name
            else:
                name = base + tld
                sub = rng.random()
                host = ("www." + name if sub < 0.55 else
                        "blog." + name if sub < 0.65 else name)
            if not relevant and is_relevant(name):
                continue
            if name not in self.taken:
                self.taken.add(name)
                return name, host

    def make(self, dr_range: tuple[int, int] | None, relevant: bool, spam: bool = False) -> Domain:
        rng = self.rng
        name, host = self._name(relevant, spam)
        if dr_range is None:
            # Authority skewed low, as in every real backlink profile.
            dr = int(95 * rng.betavariate(1.25, 3.6))
        else:
            dr = rng.randint(*dr_range)
        if spam:
            dr = rng.randint(0, 6)
        spam_score = rng.randint(60, 95) if spam else max(1, min(40, int(rng.gauss(8, 6))))
        topic = (rng.choice(("Recreation/Outdoors", "Recreation/Camping", "Sports/Hiking"))
                 if relevant else rng.choice(("Shopping/General", "News/Weblogs", "Home/Family",
                                               "Business/Retail", "Arts/Online Writing")))
        traffic = int(math.exp(rng.uniform(2, 5 + dr / 12)))
        return Domain(name, host, dr, relevant, spam_score, spam, traffic, topic)


class _Builder:
    def __init__(self, end_date: date, days: int, seed: int) -> None:
        self.seed = seed
        self.end = end_date
        self.start = end_date - timedelta(days=days - 1)
        self.p0, self.p1 = period_for(end_date)
        self.month1_end = _month_end(self.p0)
        self.domains = _DomainFactory(self._rng("domains"))
        self.pages_by_kind: dict[str, list[str]] = {}
        for path, kind in PAGES:
            self.pages_by_kind.setdefault(kind, []).append(path)
        self.keywords = _keywords()
        self.competitor_links: list[Link] = []

    def _rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    # -- links --------------------------------------------------------------------------------
    def _target(self, rng: random.Random, weights: dict[str, int]) -> str:
        kinds = list(weights)
        kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
        pool = self.pages_by_kind["home"] if kind == "home" else self.pages_by_kind[kind]
        return rng.choice(pool)

    def _link(self, rng: random.Random, domain: Domain, site: str, path: str, first_seen: date,
              stream: str, campaign: bool = False, sitewide: bool = False) -> Link:
        topical = domain.relevant and (campaign or rng.random() < 0.8)
        template = rng.choice(_RELEVANT_TITLES if topical else _PLAIN_TITLES)
        title = template.format(year=first_seen.year, place=rng.choice(_PLACES))
        slug = _slug(title)
        if rng.random() < 0.3:
            slug = f"{first_seen.year}/{first_seen.month:02d}/{slug}"
        source_url = f"https://{domain.host}/{slug}"
        if sitewide:
            source_url = f"https://{domain.host}/{rng.choice(('page', 'archive', 'tag'))}/" \
                         f"{rng.randint(2, 400)}"
        if not campaign and rng.random() < 0.04:
            source_url += f"?p={rng.randint(10, 9999)}"
        anchor = self._anchor(rng, site, path, topical)
        roll = rng.random()
        link_type = "text"
        if not campaign and roll < 0.05:
            link_type, anchor = "image", ""
        elif not campaign and roll < 0.07:
            link_type = "redirect"
        content = campaign or (not sitewide and rng.random() < 0.78)
        nofollow = ugc = sponsored = False
        if not campaign:
            roll = rng.random()
            nofollow = roll < NOFOLLOW_SHARE
            ugc = NOFOLLOW_SHARE <= roll < NOFOLLOW_SHARE + 0.03
            sponsored = NOFOLLOW_SHARE + 0.03 <= roll < NOFOLLOW_SHARE + 0.05
        link = Link(domain=domain, target_site=site, target_path=path, source_url=source_url,
                    title=title, anchor=anchor, left=rng.choice(_LEFT), right=rng.choice(_RIGHT),
                    link_type=link_type, content=content, nofollow=nofollow, ugc=ugc,
                    sponsored=sponsored, first_seen=first_seen,
                    seen_seconds=rng.randint(0, 86399), stream=stream, sitewide=sitewide)
        lo, hi = LINK_LAG_DAYS[link.tier]
        link.lag = rng.randint(lo, hi)
        return link

    def _anchor(self, rng: random.Random, site: str, path: str, topical: bool) -> str:
        if site != SITE:
            brand = {"rival-gear.com": "Rival Gear", "peak-supply.com": "Peak Supply"}[site]
            return rng.choice((brand, site, "here", "their shop", brand + " sale"))
        roll = rng.random()
        page_keywords = [k.keyword for k in self.keywords if k.path == path]
        if page_keywords and roll < (0.5 if topical else 0.2):
            return rng.choice(page_keywords)
        if roll < 0.62:
            return rng.choice(_GENERIC_ANCHORS)
        if roll < 0.82:
            return SITE_BRAND
        return rng.choice((SITE, SITE_HOST, f"{SITE_HOST}{path}".rstrip("/")))

    def _stock_link_count(self, rng: random.Random) -> int:
        weights = [w for w, _, _ in LINKS_PER_DOMAIN]
        _, lo, hi = rng.choices(LINKS_PER_DOMAIN, weights=weights)[0]
        return rng.randint(lo, hi)

    def _old_date(self, rng: random.Random) -> date:
        return self.start - timedelta(days=rng.randint(20, 6 * 365))

    def _add_domain_links(self, rng: random.Random, domain: Domain, site: str, first: date,
                          count: int, stream: str, weights: dict[str, int]) -> list[Link]:
        sitewide = count >= 15
        path = self._target(rng, weights)
        links = []
        for i in range(count):
            seen = first if i == 0 or sitewide else first + timedelta(days=rng.randint(0, 400))
            if seen > self.start - timedelta(days=1) and first < self.start:
                seen = first
            target = path if sitewide else (path if i == 0 else self._target(rng, weights))
            links.append(self._link(rng, domain, site, target, seen, stream, sitewide=sitewide))
        return _dedupe(links)

    def build(self) -> World:
        world = World(start=self.start, end=self.end, period_start=self.p0,
                      period_end=self.p1, pages=PAGES, keywords=self.keywords)
        stock_weights = {"home": 5, "category": 1, "product": 3, "guide": 3, "misc": 1}
        rng = self._rng("stock")
        stock: list[Domain] = []
        site_links: list[Link] = []
        n_stock = REFERRING_DOMAINS_AT_PERIOD_START - 40
        for _ in range(n_stock):
            domain = self.domains.make(None, rng.random() < STOCK_RELEVANT_SHARE)
            stock.append(domain)
            site_links += self._add_domain_links(rng, domain, SITE, self._old_date(rng),
                                                 self._stock_link_count(rng), "stock",
                                                 stock_weights)
        toxic = [self.domains.make(None, False, spam=True) for _ in range(STOCK_TOXIC_DOMAINS)]
        disavowed = Domain(DISAVOW_DOMAIN, "www." + DISAVOW_DOMAIN, 2, False, 71, False, 40,
                           "Computers/Internet")
        for domain in [*toxic, disavowed]:
            count = rng.randint(3, 8) if domain is disavowed else rng.randint(1, 3)
            site_links += self._add_domain_links(rng, domain, SITE, self._old_date(rng), count,
                                                 "stock", stock_weights)

        competitor_links, gap_pool = self._competitors(stock)
        self.competitor_links = competitor_links
        site_links += self._history(site_links, gap_pool)
        site_links += self._semrush_only()
        site_links += self._settle_stock(site_links)
        self._mark_semrush(site_links)

        world.links = site_links + competitor_links
        world.dr_daily = self._dr_daily()
        world.positions = _positions(world, self._rng("positions"))
        world.ahrefs_snapshots = _every(self.end, self.start, 30)
        world.semrush_snapshots = tuple(d for d in (self.end - timedelta(days=45),
                                                    self.end - timedelta(days=4))
                                        if d >= self.start)
        world.competitor_snapshots = {
            "rival-gear.com": _within((self.p0 - timedelta(days=40), self.end - timedelta(days=8)),
                                      self.start),
            "peak-supply.com": _within((self.p0 - timedelta(days=33),
                                        self.end - timedelta(days=12)), self.start),
        }
        return world

    def _competitors(self, stock: list[Domain]) -> tuple[list[Link], list[Domain]]:
        rng = self._rng("competitors")
        links: list[Link] = []
        candidates = [d for d in stock if not d.is_spam]
        gap_both = [self.domains.make(None, rng.random() < 0.5) for _ in range(GAP_SHARED_BY_BOTH)]
        gap_pool = list(gap_both)
        weights = {"home": 3, "category": 2, "product": 3, "guide": 2}
        for site, profile in COMPETITOR_PROFILE.items():
            lo, hi = profile["links"]
            shared = rng.sample(candidates, profile["shared"])
            own_gap = [self.domains.make(None, rng.random() < 0.5)
                       for _ in range(profile["gap"] - GAP_SHARED_BY_BOTH)]
            gap_pool += own_gap
            toxic = ([self.domains.make(None, False, spam=True) for _ in range(PEAK_TOXIC_DOMAINS)]
                     if site == "peak-supply.com" else [])
            for domain in [*shared, *gap_both, *own_gap, *toxic]:
                links += self._add_domain_links(rng, domain, site, self._old_date(rng),
                                                rng.randint(lo, hi), "competitor", weights)
            # New competitor links during the history, mostly from domains new to everyone:
            # the gap keeps refilling while the site works through it.
            for day in _events(self._rate_days(profile["new"], profile["new"], profile["new"]),
                               self.start, rng):
                domain = self.domains.make(None, rng.random() < 0.5)
                gap_pool.append(domain)
                links += self._add_domain_links(rng, domain, site, day, 1, "competitor", weights)
            live = [link for link in links if link.target_site == site]
            for day in _events(self._rate_days(profile["lost"], profile["lost"], profile["lost"]),
                               self.start, rng):
                pool = [link for link in live if link.lost is None and link.first_seen < day]
                rng.choice(pool).lost = day
        return _comp_paths(links), gap_pool

    def _rate_days(self, pre: float, month1: float, later: float) -> list[float]:
        out = []
        day = self.start
        while day <= self.end:
            if day < self.p0:
                out.append(pre)
            elif day <= self.month1_end:
                out.append(month1)
            else:
                out.append(later)
            day += timedelta(days=1)
        return out

    def _history(self, site_links: list[Link], gap_pool: list[Domain]) -> list[Link]:
        """New links won and links lost over the history, day by day."""
        new: list[Link] = []
        linked: dict[str, Domain] = {}
        for link in site_links:
            linked.setdefault(link.domain.name, link.domain)
        won_gap: set[str] = set()
        comp_first: dict[str, date] = {}
        for stream, spec in NEW_LINK_STREAMS.items():
            rng = self._rng(f"stream:{stream}")
            for day in _events(self._rate_days(spec["pre"], spec["month1"], spec["later"]),
                               self.start, rng):
                if stream == "gap_wins":
                    if not comp_first:
                        comp_first = _first_competitor_link(self.competitor_links)
                    pool = [d for d in gap_pool if d.name not in won_gap
                            and d.name not in linked and comp_first.get(d.name, day) < day]
                    if not pool:
                        continue
                    domain = rng.choice(pool)
                    won_gap.add(domain.name)
                elif stream == "toxic":
                    domain = self.domains.make(None, False, spam=True)
                else:
                    relevant = rng.random() < spec["relevant"]
                    domain = self.domains.make(spec["dr"], relevant)
                linked[domain.name] = domain
                path = self._target(rng, spec["targets"])
                campaign = stream in ("strong", "guide_outreach", "category_outreach")
                link = self._link(rng, domain, SITE, path, day, stream, campaign=campaign)
                new.append(link)
                if stream == "gap_wins" and rng.random() < 0.3:
                    extra = self._link(rng, domain, SITE, self._target(rng, spec["targets"]),
                                       day + timedelta(days=rng.randint(1, 20)), stream)
                    if extra.first_seen <= self.end:
                        new.append(extra)
        self._losses(site_links, new)
        return new

    def _losses(self, stock_links: list[Link], new_links: list[Link]) -> None:
        rng = self._rng("losses")
        everything = stock_links + new_links
        by_domain: dict[str, list[Link]] = {}
        for link in everything:
            by_domain.setdefault(link.domain.name, []).append(link)
        names = list(by_domain)
        flat = self._rate_days(DOMAIN_LOSSES_PER_DAY, DOMAIN_LOSSES_PER_DAY, DOMAIN_LOSSES_PER_DAY)
        for day in _events(flat, self.start, rng):
            for _ in range(50):
                name = rng.choice(names)
                links = by_domain[name]
                # A domain won recently is rarely lost; campaign links are watched closely.
                if (all(lk.lost is None and lk.first_seen < day - timedelta(days=90)
                        for lk in links) and not links[0].toxic):
                    for lk in links:
                        lk.lost = day
                    break
        flat = self._rate_days(LINK_LOSSES_PER_DAY, LINK_LOSSES_PER_DAY, LINK_LOSSES_PER_DAY)
        for day in _events(flat, self.start, rng):
            for _ in range(50):
                name = rng.choice(names)
                links = [lk for lk in by_domain[name] if lk.lost is None and lk.live_on(day)]
                if len(links) >= 2 and links[0].first_seen < day - timedelta(days=60):
                    rng.choice(links).lost = day
                    break

    def _settle_stock(self, site_links: list[Link]) -> list[Link]:
        """Add or drop never-lost stock domains so the live count matches the config baseline."""
        rng = self._rng("settle")
        day = self.p0 - timedelta(days=1)
        live = _live_domains(site_links, day)
        gap = REFERRING_DOMAINS_AT_PERIOD_START - len(live)
        extra: list[Link] = []
        stock_weights = {"home": 5, "category": 1, "product": 3, "guide": 3}
        for _ in range(max(gap, 0)):
            domain = self.domains.make(None, rng.random() < STOCK_RELEVANT_SHARE)
            extra += self._add_domain_links(rng, domain, SITE, self._old_date(rng),
                                            self._stock_link_count(rng), "stock", stock_weights)
        if gap < 0:
            comp = {lk.domain.name for lk in self.competitor_links}
            droppable = []
            by_domain: dict[str, list[Link]] = {}
            for link in site_links:
                by_domain.setdefault(link.domain.name, []).append(link)
            for name, links in by_domain.items():
                if (name not in comp and all(lk.stream == "stock" and lk.lost is None
                                             for lk in links) and not links[0].toxic):
                    droppable.append(name)
            drop = set(rng.sample(droppable, -gap))
            site_links[:] = [lk for lk in site_links if lk.domain.name not in drop]
        return extra

    def _semrush_only(self) -> list[Link]:
        rng = self._rng("semrush-only")
        links = []
        for _ in range(SEMRUSH_ONLY_LINKS):
            domain = self.domains.make((1, 20), False)
            link = self._link(rng, domain, SITE, self._target(rng, {"home": 2, "product": 1}),
                              self._old_date(rng), "semrush_only")
            link.in_ahrefs = False
            link.in_semrush = True
            links.append(link)
        return links

    def _mark_semrush(self, site_links: list[Link]) -> None:
        rng = self._rng("semrush")
        for link in site_links:
            if link.in_ahrefs:
                link.in_semrush = rng.random() < SEMRUSH_SHARE
                link.semrush_delay = rng.choice((0, 0, 0, 1, 2, 3, 5, 8))

    def _dr_daily(self) -> list[float]:
        out = []
        span = (self.p1 - self.p0).days + 1
        climb = (SITE_DR_PERIOD_TARGET - SITE_DR_AT_PERIOD_START) * SITE_DR_PACE
        day = self.start
        while day <= self.end:
            offset = (day - self.p0).days + 1
            if offset <= 0:
                out.append(SITE_DR_AT_PERIOD_START + offset * SITE_DR_PRE_PERIOD_PER_DAY)
            else:
                out.append(SITE_DR_AT_PERIOD_START + climb * offset / span)
            day += timedelta(days=1)
        return out


def build_world(end_date: date, days: int, seed: int) -> World:
    """The whole story for a history of `days` days ending on `end_date`."""
    return _Builder(end_date, days, seed).build()


def _keywords() -> tuple[Keyword, ...]:
    def scaled(tag: str, target: float) -> float:
        values = [row[4] for row in KEYWORDS if row[1] == tag]
        return target / (sum(values) / len(values))

    factors = {"head": scaled("head", HEAD_TERMS_BASELINE),
               "product": scaled("product", PRODUCT_KEYWORDS_BASELINE)}
    return tuple(Keyword(kw, tuple(tags.split(";")), path, vol, pos * factors.get(tags, 1.0))
                 for kw, tags, path, vol, pos in KEYWORDS)


def _events(rates: list[float], start: date, rng: random.Random) -> list[date]:
    """Systematic sampling: an event whenever the cumulative rate crosses the next integer."""
    out = []
    acc = rng.random()
    for i, rate in enumerate(rates):
        before = math.floor(acc)
        acc += rate
        for _ in range(math.floor(acc) - before):
            out.append(start + timedelta(days=i))
    return out


def _every(end: date, start: date, step: int) -> tuple[date, ...]:
    out = []
    day = end
    while day >= start:
        out.append(day)
        day -= timedelta(days=step)
    return tuple(reversed(out))


def _within(days: tuple[date, ...], start: date) -> tuple[date, ...]:
    return tuple(d for d in days if d >= start)


def _dedupe(links: list[Link]) -> list[Link]:
    """One link per (source page, target page): vendors report a pair once."""
    seen: set[tuple[str, str]] = set()
    out = []
    for link in links:
        key = (link.source_url, link.target_path)
        if key not in seen:
            seen.add(key)
            out.append(link)
    return out


def _comp_paths(links: list[Link]) -> list[Link]:
    """Competitor links point at the competitor's own catalogue, not at the site's paths."""
    mapping = {"/": "/", "/tents": "/shop/tents", "/backpacks": "/shop/packs"}
    for link in links:
        path = link.target_path
        if path.startswith("/guides/"):
            link.target_path = "/journal/" + path.removeprefix("/guides/")
        else:
            link.target_path = mapping.get(path, "/shop" + path)
    return _dedupe(links)


def _first_competitor_link(links: list[Link]) -> dict[str, date]:
    first: dict[str, date] = {}
    for link in links:
        if link.domain.name not in first or link.first_seen < first[link.domain.name]:
            first[link.domain.name] = link.first_seen
    return first


def _live_domains(links: list[Link], day: date) -> set[str]:
    return {lk.domain.name for lk in links
            if lk.target_site == SITE and not lk.toxic and lk.live_on(day)}


def _positions(world: World, rng: random.Random) -> dict[str, list[float | None]]:
    """Continuous daily position per keyword (None = beyond 100), anchored the day before the
    period: links won later improve it, links won earlier explain why it was worse before."""
    days = world.days
    n = len(days)
    anchor = max(0, min(n - 1, world.day_index(world.period_start - timedelta(days=1))))
    boost: dict[str, list[float]] = {}
    dr0 = world.dr_daily[anchor]
    site_boost = [DR_BOOST_PER_POINT * (dr - dr0) for dr in world.dr_daily]
    for path, _ in world.pages:
        boost[path] = list(site_boost)
    for link in world.links:
        if link.target_site != SITE or not link.in_ahrefs or link.first_seen < world.start:
            continue
        weight = LINK_BOOST[link.tier]
        if not weight:
            continue
        series = boost[link.target_path]
        won = world.day_index(link.first_seen) + link.lag
        gone = world.day_index(link.lost) + link.lag if link.lost else None
        for i in range(max(0, won), n):
            ramp = min(1.0, (i - won) / BOOST_RAMP_DAYS)
            if gone is not None and i > gone:
                ramp -= min(1.0, (i - gone) / BOOST_RAMP_DAYS)
            series[i] += weight * ramp
    out: dict[str, list[float | None]] = {}
    for kw in world.keywords:
        series = boost[kw.path]
        level = series[anchor]
        values: list[float | None] = []
        for i in range(n):
            pos = kw.base_position * math.exp(-(series[i] - level))
            pos *= math.exp(rng.gauss(0, POSITION_NOISE))
            values.append(None if pos > 100.5 else max(1.0, pos))
        out[kw.keyword] = values
    return out


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
