"""Put golden tickets into the eval tenant and run them through the copilot graph, as production would.

Golden tickets get ids prefixed ``golden-`` and are attached to an existing customer of the same business, chosen
by a stable hash of the id, so repeated evals on one tenant reuse the same rows (idempotent inserts in one
transaction) and every run sees the same customer context.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from hyperjourney.data.seed.generator import DEMO_ANCHOR
from hyperjourney.db.database import Database
from hyperjourney.evals.context import LLM_TIERS
from hyperjourney.evals.suite import EvalEnv
from hyperjourney.graphs import runs
from hyperjourney.graphs.wiring import Deps, build_deps
from hyperjourney.models import tiers as tiers_mod

PREFIX = "golden-"
# After the demo world's "now": a golden ticket must not change the history that features and the models'
# held-out window are computed from (an earlier date shifted churn features and broke the scoring suite's skew).
OPENED_AT = DEMO_ANCHOR + timedelta(days=1, hours=9)
TICKET_CHANNELS = {"email", "chat", "phone", "sms", "web", "social"}


@dataclass(frozen=True)
class GoldenTicketRow:
    ticket_id: str
    subject: str
    body: str
    channel: str
    language: str
    business: str | None


@dataclass(frozen=True)
class TicketRun:
    ticket_id: str
    result: runs.RunResult
    seconds: float

    @property
    def outcome(self) -> dict[str, Any]:
        return self.result.outcome


def _pick(ticket_id: str, pool: list[str]) -> str:
    return pool[int(hashlib.sha256(ticket_id.encode()).hexdigest(), 16) % len(pool)]


def insert_tickets(db: Database, tenant: str, tickets: list[GoldenTicketRow]) -> None:
    """Insert the tickets (and their first message) unless they are there already; all or nothing."""
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT customer_id, coalesce(attributes->>'product', '') FROM customers ORDER BY customer_id"
        ).fetchall()
        if not rows:
            raise ValueError(f"tenant {tenant!r} has no customers; seed it first (`hyperjourney data demo`)")
        everyone = [str(r[0]) for r in rows]
        by_business: dict[str, list[str]] = {}
        for cid, business in rows:
            by_business.setdefault(str(business), []).append(str(cid))
        for t in tickets:
            pool = by_business.get(t.business or "", everyone)
            if t.channel not in TICKET_CHANNELS:
                raise ValueError(f"ticket {t.ticket_id}: channel {t.channel!r} is not a ticket channel")
            inserted = conn.execute(
                "INSERT INTO tickets (tenant_id, ticket_id, customer_id, channel, subject, status, language, "
                "opened_at, updated_at) VALUES (current_tenant(), %s, %s, %s, %s, 'open', %s, %s, %s) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                (t.ticket_id, _pick(t.ticket_id, pool), t.channel, t.subject[:200], t.language, OPENED_AT, OPENED_AT),
            ).fetchone()
            if inserted is not None:
                conn.execute(
                    "INSERT INTO messages (tenant_id, message_id, ticket_id, author, body, sent_at) "
                    "VALUES (current_tenant(), %s, %s, 'customer', %s, %s)",
                    (f"{t.ticket_id}_m1", t.ticket_id, t.body, OPENED_AT),
                )


def eval_deps(env: EvalEnv) -> Deps:
    """The production wiring, with only the model tiers the eval's tier allows (small: none, fully offline)."""
    configured = tiers_mod.from_settings(env.settings)
    chats = {k: v for k, v in configured.chats.items() if k in LLM_TIERS[env.tier]}
    return build_deps(env.db, env.settings, tiers=tiers_mod.Tiers(chats=chats))


def run_ticket(env: EvalEnv, deps: Deps, ticket_id: str) -> TicketRun:
    started = time.perf_counter()
    result = runs.start_copilot(env.db, env.tenant, ticket_id, deps=deps)
    return TicketRun(ticket_id=ticket_id, result=result, seconds=time.perf_counter() - started)
