"""The generator's fixed vocabulary: sizes, fault rates, durations and the word lists events use.

Changing any value here changes the bytes every seed writes.
"""

from __future__ import annotations

from datetime import UTC, datetime

POPULATION_SEED = 20250303
POPULATION_EPOCH = datetime(2025, 3, 3, tzinfo=UTC)
EVENTS_PER_USER = 40
MIN_USERS = 20

LINES_PER_FILE = 5_000
MIN_FILES, MIN_FILES_FROM_EVENTS = 4, 10_000
GZIP_SHARE = 0.3

# Fault rates, per distinct valid event; every fault comes in addition to the valid events.
DUPLICATE_RATE = 0.02
MALFORMED_RATE = 0.005
UNKNOWN_FIELD_RATE = 0.03
LATE_RATE = 0.02
INVALID_RATE = 0.003
NO_TIMESTAMP_RATE = 0.01

SECOND_MS, MINUTE_MS, HOUR_MS = 1_000, 60_000, 3_600_000
DAY_MS = 24 * HOUR_MS
SESSION_GAP_MS = 30 * MINUTE_MS
MIN_STEP_MS, MAX_STEP_MS = 5 * SECOND_MS, 10 * MINUTE_MS
MAX_SESSION_EVENTS = 60

SITE = "https://shop.example.com"
FIRST_NAMES = (
    "alice",
    "bob",
    "chen",
    "dana",
    "emil",
    "fatima",
    "gita",
    "hugo",
    "ines",
    "jonas",
    "kofi",
    "lena",
    "mateo",
    "nora",
    "omar",
    "priya",
    "quinn",
    "rosa",
    "sven",
    "yuki",
)
LAST_NAMES = (
    "smith",
    "muller",
    "garcia",
    "kumar",
    "tanaka",
    "okafor",
    "rossi",
    "dubois",
    "novak",
    "silva",
    "jensen",
    "kowalski",
    "nguyen",
    "cohen",
    "larsen",
    "moreau",
)
EMAIL_DOMAINS = ("example.com", "example.org", "mail.example.net", "corp.example.co.uk")
COUNTRIES = {
    "US": "en-US",
    "DE": "de-DE",
    "FR": "fr-FR",
    "GB": "en-GB",
    "IN": "en-IN",
    "BR": "pt-BR",
    "JP": "ja-JP",
    "ES": "es-ES",
    "NL": "nl-NL",
    "CA": "en-CA",
}
PLANS, PLAN_WEIGHTS = ("free", "pro", "enterprise"), (70, 25, 5)
PLAN_CHANGE = {"free": "pro", "pro": "enterprise", "enterprise": "pro"}
COMPANY_WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay")
INDUSTRIES = ("Retail", "Software", "Finance", "Logistics", "Media")
# (offset minutes, suffix): how a device writes its local time.
OFFSETS = ((0, "Z"), (120, "+02:00"), (-300, "-05:00"), (330, "+0530"))
OFFSET_WEIGHTS = (85, 6, 5, 4)
DEVICE_KINDS = ("desktop", "mobile_web", "ios", "android")
DEVICE_WEIGHTS = (50, 25, 15, 10)
USER_AGENTS = {
    "desktop": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.4 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    ),
    "mobile_web": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    ),
    "ios": ("ExampleShop/3.4.1 (iPhone; iOS 17.4; Scale/3.00)",),
    "android": ("ExampleShop/3.4.0 (Linux; U; Android 14; SM-S918B Build/UP1A)",),
}
LIBRARIES = {  # (Segment, RudderStack) per device kind
    "desktop": (("analytics.js", "next-1.70.0"), ("rudder-analytics-javascript", "3.7.2")),
    "mobile_web": (("analytics.js", "next-1.70.0"), ("rudder-analytics-javascript", "3.7.2")),
    "ios": (("analytics-ios", "4.1.8"), ("rudder-analytics-ios", "1.26.0")),
    "android": (("analytics-android", "4.11.3"), ("rudder-analytics-android", "1.21.1")),
}
APP_HARDWARE = {
    "ios": (
        {"manufacturer": "Apple", "model": "iPhone15,2", "type": "ios"},
        {"name": "iOS", "version": "17.4"},
    ),
    "android": (
        {"manufacturer": "samsung", "model": "SM-S918B", "type": "android"},
        {"name": "Android", "version": "14"},
    ),
}
PRODUCT_WORDS = (
    ("Trail", "Urban", "Classic", "Aero", "Cozy", "Solar", "Nordic", "Retro"),
    ("Runner", "Backpack", "Jacket", "Mug", "Lamp", "Headphones", "Watch", "Tee"),
)
CATEGORIES = ("Footwear", "Bags", "Apparel", "Kitchen", "Home", "Audio", "Accessories")
BLOG_SLUGS = (
    "spring-sale",
    "how-we-source",
    "care-guide",
    "gift-ideas",
    "behind-the-design",
    "sustainability-report",
    "packing-list",
    "new-arrivals",
)
SEARCH_TERMS = ("running shoes", "rain jacket", "gift", "lamp", "headphones", "backpack")
EXTERNAL_REFERRERS = (
    "",
    "",
    "https://www.google.com/",
    "https://www.bing.com/",
    "https://news.ycombinator.com/",
    "https://www.instagram.com/",
    "https://mail.example.net/",
)
CAMPAIGNS = (
    ("google", "cpc", "brand_search"),
    ("facebook", "paid_social", "spring_sale"),
    ("newsletter", "email", "weekly_digest"),
)
NEXT_PAGES = ("product", "home", "blog", "search", "pricing", "cart")
NEXT_PAGE_WEIGHTS = (45, 10, 12, 10, 5, 4)
GARBAGE_LINES = (
    "HTTP/1.1 502 Bad Gateway",
    "<html><body><h1>503 Service Unavailable</h1></body>",
    "\ufffd\ufffd\u0008 corrupted gzip member",
    "undefined",
    "messageId=",
    "%7B%22messageId%22%3A",
)
BAD_TIMESTAMPS = ("n/a", "not-a-date", "undefined", "", "NaN-NaN-NaNTNaN:NaN:NaN.NaNZ", None)
