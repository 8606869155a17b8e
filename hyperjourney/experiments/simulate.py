"""Two simulated weeks on a tenant: the three shipped journeys run live on synthetic triggers, actions go out
through the outbox (dry-run sink unless channels are configured), customers respond, and the outcomes flow
back for the readout. Natural behaviour is drawn for everyone before the arm is known, so the holdout
comparison measures exactly the simulated treatment effect."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from psycopg.types.json import Jsonb
from pydantic import BaseModel

from hyperjourney.channels.adapters import Adapter
from hyperjourney.channels.dispatcher import Dispatcher
from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.experiments.attribution import attribute
from hyperjourney.journeys.launch import JourneyPlan, launch_plan
from hyperjourney.journeys.runner import JourneyRunner, RunStats
from hyperjourney.nba.policy_port import PolicyPort
from hyperjourney.nba.rank import next_best_action
from hyperjourney.settings import ChannelSettings

SIM_KEY = "demo_simulation"
JOURNEYS = ("cart-abandon", "plg-milestone", "b2b-pricing-intent")
CLICK_LIFT = {"fit": 1.6, "social_proof": 1.4, "roi": 1.3}
Event = tuple[datetime, str, str, str, dict[str, Any]]  # ts, event_id, customer, type, properties


class SimulationReport(BaseModel):
    days: int
    triggers: int
    runner: RunStats
    delivered: int
    refused: int
    outcomes: dict[str, int]
    nba_decisions: int


def already_simulated(db: Database, tenant: str) -> bool:
    with db.tenant(tenant) as conn:
        return conn.execute("SELECT 1 FROM tenant_settings WHERE key = %s", (SIM_KEY,)).fetchone() is not None


def simulate(
    db: Database,
    tenant: str,
    adapters: dict[str, Adapter],
    *,
    start: datetime,
    days: int = 14,
    seed: int = 11,
    carts_per_day: int = 50,
    step_hours: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationReport:
    rng = random.Random(seed)
    for journey in JOURNEYS:
        launch_plan(db, tenant, JourneyPlan(plan_id=f"demo-{journey}", template=journey, approved_by="demo"),
                    now=start)  # fmt: skip
    shop, plg, b2b, products = _populations(db, tenant)
    queue: list[Event] = []
    n = 0

    def push(ts: datetime, customer: str, type_: str, **props: Any) -> None:
        nonlocal n
        n += 1
        heapq.heappush(queue, (ts, f"sim-{seed}-{n}", customer, type_, props))

    hours = days * 24
    for day in range(days):
        for _ in range(carts_per_day if shop else 0):
            t = start + timedelta(days=day, hours=rng.uniform(7, 23))
            customer, (pid, price) = rng.choice(shop), rng.choice(products)
            cart = f"simcart-{seed}-{n}"
            push(t, customer, "added_to_cart", cart_id=cart, product_id=pid)
            if rng.random() < 0.3:
                push(t + timedelta(hours=rng.uniform(0.2, 3)), customer, "checkout", cart_id=cart, revenue=price)
            elif rng.random() < 0.08:
                push(t + timedelta(hours=rng.uniform(5, 60)), customer, "checkout", cart_id=cart, revenue=price)
        for _ in range(10 if plg else 0):
            t = start + timedelta(days=day, hours=rng.uniform(8, 20))
            customer = rng.choice(plg)
            push(t, customer, "usage_milestone", milestone="first_board")
            if rng.random() < 0.05:
                push(t + timedelta(days=rng.uniform(1, 10)), customer, "upgrade", revenue=480.0)
        for _ in range(8 if b2b else 0):
            t = start + timedelta(days=day, hours=rng.uniform(8, 18))
            customer = rng.choice(b2b)
            push(t - timedelta(days=rng.uniform(1, 5)), customer, "whitepaper_download", asset="close-faster")
            push(t, customer, "page_view", page="/pricing")
            if rng.random() < 0.12:
                push(t + timedelta(days=rng.uniform(1, 10)), customer, "meeting_booked", meeting_type="discovery")
    triggers = len(queue)
    runner = JourneyRunner(db, tenant, use_models=False)
    dispatcher = Dispatcher(db, tenant, adapters, ChannelSettings(workers=4))
    total, delivered, refused, seen = RunStats(), 0, 0, 0
    for h in range(0, hours + step_hours, step_hours):
        until = start + timedelta(hours=h)
        due: list[Event] = []
        while queue and queue[0][0] < until:
            due.append(heapq.heappop(queue))
        _insert(db, tenant, due)
        total.add(runner.tick(until))
        sent = dispatcher.run(drain=False)
        delivered, refused = delivered + sent.delivered, refused + sent.refused
        if sent.delivered:
            seen = _respond(db, tenant, seen, rng, push)
        if progress is not None:
            progress(min(h, hours), hours)
    _insert(db, tenant, [e for e in queue if e[0] <= start + timedelta(days=days + 3)])
    credited = attribute(db, tenant)
    decisions = _log_nba(db, tenant, shop[:80] + plg[:40] + b2b[:40], start + timedelta(days=days), rng)
    report = SimulationReport(days=days, triggers=triggers, runner=total, delivered=delivered, refused=refused,
                              outcomes=credited.credited, nba_decisions=decisions)  # fmt: skip
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO tenant_settings (key, value) VALUES (%s, %s) ON CONFLICT (tenant_id, key) "
            "DO UPDATE SET value = EXCLUDED.value",
            (SIM_KEY, Jsonb(report.model_dump())),
        )
        audit.append(conn, actor="demo", action="simulation", payload=report.model_dump())
    return report


def _populations(db: Database, tenant: str) -> tuple[list[str], list[str], list[str], list[tuple[str, float]]]:
    with db.tenant(tenant) as conn:
        shop = [r[0] for r in conn.execute(
            "SELECT c.customer_id FROM customers c JOIN current_consents cc USING (tenant_id, customer_id) "
            "WHERE cc.channel = 'email' AND cc.purpose = 'marketing' AND cc.status = 'granted' "
            "AND c.merged_into IS NULL AND c.account_id IS NULL AND NOT c.attributes ? 'team_name' "
            "ORDER BY c.customer_id LIMIT 600")]  # fmt: skip
        plg = [r[0] for r in conn.execute(
            "SELECT customer_id FROM customers WHERE attributes ? 'team_name' AND merged_into IS NULL "
            "ORDER BY customer_id LIMIT 300")]  # fmt: skip
        b2b = [r[0] for r in conn.execute(
            "SELECT customer_id FROM customers WHERE account_id IS NOT NULL AND NOT attributes ? 'team_name' "
            "AND merged_into IS NULL ORDER BY customer_id LIMIT 300")]  # fmt: skip
        products = [(p, float(price)) for p, price in conn.execute(
            "SELECT product_id, price FROM products WHERE inventory > 0 ORDER BY product_id")]  # fmt: skip
    return shop, plg, b2b, products or [("generic", 80.0)]


def _insert(db: Database, tenant: str, events: list[Event]) -> None:
    if not events:
        return
    with db.tenant(tenant) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO events (tenant_id, event_id, customer_id, type, ts, channel, properties) "
            "VALUES (current_tenant(), %s, %s, %s, %s, 'sim', %s) ON CONFLICT DO NOTHING",
            [(eid, c, t, ts, Jsonb(p)) for ts, eid, c, t, p in events],
        )


def _respond(db: Database, tenant: str, seen: int, rng: random.Random, push: Callable[..., None]) -> int:
    """Customers react to what was delivered since ``seen``: opens, clicks, conversions, rare unsubscribes."""
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT o.action_id, o.customer_id, o.channel, o.journey_id, o.variant, o.idempotency_key, "
            "(o.rationale->>'scheduled_at')::timestamptz, e.entity_key, e.context->'trigger'->>'product_id' "
            "FROM outbox o LEFT JOIN journey_enrollments e USING (tenant_id, enrollment_id) "
            "WHERE o.status = 'delivered' AND o.action_id > %s ORDER BY o.action_id",
            (seen,),
        ).fetchall()
    for action_id, customer, channel, journey, variant, key, at, entity, _pid in rows:
        seen = max(seen, action_id)
        if at is None:
            continue
        clicked = rng.random() < 0.08 * CLICK_LIFT.get(variant or "", 1.0)
        if channel == "email" and rng.random() < 0.45:
            push(at + timedelta(minutes=rng.uniform(5, 600)), customer, "email_open", action_key=key)
        if clicked:
            click = {"email": "email_click", "sms": "sms_click"}.get(channel, "in_app_click")
            push(at + timedelta(minutes=rng.uniform(10, 900)), customer, click, action_key=key)
        later = at + timedelta(hours=rng.uniform(2, 40))
        if journey == "cart-abandon" and rng.random() < 0.10 + 0.15 * clicked:
            push(later, customer, "checkout", cart_id=entity, revenue=round(rng.uniform(60, 180), 2), action_key=key)
        elif journey == "plg-milestone" and channel == "email" and rng.random() < 0.06 + 0.2 * clicked:
            push(later, customer, "upgrade", revenue=480.0, action_key=key)
        elif journey == "b2b-pricing-intent" and channel == "webhook" and rng.random() < 0.2:
            push(later + timedelta(days=1), customer, "meeting_booked", action_key=key)
        if rng.random() < 0.004:
            push(later, customer, "unsubscribe", list="marketing", action_key=key)
    return seen


def _log_nba(db: Database, tenant: str, customers: list[str], at: datetime, rng: random.Random) -> int:
    """Logged NBA decisions with 30% exploration and simulated rewards, for the off-policy estimate."""
    made, port = 0, PolicyPort(db, tenant)
    for customer in customers:
        d = next_best_action(db, tenant, customer, None, now=at, explore=0.3, rng=rng, use_models=False, policy=port)
        if d.chosen is None or d.decision_id is None:
            continue
        c = d.chosen.components
        reward = rng.random() < min(0.9, c.p_convert * (1.0 - c.risk) * (0.4 if d.chosen.kind == "offer" else 1.0))
        with db.tenant(tenant) as conn:
            conn.execute("UPDATE decisions SET reward = %s WHERE decision_id = %s", (float(reward), d.decision_id))
        made += 1
    return made
