"""Northwind Goods: direct-to-consumer footwear and outdoor apparel.

Order counts are Pareto-distributed, so a few loyal shoppers hold much of the revenue. Shoppers
with flat feet search with a "flat feet" filter and lean toward supportive models; checkout events
and order lines share order ids; returns carry fit-driven reasons.

Shoppers research before they buy: in the weeks before an order, part of what they browse is the
category they are about to buy (RESEARCH_DAYS, RESEARCH_SHARE). Those views come from a random stream of
their own, so adding them changed no other row of the demo data (names, orders and tickets are the same).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from decimal import Decimal

from hyperjourney.data.ingest.rows import OrderLineRow, ProductRow
from hyperjourney.data.seed.catalog import CENT, FOOTWEAR
from hyperjourney.data.seed.timeline import DAY, HISTORY_DAYS, HOUR, created_in
from hyperjourney.data.seed.world import Order, Profile, World, to_datetime

AGE_BANDS = {"under_18": 4, "18_24": 14, "25_34": 26, "35_44": 21, "45_54": 15, "55_64": 9, "65_plus": 5, "": 6}
INTERESTS = {
    "running": {"running_shoes": 4.0, "socks": 1.5, "layers": 1.3, "insoles": 1.2},
    "hiking": {"hiking_boots": 4.0, "jackets": 1.8, "socks": 1.5, "accessories": 1.3, "camp_tools": 2.0},
    "everyday": {"walking_work_shoes": 4.0, "insoles": 2.0, "socks": 1.2},
    "outdoor": {"jackets": 3.0, "layers": 2.5, "accessories": 1.5, "camp_tools": 1.5},
}
QUERIES = {
    "running": (
        "running shoes",
        "stability running shoe",
        "trail running shoes",
        "cushioned running shoes",
        "running socks",
        "stratus",
        "marathon shoes",
        "wide running shoes",
    ),
    "hiking": ("hiking boots", "waterproof boots", "ridge hiker", "hiking socks", "gaiters", "pocket knife"),
    "everyday": ("walking shoes", "work shoes nurses", "slip resistant shoes", "wide fit shoes", "harbor walker"),
    "outdoor": ("rain jacket", "down jacket", "fleece", "waterproof jacket women", "beanie", "headlamp"),
}
FLAT_FEET_QUERIES = (
    "shoes for flat feet",
    "arch support running shoes",
    "overpronation shoes",
    "orthotic friendly shoes",
    "flat feet walking shoes",
    "stability shoes",
    "insoles",
)
FEATURE_FILTERS = ("waterproof", "wide fit", "orthotic friendly", "trail", "lightweight", "slip resistant")
PAGES = (
    "/",
    "/",
    "/sale",
    "/new-arrivals",
    "/collections/running",
    "/collections/hiking",
    "/collections/work",
    "/guides/footwear-fit",
    "/trail-club",
    "/returns",
)
CAMPAIGNS = (
    "bf-early-access",
    "spring-running",
    "flat-feet-fit-guide",
    "new-arrivals",
    "win-back",
    "trail-club-offer",
    "back-in-stock",
    "holiday-gift-guide",
)
RESEARCH_DAYS = 45.0
RESEARCH_SHARE = 0.8  # share of product views in that window that look at the coming order's categories
_RETURN_REASONS = {
    "footwear": (
        ("too small", 30),
        ("too large", 28),
        ("defective", 10),
        ("changed mind", 22),
        ("not as pictured", 10),
    ),
    "small_fit": (("too small", 55), ("too large", 12), ("defective", 8), ("changed mind", 20), ("not as pictured", 5)),
    "apparel": (("too small", 25), ("too large", 25), ("defective", 12), ("changed mind", 30), ("not as pictured", 8)),
    "other": (("defective", 40), ("changed mind", 50), ("not as pictured", 10)),
}
_RETURN_RATE = {
    "running_shoes": 0.14,
    "hiking_boots": 0.16,
    "walking_work_shoes": 0.12,
    "jackets": 0.1,
    "layers": 0.08,
    "insoles": 0.06,
    "socks": 0.01,
    "accessories": 0.04,
    "camp_tools": 0.01,
}


class Shop:
    """Shoppers, their sessions and orders, drawn against one catalog."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.products = world.catalog.products
        self._weights: dict[tuple[str, bool, bool], list[float]] = {}
        self._research = random.Random(f"{world.seed}/research")
        self._by_category: dict[str, list[ProductRow]] = {}
        for product in self.products:
            self._by_category.setdefault(product.category, []).append(product)
        self._ordered: dict[str, list[tuple[float, list[str]]]] = {}  # customer -> (time, line categories)

    def build(self, n: int) -> None:
        world, rng = self.world, self.world.rng
        for _ in range(n):
            place = world.people.place()
            person = world.people.person(place, phone_share=0.6)
            person.age_band = rng.choices(list(AGE_BANDS), weights=list(AGE_BANDS.values()))[0] or None
            person.cookie_id = world.people.token("ck") if rng.random() < 0.9 else None
            person.device_id = world.people.token("dev") if rng.random() < 0.35 else None
            if rng.random() < 0.35:  # customers from before the event history
                created = world.clock.sample("shop", place.utc_offset, world.start - 600 * DAY, world.start)
            else:
                created = created_in(world.clock, "shop", place.utc_offset, HISTORY_DAYS, 1.0)
            profile = world.new_profile("shop", person, created, world.life(created, churn=0.22, risk=0.1))
            interest = rng.choices(list(INTERESTS), weights=(35, 25, 25, 15))[0]
            profile.traits = {"interest": interest, "flat_feet": rng.random() < 0.14}
            profile.attributes = {
                "segment": "dtc",
                "product": "goods",
                "interest": interest,
                "trail_club": rng.random() < 0.2,
                "app_user": profile.app_user,
            }
            if profile.traits["flat_feet"] and rng.random() < 0.5:
                profile.attributes["fit_quiz"] = "flat_feet"
            world.emit(profile, "page_view", profile.created, "web", page=rng.choice(PAGES), first_visit=True)
            buyer = rng.random() < (0.35 if profile.minor else 0.62)
            if buyer:
                self.orders_for(profile, min(int(rng.paretovariate(1.25)), 60))

    def finish(self, profile: Profile) -> None:
        """Lifecycle once all activity is known: buyers by recency, browsers by how far they got."""
        if profile.orders:
            profile.stage = {"steady": "active", "at_risk": "at_risk", "churned": "churned"}[profile.state]
        else:
            profile.stage = "prospect" if profile.traits.get("carted") else "lead"

    def orders_for(self, profile: Profile, count: int) -> None:
        """``count`` orders inside the profile's life (fewer for short lives), each with its checkout session."""
        world, rng = self.world, self.world.rng
        life_days = (profile.end - max(profile.created, world.start)) / DAY
        count = max(1, min(count, 1 + int(life_days / 6)))
        times = sorted(world.when(profile) for _ in range(count))
        whale = rng.lognormvariate(0, 0.6)
        for t in times:
            lines = 1 + min(int(rng.expovariate(1.6) * whale), 6)
            picks = self._pick(profile, lines)
            self._order(profile, t, picks)
            self._ordered.setdefault(profile.customer_id, []).append((t, [p.category for p in picks]))

    def _pick(self, profile: Profile, k: int) -> list[ProductRow]:
        rng, traits = self.world.rng, profile.traits
        key = (traits["interest"], bool(traits["flat_feet"]), profile.minor)
        if key not in self._weights:
            boost = dict(INTERESTS[key[0]])
            if key[1]:
                boost.update({"flat_feet": 4.0, "insoles": 2.5})
            self._weights[key] = self.world.catalog.cum_weights(boost, adults_only_ok=not key[2])
        picks = rng.choices(self.products, cum_weights=self._weights[key], k=k)
        return list({p.product_id: p for p in picks}.values())

    def _researched(self, profile: Profile, viewed: list[ProductRow], t: float) -> list[ProductRow]:
        """Views at ``t``, some swapped for products of the categories of an order coming within RESEARCH_DAYS."""
        orders = self._ordered.get(profile.customer_id, [])
        i = bisect_right(orders, t, key=lambda o: o[0])
        if i == len(orders) or orders[i][0] - t > RESEARCH_DAYS * DAY:
            return viewed
        rng, coming = self._research, orders[i][1]
        return [
            rng.choice(self._by_category[rng.choice(coming)]) if rng.random() < RESEARCH_SHARE else product
            for product in viewed
        ]

    def _order(self, profile: Profile, t: float, picks: list[ProductRow]) -> None:
        world, rng = self.world, self.world.rng
        order_id, cart_id = world.next_id("ord", 6), world.next_id("cart", 7)
        channel = "app" if profile.app_user and rng.random() < 0.5 else "web"
        step = t - rng.uniform(8, 40) * 60
        gap = (t - step) / (len(picks) + 1)
        if rng.random() < 0.45:
            world.emit(profile, "search", step, channel, **self._search(profile))
        for product in picks:
            step += gap
            world.emit(profile, "product_view", step, channel, product_id=product.product_id, category=product.category)
            world.emit(
                profile,
                "added_to_cart",
                step + gap * rng.uniform(0.2, 0.8),
                channel,
                cart_id=cart_id,
                product_id=product.product_id,
            )
        world.emit(profile, "checkout", t, channel, cart_id=cart_id, order_id=order_id)
        profile.first_order = min(profile.first_order or t, t)

        cancelled = rng.random() < 0.03
        delivered: float | None = t + rng.uniform(1.5, 8) * DAY
        status = "cancelled" if cancelled else "delivered"
        if cancelled:
            delivered = None
        elif delivered is not None and delivered >= world.anchor:
            status, delivered = ("shipped" if world.anchor - t > DAY else "placed"), None
        sale = world.clock.black_friday(t)
        items: list[tuple[str, int, Decimal]] = []
        fully_returned = partly_returned = 0
        for line_no, product in enumerate(picks, start=1):
            quantity = rng.choice((1, 1, 2, 3)) if product.category == "socks" else (2 if rng.random() < 0.06 else 1)
            price = (product.price * Decimal("0.8")).quantize(CENT) if sale else product.price
            returned = self._return(product, quantity, delivered) if status == "delivered" else None
            if returned:
                fully_returned += returned[0] == quantity
                partly_returned += returned[0] < quantity
            world.order_lines.append(
                OrderLineRow(
                    order_id=order_id,
                    line_no=line_no,
                    customer_id=profile.customer_id,
                    ordered_at=to_datetime(t),
                    status=status,
                    delivered_at=to_datetime(delivered) if delivered else None,
                    product_id=product.product_id,
                    quantity=quantity,
                    unit_price=price,
                    returned_quantity=returned[0] if returned else None,
                    return_reason=returned[1] if returned else None,
                    returned_at=to_datetime(returned[2]) if returned else None,
                )
            )
            items.append((product.name, quantity, price))
        if fully_returned or partly_returned:
            status = "returned" if fully_returned == len(picks) else "partially_returned"
            self._restatus(order_id, status)
        if delivered is not None:
            world.emit(profile, "order_delivered", delivered, "system", order_id=order_id)
        profile.orders.append(Order(order_id, t, delivered, status, items))

    def _restatus(self, order_id: str, status: str) -> None:
        """Order status is a header field: once returns are known, every line of the order carries it."""
        lines = self.world.order_lines
        i = len(lines) - 1
        while i >= 0 and lines[i].order_id == order_id:
            lines[i] = lines[i].model_copy(update={"status": status})
            i -= 1

    def _return(self, product: ProductRow, quantity: int, delivered: float | None) -> tuple[int, str, float] | None:
        rng = self.world.rng
        if delivered is None or rng.random() > _RETURN_RATE[product.category]:
            return None
        when = delivered + rng.uniform(1, 30) * DAY
        if when >= self.world.anchor:
            return None
        if product.category in FOOTWEAR:
            kind = "small_fit" if product.attributes.get("fit") == "runs_small" else "footwear"
        else:
            kind = "apparel" if product.category in ("jackets", "layers") else "other"
        reasons = _RETURN_REASONS[kind]
        reason = rng.choices([r for r, _ in reasons], weights=[w for _, w in reasons])[0]
        return (quantity if quantity == 1 or rng.random() < 0.6 else rng.randrange(1, quantity)), reason, when

    def _search(self, profile: Profile) -> dict[str, object]:
        rng, traits = self.world.rng, profile.traits
        if traits["flat_feet"] and rng.random() < 0.65:
            return {"query": rng.choice(FLAT_FEET_QUERIES), "filters": {"feature": "flat feet"}}
        query = rng.choice(QUERIES[traits["interest"]])
        r = rng.random()
        if r < 0.35:
            return {"query": query, "filters": {}}
        if r < 0.6:
            return {"query": query, "filters": {"feature": rng.choice(FEATURE_FILTERS)}}
        if r < 0.8:
            return {
                "query": query,
                "filters": {"size": rng.choice(("8", "8.5", "9", "9.5", "10", "10.5", "11", "M", "L"))},
            }
        return {"query": query, "filters": {"max_price": rng.choice((50, 100, 150))}}

    def fill(self, profile: Profile, n: int) -> int:
        """Browsing sessions, abandoned carts and marketing touches on consented channels."""
        world, rng, made = self.world, self.world.rng, 0
        for _ in range(3 * n):
            if made >= n:
                break
            r = rng.random()
            if r < 0.22 and (got := world.email_touch(profile, CAMPAIGNS)):
                made += got
            elif r < 0.3 and (t := world.reachable(profile, profile.push_windows)) is not None:
                made += world.emit(profile, "push_open", t, "push", campaign=rng.choice(CAMPAIGNS))
            elif r < 0.34 and (t := world.reachable(profile, profile.sms_windows)) is not None:
                made += world.emit(profile, "sms_click", t, "sms", campaign=rng.choice(CAMPAIGNS))
            else:
                made += self._session(profile, n - made)
        return made

    def _session(self, profile: Profile, budget: int) -> int:
        world, rng = self.world, self.world.rng
        t = world.when(profile)
        channel = "app" if profile.app_user and rng.random() < 0.5 else "web"
        plan: list[tuple[str, float, dict[str, object]]] = [("page_view", t, {"page": rng.choice(PAGES)})]
        if rng.random() < 0.4:
            plan.append(("search", t + rng.uniform(5, 60), self._search(profile)))
        viewed = self._researched(profile, self._pick(profile, rng.choice((1, 1, 2, 3, 4))), t)
        for product in viewed:
            t += rng.uniform(20, 240)
            plan.append(("product_view", t, {"product_id": product.product_id, "category": product.category}))
        if rng.random() < 0.22:
            cart_id = world.next_id("cart", 7)
            plan.append(("added_to_cart", t + 40, {"cart_id": cart_id, "product_id": viewed[-1].product_id}))
            profile.traits["carted"] = True
            if rng.random() < 0.85:
                plan.append(("cart_abandoned", t + rng.uniform(1, 6) * HOUR, {"cart_id": cart_id}))
        made = 0
        for kind, ts, props in plan[:budget]:
            made += world.emit(profile, kind, ts, channel if kind != "cart_abandoned" else "system", **props)
        return made
