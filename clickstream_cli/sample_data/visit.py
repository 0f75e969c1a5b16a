"""One session's events: page views (screens in apps), the funnel, identify/alias/group."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from random import Random

from clickstream.contract import CHECKOUT_STARTED, ORDER_COMPLETED, PRODUCT_ADDED, PRODUCT_VIEWED
from clickstream_cli.sample_data.sessions import Session
from clickstream_cli.sample_data.vocabulary import (
    BLOG_SLUGS,
    CAMPAIGNS,
    EXTERNAL_REFERRERS,
    INDUSTRIES,
    MAX_STEP_MS,
    MIN_STEP_MS,
    NEXT_PAGE_WEIGHTS,
    NEXT_PAGES,
    SEARCH_TERMS,
    SECOND_MS,
    SITE,
)


class Visit:
    """One session's events: page views (screens in apps), the funnel, identify."""

    def __init__(self, rng: Random, session: Session, catalogue: list[dict], emails: set[str]):
        self.rng, self.session, self.catalogue, self.emails = rng, session, catalogue, emails
        self.user, self.device = session.user, session.device
        self.user_id = self.user.user_id if session.identified else None
        self.base_context = {**self.device.context, "ip": self.user.ip}
        self.context = self.base_context
        self.cart: list[dict] = []
        self.product: dict | None = None
        self.url = self.rng.choice(EXTERNAL_REFERRERS)
        self.search_term = SEARCH_TERMS[0]

    def events(self) -> Iterator[tuple[int, dict]]:
        """Endless (event time in epoch ms, event); the caller takes ``budget`` of them."""
        session, steps = self.session, self._browse()
        t, n = session.start_ms, 0
        while True:
            items = self._identify() if n == session.identify_at else (next(steps),)
            for gap, event in items:
                t += gap if n else 0
                event["anonymousId"] = self.device.anonymous_id
                if self.user_id:
                    event["userId"] = self.user_id
                event.setdefault("context", self.context)
                yield t, event
                n += 1

    def _step(self) -> int:
        return min(MAX_STEP_MS, MIN_STEP_MS + int(self.rng.expovariate(1 / 70_000)))

    def _track_step(self) -> int:
        return MIN_STEP_MS + int(self.rng.random() * 25 * SECOND_MS)

    def _browse(self) -> Iterator[tuple[int, dict]]:
        rng = self.rng
        page = rng.choices(("home", "product", "blog", "pricing"), (40, 30, 20, 10))[0]
        landing = True
        while True:
            yield self._step(), self._view(page, landing)
            landing, forced = False, None
            for event, then in self._tracks(page):
                yield self._track_step(), event
                forced = then or forced
            page = forced or rng.choices(NEXT_PAGES, NEXT_PAGE_WEIGHTS)[0]
            if page == "cart" and not self.cart and rng.random() < 0.5:
                page = "product"

    def _tracks(self, page: str) -> Iterator[tuple[dict, str | None]]:
        """Track events a page leads to, each with the page it forces next (or None)."""
        rng = self.rng
        if page == "product" and rng.random() < 0.85:
            product = self.product
            assert product is not None  # _view() chose it when it rendered this product page
            yield _track(PRODUCT_VIEWED, {**product, "currency": "USD"}), None
            if rng.random() < 0.3:
                item = {**product, "quantity": rng.randint(1, 3)}
                self.cart.append(item)
                yield (
                    _track(PRODUCT_ADDED, {**item, "currency": "USD"}),
                    ("cart" if rng.random() < 0.5 else None),
                )
        elif page == "cart" and self.cart and rng.random() < 0.5:
            yield (
                _track(
                    CHECKOUT_STARTED,
                    {"value": _total(self.cart), "currency": "USD", "products": self.cart},
                ),
                "checkout",
            )
        elif page == "checkout" and self.cart and rng.random() < 0.65:
            yield _track(ORDER_COMPLETED, self._order()), "complete"
            self.cart = []
        elif page == "search" and rng.random() < 0.7:
            yield _track("Products Searched", {"query": self.search_term}), None

    def _order(self) -> dict:
        revenue = _total(self.cart)
        return {
            "order_id": f"ord_{self.rng.getrandbits(48):012x}",
            # Some SDK integrations send the amount as a string.
            "revenue": f"{revenue:.2f}" if self.rng.random() < 0.02 else revenue,
            "currency": "USD",
            "products": self.cart,
        }

    def _view(self, page: str, landing: bool) -> dict:
        path, title = self._path(page)
        if self.device.app:
            return {"type": "screen", "name": title, "properties": {"name": title}}
        query, campaign = self._query(page, landing)
        url = f"{SITE}{path}{query}"
        props = {"path": path, "referrer": self.url, "search": query, "title": title, "url": url}
        self.context = {**self.base_context, "page": props}
        if campaign:
            self.context["campaign"] = campaign
        self.url = url
        return {
            "type": "page",
            "name": title.split(" | ")[0],
            "properties": props,
            "context": self.context,
        }

    def _path(self, page: str) -> tuple[str, str]:
        rng = self.rng
        if page == "product":
            self.product = rng.choice(self.catalogue)
            return f"/products/{self.product['product_id']}", f"{self.product['name']} | Shop"
        if page == "blog":
            slug = rng.choice(BLOG_SLUGS)
            return f"/blog/{slug}", f"{slug.replace('-', ' ').title()} | Blog"
        if page == "search":
            self.search_term = rng.choice(SEARCH_TERMS)
        simple = {
            "home": ("/", "Home"),
            "search": ("/search", "Search"),
            "pricing": ("/pricing", "Pricing"),
            "cart": ("/cart", "Cart"),
            "checkout": ("/checkout", "Checkout"),
            "complete": ("/checkout/complete", "Order Confirmation"),
        }
        path, title = simple[page]
        return path, f"{title} | Shop"

    def _query(self, page: str, landing: bool) -> tuple[str, dict | None]:
        """Query string and campaign; links in emails may carry the address or the user id."""
        rng = self.rng
        if page == "search":
            return "?q=" + self.search_term.replace(" ", "+"), None
        if landing and rng.random() < 0.25:
            source, medium, name = rng.choice(CAMPAIGNS)
            query = f"?utm_source={source}&utm_medium={medium}&utm_campaign={name}"
            if source == "newsletter" and self.user.kind != "anonymous" and rng.random() < 0.5:
                query += f"&email={self.user.email}"
                self.emails.add(self.user.email)
            return query, {"source": source, "medium": medium, "name": name}
        if self.user_id and rng.random() < 0.01:
            return f"?uid={self.user_id}", None
        return "", None

    def _identify(self) -> list[tuple[int, dict]]:
        """identify (Segment: top-level traits; RudderStack: context.traits), maybe alias/group."""
        rng, user, now = self.rng, self.user, self.session.start_ms
        converting, self.user_id = self.user_id is None, user.user_id
        email = user.email if rng.random() < 0.75 else rng.choice(user.email_spellings[1:])
        self.emails.add(email)
        traits = {
            "email": email,
            "name": user.name,
            "plan": user.plan_at(now),
            "country": user.country_at(now),
            "language": self.device.context["locale"],
        }
        if user.company:
            traits["company"] = user.company
        identify: dict = {"type": "identify"}
        if self.device.rudder:
            identify["context"] = {**self.context, "traits": traits}
        else:
            identify["traits"] = traits
        items = [(self._track_step(), identify)]
        if converting and rng.random() < 0.3:
            alias = {"type": "alias", "previousId": self.device.anonymous_id}
            items.append((self._track_step(), alias))
        if user.company and rng.random() < 0.1:
            group = {
                "type": "group",
                "groupId": f"grp_{zlib.crc32(user.company.encode()):08x}",
                "traits": {"name": user.company, "industry": rng.choice(INDUSTRIES)},
            }
            items.append((self._track_step(), group))
        return items


def _track(name: str, properties: dict) -> dict:
    return {"type": "track", "event": name, "properties": properties}


def _total(cart: list[dict]) -> float:
    return round(sum(item["price"] * item["quantity"] for item in cart), 2)
