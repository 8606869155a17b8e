"""The demo world of Northwind Cloud & Goods, generated deterministically from a seed.

Stories come first (funnels, teams, orders, planted duplicates), then consent histories, then
free-running activity fills the event budget in each customer's active, consented time. Nothing
reads the wall clock or the global RNG, so the same arguments always give the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter

from hyperjourney.data.ingest.rows import (
    ConsentRow,
    CustomerRow,
    EventRow,
    OrderLineRow,
    ProductRow,
    TicketMessageRow,
)
from hyperjourney.data.seed import b2b, consents, duplicates, plg
from hyperjourney.data.seed.shop import Shop
from hyperjourney.data.seed.tickets import build as build_tickets
from hyperjourney.data.seed.timeline import DAY
from hyperjourney.data.seed.world import Profile, World, to_datetime

DEMO_ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)  # "now" of the demo world; all data is before it
PATTERN_SHARE = {"b2b": 0.3, "plg": 0.3}  # the rest are shoppers
DUPLICATE_SHARE = 0.04
# Relative event rates: product users log in daily, B2B contacts mostly read email and the site.
_FILL_RATE = {"b2b": 0.7, "plg": 1.5, "shop": 1.0}


@dataclass(frozen=True)
class DemoData:
    customers: list[CustomerRow]
    events: list[EventRow]
    products: list[ProductRow]
    order_lines: list[OrderLineRow]
    ticket_messages: list[TicketMessageRow]
    consents: list[ConsentRow]


def generate(
    *,
    seed: int = 7,
    customers: int = 5000,
    events: int = 250_000,
    tickets: int = 1000,
    anchor: datetime = DEMO_ANCHOR,
    progress: Callable[[str, int], None] | None = None,
) -> DemoData:
    """Customers (duplicates included), about ``events`` events (exactly, unless the stories alone need more)."""
    if anchor.utcoffset() is None:
        raise ValueError("anchor must be timezone-aware")
    if customers < 3:
        raise ValueError("customers must be at least 3: one per business")
    report = progress or (lambda stage, n: None)
    world = World(seed, anchor)
    report("products", len(world.catalog.products))

    n_duplicates = round(customers * DUPLICATE_SHARE) if customers >= 25 else 0
    base = customers - n_duplicates
    n_b2b, n_plg = (max(1, round(base * PATTERN_SHARE[p])) for p in ("b2b", "plg"))
    b2b.build(world, n_b2b)
    plg.build(world, n_plg)
    shop = Shop(world)
    shop.build(base - n_b2b - n_plg)
    duplicates.plant(world, n_duplicates, shop)
    report("customers", len(world.profiles))

    consent_rows = consents.build(world)
    report("consents", len(consent_rows))
    _fill(world, shop, events - len(world.events))
    for profile in world.profiles:
        if profile.pattern == "shop":
            shop.finish(profile)
    _settle_stages(world)
    event_rows = _event_rows(world)
    report("events", len(event_rows))
    report("orders", len(world.order_lines))
    ticket_rows = build_tickets(world, tickets)
    report("tickets", len(ticket_rows))
    return DemoData(
        customers=[p.row() for p in world.profiles],
        events=event_rows,
        products=world.catalog.products,
        order_lines=world.order_lines,
        ticket_messages=ticket_rows,
        consents=consent_rows,
    )


def _fill(world: World, shop: Shop, budget: int) -> None:
    """Spread the remaining event budget over customers by activity and active time; top up any shortfall."""
    fillers: dict[str, Callable[[Profile, int], int]] = {
        "b2b": lambda p, n: b2b.fill(world, p, n),
        "plg": lambda p, n: plg.fill(world, p, n),
        "shop": shop.fill,
    }
    profiles = world.profiles
    weights = [
        p.weight * _FILL_RATE[p.pattern] * ((p.end - max(p.created, world.start)) / DAY + 1) ** 0.6 for p in profiles
    ]
    for _ in range(4):
        if budget <= 0:
            return
        shares = apportion(budget, weights)
        budget -= sum(fillers[p.pattern](p, k) for p, k in zip(profiles, shares, strict=True) if k)


# Events the customer did not choose to do: they say nothing about engagement.
_PASSIVE = {"unsubscribe", "order_delivered", "cart_abandoned"}


def _settle_stages(world: World) -> None:
    """Customers and triallists with no engagement in 45 days are at risk, whatever their story said."""
    last: dict[str, float] = {}
    for ts, customer_id, kind, _, _ in world.events:
        if kind not in _PASSIVE and ts > last.get(customer_id, 0.0):
            last[customer_id] = ts
    for p in world.profiles:
        if p.stage in ("active", "trial") and last.get(p.customer_id, 0.0) < world.anchor - 45 * DAY:
            p.stage = "at_risk"


def apportion(total: int, weights: list[float]) -> list[int]:
    """Integer shares of ``total`` proportional to ``weights`` that add up exactly (largest remainder)."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    shares = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: shares[i] - raw[i])
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _event_rows(world: World) -> list[EventRow]:
    world.events.sort(key=itemgetter(0))
    return [
        EventRow(
            event_id=f"ev_{i:09d}",
            customer_id=customer_id,
            type=kind,
            ts=to_datetime(ts),
            channel=channel,
            properties=props,
        )
        for i, (ts, customer_id, kind, channel, props) in enumerate(world.events, start=1)
    ]
