"""Agent graph overhead per supervisor hop on the small tier, and support-copilot latency end to end.

Hop overhead runs the canvas graph with instant in-process tools, so what is left is LangGraph itself
plus our step recording: once with Postgres checkpoints and step/audit rows (the production path),
once with in-memory checkpoints and no recording (the machinery alone). The same goal then runs with the real
tools (hybrid search over the ingested demo knowledge base, segment SQL, policy from Postgres, guardrails with the
tenant's rules), so the real agent hop is printed beside the instant-tools hop of the same run. Copilot latency uses
the real tools on a small seeded tenant: ticket lookup, inbound scan, classification, retrieval, template, guardrails.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

import numpy as np
from langgraph.checkpoint.memory import InMemorySaver

from bench.report import Figure, scratch_database
from hyperjourney.cli.knowledge_commands import demo_kb_path
from hyperjourney.data.demo_tenant import seed
from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.canvas import build_canvas_graph
from hyperjourney.graphs.checkpoints import SERDE, tenant_saver
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.guardrails.inbound import InboundVerdict
from hyperjourney.guardrails.models import GuardReport
from hyperjourney.journeys.launch import LaunchResult
from hyperjourney.knowledge.ingest import ingest_path
from hyperjourney.knowledge.models import Hit
from hyperjourney.models.tiers import Tiers
from hyperjourney.policy.models import PolicyDecision, ProposedAction
from hyperjourney.scoring.schema import Segment, SegmentQuery, TicketClassification
from hyperjourney.settings import Settings
from hyperjourney.tools.toolbox import (
    ClassifyInput,
    CustomerInput,
    RankInput,
    RankOutput,
    ScoresOutput,
    SearchInput,
    SearchOutput,
    SegmentInput,
    TextInput,
    Toolbox,
    ValidateInput,
)

RUNS = 30
GOAL = "Lift LTV 20% in fintech SMBs"
HOPS = 9  # supervisor ×5 (plan + four hand-offs) + researcher, analyst, copywriter, orchestrator; stops at approval
COPILOT_RUNS = 60
_FACT = Hit(citation_id="kb-x#1", document_id="kb-x", chunk_index=1, title="x", section="", doc_type="case_study",
            region="global", language="en", audience="customer", snippet="Teams close their books faster with Ledger.",
            text="Teams close their books faster with Ledger.", score=5.0,
            updated_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip


class _InstantTools(Toolbox):
    """Every domain answered from memory, so the graph's own cost is what gets measured."""

    customer_ids: ClassVar[list[str]] = []

    def search_knowledge(self, inp: SearchInput) -> SearchOutput:
        return SearchOutput(hits=[_FACT])

    def customer_scores(self, inp: CustomerInput) -> ScoresOutput:
        return ScoresOutput(note="bench")

    def find_segment(self, inp: SegmentInput) -> Segment:
        query = SegmentQuery(industry=["fintech"], company_size=["smb"])
        return Segment(name="fintech SMBs", definition=query, size=400, customer_ids=self.customer_ids, why=[],
                       baseline={"avg_clv": 100.0})  # fmt: skip

    def classify_ticket(self, inp: ClassifyInput) -> TicketClassification:
        return TicketClassification(intent="billing_question", intent_confidence=0.9, sentiment="neutral",
                                    sentiment_score=0.0, confidence=0.9, reasons=[], model_version="bench")  # fmt: skip

    def validate_asset(self, inp: ValidateInput) -> GuardReport:
        return GuardReport(passed=True, failures=[], checked=[])

    def scan_inbound(self, inp: TextInput) -> InboundVerdict:
        return InboundVerdict(attack=False, score=0.0, reasons=[], neutralized=inp.text)

    def check_policy(self, inp: ProposedAction) -> PolicyDecision:
        return PolicyDecision(allowed=True, rules_fired=[], policy_version="bench", needs_review=False)

    def rank_actions(self, inp: RankInput) -> RankOutput:
        return RankOutput(ranked=[])


class _InstantLauncher:
    def launch(self, tenant: str, run_id: str, plan: dict[str, Any]) -> LaunchResult:
        return LaunchResult(journey_id="bench", version=1, status="launched", enrolled=0, holdout=0, actions_queued=0,
                            detail="bench")  # fmt: skip


def _hop_ms(db: Database, tenant: str, *, durable: bool, real_tools: bool = False) -> float:
    with db.tenant(tenant) as conn:
        rows = conn.execute("SELECT customer_id FROM customers ORDER BY 1 LIMIT 2")
        _InstantTools.customer_ids = [c for (c,) in rows]
    deps = build_deps(db, Settings(), tiers=Tiers(), launcher=_InstantLauncher())
    if not real_tools:
        deps.toolbox = _InstantTools
    deps.record = durable
    per_hop = []
    for _ in range(RUNS):
        run_id = f"run-{uuid.uuid4().hex[:16]}"
        payload = {"run_id": run_id, "tenant": tenant, "flow": "canvas", "request": {"goal": GOAL}}
        config: Any = {"configurable": {"thread_id": run_id}}
        with tenant_saver(db, tenant) as saver:
            graph = build_canvas_graph(saver if durable else InMemorySaver(serde=SERDE))
            start = time.perf_counter()
            graph.invoke(payload, config, context=deps)
            elapsed = (time.perf_counter() - start) * 1000
            if not graph.get_state(config).interrupts:  # a run that escalated early would flatter the per-hop time
                tools = "real" if real_tools else "instant"
                raise RuntimeError(f"the bench goal did not reach approval ({tools} tools)")
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
        ingest_path(db, "bench", demo_kb_path())
        durable = _hop_ms(db, "bench", durable=True)
        machinery = _hop_ms(db, "bench", durable=False)
        _hop_ms(db, "bench", durable=True, real_tools=True)  # warm the models, embedder and policy caches
        real = _hop_ms(db, "bench", durable=True, real_tools=True)
        copilot = _copilot_ms(db, "bench")
    p95, p50 = float(np.percentile(copilot, 95)), float(np.percentile(copilot, 50))
    return [
        Figure("agents: supervisor hop, LangGraph only (small tier)", machinery, "ms", "< 5 ms", None, False,
               machinery < 5),
        Figure("agents: supervisor hop, + Postgres checkpoint and audited step", durable, "ms", "< 5 ms",
               machinery, False, durable < 5),
        Figure("agents: supervisor hop, real tools (search, segment SQL, policy, guards)", real, "ms", "-", durable,
               False, None),
        Figure("agents: canvas goal to approval, real tools (small tier)", real * HOPS, "ms", "< 2000 ms",
               durable * HOPS, False, real * HOPS < 2000),
        Figure("agents: copilot end to end p50 (small tier)", p50, "ms", "-", None, False, None),
        Figure("agents: copilot end to end p95 (small tier)", p95, "ms", "< 300 ms", None, False, p95 < 300),
    ]  # fmt: skip
