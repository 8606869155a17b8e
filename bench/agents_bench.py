"""Agent graph overhead per supervisor hop on the small tier, and support-copilot latency end to end.

Hop overhead runs the canvas graph with instant in-process ports, so what is left is LangGraph itself
plus our step recording: once with Postgres checkpoints and step/audit rows (the production path),
once with in-memory checkpoints and no recording (the machinery alone). Copilot latency uses the real
ports on a small seeded tenant: ticket lookup, inbound scan, classification, retrieval, template, guardrails.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any

import numpy as np
from langgraph.checkpoint.memory import InMemorySaver

from bench.report import Figure, scratch_database
from hyperjourney.agents.ports import (
    ActionProposal,
    AssetDraft,
    CustomerInsight,
    Evidence,
    InboundCheck,
    LaunchResult,
    PolicyVerdict,
    RankedCandidate,
    SegmentInfo,
    TicketSignal,
)
from hyperjourney.data.demo_tenant import seed
from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.checkpoints import tenant_saver
from hyperjourney.graphs.supervisor import build_canvas_graph
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings
from hyperjourney.tools.toolbox import Ports

RUNS = 30
GOAL = "Lift LTV 20% in fintech SMBs"
HOPS = 9  # supervisor ×5 (plan + four hand-offs) + researcher, analyst, copywriter, orchestrator; stops at approval
COPILOT_RUNS = 60
_FACT = Evidence(citation_id="kb-x#1", title="x", text="Teams close their books faster with Ledger.", score=5.0)


class _Instant:
    """Every port answered from memory, so the graph's own cost is what gets measured."""

    name = "bench: instant ports"

    def __init__(self) -> None:
        self.customer_ids: list[str] = []

    def search(self, tenant: str, query: str, *, doc_types: list[str] | None = None, k: int = 6) -> list[Evidence]:
        return [_FACT]

    def score_customer(self, tenant: str, customer_id: str) -> CustomerInsight:
        return CustomerInsight(customer_id=customer_id)

    def find_segment(self, tenant: str, description: str) -> SegmentInfo:
        return SegmentInfo(name="fintech SMBs", definition={"industry": "fintech", "company_size": "smb"}, size=400,
                           customer_ids=self.customer_ids, baseline={"clv": 100.0})  # fmt: skip

    def classify_ticket(self, tenant: str, text: str) -> TicketSignal:
        return TicketSignal(intent="billing_question", intent_confidence=0.9, sentiment="neutral")

    def validate(self, asset: AssetDraft, evidence: list[Evidence], tenant: str | None = None) -> list[str]:
        return []

    def redact(self, text: str, tenant: str | None = None) -> str:
        return text

    def scan(self, text: str) -> InboundCheck:
        return InboundCheck(neutralized=text)

    def check(self, tenant: str, action: ActionProposal) -> PolicyVerdict:
        return PolicyVerdict(allowed=True)

    def launch(self, tenant: str, run_id: str, plan: dict[str, Any]) -> LaunchResult:
        return LaunchResult(launched=True)

    def rank(self, tenant: str, customer_id: str, event: dict[str, Any] | None, now: datetime) -> list[RankedCandidate]:
        return []


def _hop_ms(db: Database, tenant: str, *, durable: bool) -> float:
    instant = _Instant()
    with db.tenant(tenant) as conn:
        instant.customer_ids = [c for (c,) in conn.execute("SELECT customer_id FROM customers ORDER BY 1 LIMIT 2")]
    deps = build_deps(db, Settings(), tiers=Tiers(), launcher=instant)
    deps.ports = Ports(knowledge=instant, scoring=instant, guardrails=instant, policy=instant, nba=instant)
    deps.record = durable
    per_hop = []
    for _ in range(RUNS):
        run_id = f"run-{uuid.uuid4().hex[:16]}"
        payload = {"run_id": run_id, "tenant": tenant, "flow": "canvas", "request": {"goal": GOAL}}
        config: Any = {"configurable": {"thread_id": run_id}}
        with tenant_saver(db, tenant) as saver:
            graph = build_canvas_graph(deps, saver if durable else InMemorySaver())
            start = time.perf_counter()
            graph.invoke(payload, config)
            elapsed = (time.perf_counter() - start) * 1000
        per_hop.append(elapsed / HOPS)
    return float(np.median(per_hop))


def _copilot_ms(db: Database, tenant: str) -> list[float]:
    deps = build_deps(db, Settings(), tiers=Tiers())
    with db.tenant(tenant) as conn:
        tickets = [t for (t,) in conn.execute("SELECT ticket_id FROM tickets ORDER BY ticket_id")]
    runs.start_copilot(db, tenant, tickets[0], deps=deps)  # warm caches (models, guards)
    out = []
    for i in range(COPILOT_RUNS):
        start = time.perf_counter()
        runs.start_copilot(db, tenant, tickets[i % len(tickets)], deps=deps)
        out.append((time.perf_counter() - start) * 1000)
    return out


def run() -> list[Figure]:
    with scratch_database() as db:
        assert isinstance(db, Database)
        seed(db, "bench", customers=400, events=4000, tickets=40)
        durable = _hop_ms(db, "bench", durable=True)
        machinery = _hop_ms(db, "bench", durable=False)
        copilot = _copilot_ms(db, "bench")
    p95, p50 = float(np.percentile(copilot, 95)), float(np.percentile(copilot, 50))
    return [
        Figure("agents: supervisor hop, LangGraph only (small tier)", machinery, "ms", "< 5 ms", None, False,
               machinery < 5),
        Figure("agents: supervisor hop, + Postgres checkpoint and audited step", durable, "ms", "< 5 ms",
               machinery, False, durable < 5),
        Figure("agents: copilot end to end p50 (small tier)", p50, "ms", "-", None, False, None),
        Figure("agents: copilot end to end p95 (small tier)", p95, "ms", "< 300 ms", None, False, p95 < 300),
    ]  # fmt: skip
