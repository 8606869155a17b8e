"""The synthetic demo tenant: deterministic, referentially whole, and carrying the patterns demos rely on."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest

from hyperjourney.data.identities import identities_of
from hyperjourney.data.seed.generator import DEMO_ANCHOR, DemoData, generate
from hyperjourney.data.seed.tickets import INTENTS, SENTIMENTS

SMALL = {"customers": 500, "events": 20_000, "tickets": 100}


@pytest.fixture(scope="module")
def small() -> DemoData:
    return generate(**SMALL)


@pytest.fixture(scope="module")
def many_tickets() -> DemoData:
    return generate(seed=11, customers=800, events=8_000, tickets=1000)


def test_same_arguments_same_rows_and_other_seed_differs(small: DemoData) -> None:
    assert generate(**SMALL) == small
    other = generate(seed=8, **SMALL)
    assert other.customers != small.customers
    assert other.events != small.events


def test_counts_within_tolerance(small: DemoData) -> None:
    assert len(small.customers) == SMALL["customers"]
    assert abs(len(small.events) - SMALL["events"]) <= 0.02 * SMALL["events"]
    per_ticket = Counter(m.ticket_id for m in small.ticket_messages)
    assert len(per_ticket) == SMALL["tickets"]
    assert set(per_ticket.values()) <= {1, 2, 3, 4}
    assert 120 <= len(small.products) <= 200


def test_ids_are_unique_and_references_resolve(small: DemoData) -> None:
    customers = {c.customer_id for c in small.customers}
    products = {p.product_id for p in small.products}
    assert len(customers) == len(small.customers)
    assert len(products) == len(small.products)
    assert len({e.event_id for e in small.events}) == len(small.events)
    assert len({(o.order_id, o.line_no) for o in small.order_lines}) == len(small.order_lines)
    assert len({m.message_id for m in small.ticket_messages}) == len(small.ticket_messages)
    assert {e.customer_id for e in small.events} <= customers
    assert {o.customer_id for o in small.order_lines} <= customers
    assert {o.product_id for o in small.order_lines} <= products
    assert {m.customer_id for m in small.ticket_messages} <= customers
    assert {c.customer_id for c in small.consents} <= customers
    checkouts = {e.properties["order_id"] for e in small.events if e.type == "checkout"}
    assert checkouts == {o.order_id for o in small.order_lines}


def test_everything_happens_before_the_anchor_and_after_signup(small: DemoData) -> None:
    created = {c.customer_id: c.created_at for c in small.customers}
    assert all(created[e.customer_id] <= e.ts < DEMO_ANCHOR for e in small.events)
    assert min(e.ts for e in small.events) >= DEMO_ANCHOR - timedelta(days=541)
    assert all(m.sent_at < DEMO_ANCHOR for m in small.ticket_messages)
    assert all(c.captured_at < DEMO_ANCHOR for c in small.consents)
    for line in small.order_lines:
        assert line.ordered_at < DEMO_ANCHOR
        if line.delivered_at:
            assert line.ordered_at < line.delivered_at < DEMO_ANCHOR
        if line.returned_quantity:
            assert line.return_reason and line.returned_at and line.delivered_at < line.returned_at < DEMO_ANCHOR


def test_order_status_is_one_per_order_and_matches_its_lines(small: DemoData) -> None:
    orders = defaultdict(list)
    for line in small.order_lines:
        orders[line.order_id].append(line)
    statuses: Counter[str] = Counter()
    for lines in orders.values():
        assert len({line.status for line in lines}) == 1
        status = lines[0].status
        statuses[status] += 1
        returned = [line for line in lines if line.returned_quantity]
        fully = all(line.returned_quantity == line.quantity for line in lines)
        if status == "returned":
            assert fully
        elif status == "partially_returned":
            assert returned and not fully
        else:
            assert not returned
    assert {"delivered", "returned", "partially_returned"} <= set(statuses)


def test_duplicate_profiles_share_an_identifier_spelled_differently(small: DemoData) -> None:
    holders: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for customer in small.customers:
        for kind, normalized, raw in identities_of(customer):
            holders[kind, normalized].add((customer.customer_id, raw))
    shared = {key: found for key, found in holders.items() if len({cid for cid, _ in found}) > 1}
    respelled = [key for key, found in shared.items() if len({raw for _, raw in found}) > 1]
    assert respelled, "no duplicate that a naive exact join would miss"
    linked = {cid for found in shared.values() for cid, _ in found}
    assert 0.03 * len(small.customers) <= len(linked) / 2 <= 0.07 * len(small.customers)


def test_customers_are_fictional_and_well_formed(small: DemoData) -> None:
    for customer in small.customers:
        assert customer.email
        domain = customer.email.rsplit("@", 1)[1].lower()
        assert domain in {"example.com", "example.org", "example.net"} or domain.endswith(".example")
        if customer.phone:
            assert "555" in customer.phone or "7700" in customer.phone
    regions = Counter(c.region for c in small.customers)
    assert set(regions) == {"us", "eu", "uk", "apac"}
    assert {"es", "de", "fr"} <= {c.language for c in small.customers}
    segments = Counter(c.attributes["segment"] for c in small.customers)
    assert segments["b2b"] == pytest.approx(0.3 * len(small.customers), rel=0.15)
    assert segments["dtc"] == pytest.approx(0.4 * len(small.customers), rel=0.15)
    b2b = [c for c in small.customers if c.attributes["segment"] == "b2b"]
    assert all(c.account_id and c.account_id.startswith("acct_") for c in b2b)
    assert all(c.crm_id for c in b2b if "signup_source" not in c.attributes)  # badge-scan duplicates lack one
    assert any(c.industry == "fintech" and c.job_title == "CFO" for c in b2b)


def test_minors_exist_and_never_get_marketing_consent(small: DemoData) -> None:
    minors = {c.customer_id for c in small.customers if c.age_band == "under_18"}
    assert minors
    assert not [r for r in small.consents if r.customer_id in minors and r.purpose == "marketing"]


def test_consent_histories_vary(small: DemoData) -> None:
    with_records = {r.customer_id for r in small.consents}
    assert len(with_records) < len(small.customers), "some customers have no consent records at all"
    history = defaultdict(list)
    for row in small.consents:
        history[row.customer_id, row.channel, row.purpose].append(row)
    withdrawn_after_grant = [
        rows for rows in history.values() if sorted(rows, key=lambda r: r.captured_at)[-1].status == "withdrawn"
    ]
    assert withdrawn_after_grant
    sources = {r.source for r in small.consents}
    assert {"signup_form", "double_opt_in", "checkout"} <= sources
    assert {r.channel for r in small.consents} >= {"email", "sms", "push"}


def test_pricing_view_follows_whitepaper_on_the_same_account(small: DemoData) -> None:
    account = {c.customer_id: c.account_id for c in small.customers}
    downloaded: set[str | None] = set()
    for event in small.events:  # events come in time order
        if event.type == "whitepaper_download":
            downloaded.add(account[event.customer_id])
        elif event.properties.get("page") == "/pricing" and account[event.customer_id] in downloaded:
            return
    pytest.fail("no pricing page view after a whitepaper download on the same account")


def test_flat_feet_search_filter_appears(small: DemoData) -> None:
    searches = [e for e in small.events if e.type == "search"]
    assert any(e.properties["filters"].get("feature") == "flat feet" for e in searches)


def test_spend_is_heavy_tailed(small: DemoData) -> None:
    revenue: Counter[str] = Counter()
    for line in small.order_lines:
        revenue[line.customer_id] += float(line.unit_price * line.quantity)
    values = sorted(revenue.values(), reverse=True)
    top = values[: max(1, len(values) // 10)]
    assert sum(top) / sum(values) > 0.35
    assert all(p.price == p.price.quantize(Decimal("0.01")) for p in small.products)
    assert any(p.age_gated for p in small.products) and any(p.inventory == 0 for p in small.products)


def test_tickets_cover_every_intent_and_sentiment(many_tickets: DemoData) -> None:
    headers = {m.ticket_id: m for m in many_tickets.ticket_messages}
    assert len(headers) == 1000
    labels = [m.labels for m in headers.values()]
    assert {label["intent"] for label in labels} == set(INTENTS)
    assert {label["sentiment"] for label in labels} == set(SENTIMENTS)
    assert 0.01 <= sum(label["injection"] for label in labels) / len(labels) <= 0.06
    assert any(label["escalate"] for label in labels) and any(label["pii"] for label in labels)
    languages = Counter(m.language for m in headers.values())
    assert {"es", "de", "fr"} <= set(languages) and 0.02 <= 1 - languages["en"] / 1000 <= 0.09
    first = {m.ticket_id: m for m in reversed(many_tickets.ticket_messages)}
    assert all(m.author == "customer" for m in first.values())
    assert any("4111" in m.body for m in many_tickets.ticket_messages)
