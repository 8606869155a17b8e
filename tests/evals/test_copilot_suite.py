"""The copilot suite runs golden tickets through the copilot graph and grades labels, tone and grounding."""

from __future__ import annotations

import pytest

import hyperjourney.evals.suites  # noqa: F401  (registers the suites)
from hyperjourney.db.database import Database
from hyperjourney.evals import grounding, runner
from hyperjourney.evals.golden import COPILOT_TICKETS_HANDWRITTEN, load_copilot_tickets
from hyperjourney.evals.suite import REGISTRY, EvalEnv
from hyperjourney.evals.suites.copilot import CopilotSuite
from hyperjourney.guardrails.models import Evidence
from hyperjourney.settings import Settings, get_settings
from tests.evals.test_ragas_judge import judged_settings
from tests.openai_stub import openai_stub
from tests.ragas_judge_stub import judge_answer


def test_a_subset_of_golden_tickets_is_graded_and_reinserted_idempotently(db: Database, trained_kb_tenant: str) -> None:
    env = EvalEnv(db=db, tenant=trained_kb_tenant, tier="small", settings=get_settings())
    suite = CopilotSuite(limit=6)
    run = runner.run_suite(env, suite)
    runner.run_suite(env, suite)
    with db.tenant(trained_kb_tenant) as conn:
        row = conn.execute("SELECT count(*) FROM tickets WHERE ticket_id LIKE 'golden-tkt-%'").fetchone()
    assert row is not None and row[0] == 6
    m = {k.removesuffix(".dev"): v for k, v in run.metrics.items()}  # the dev split
    assert m["tickets"] == 6
    assert m["intent_accuracy"] == m["sentiment_accuracy"] == m["reply_groundedness"] == 1.0
    # the agent and the labels read one tone policy; none of the six is a Ledger or high-stakes ticket
    assert m["tone_agreement"] == 1.0
    # labels follow the escalation policy: tkt-004 (very negative, refund over the limit) and tkt-006 (chargeback)
    # escalate and are escalated; tkt-001 (a product question read at intent confidence 0.5) is answered: its warm
    # tone is realised in the closing, so the draft passes the tone guard it used to fail (a false escalation)
    with db.tenant(trained_kb_tenant) as conn:
        rows = conn.execute(
            "SELECT item_id, scores, detail FROM eval_items WHERE run_id = %s", (run.run_id,)
        ).fetchall()
    got = {str(r[0]): bool(r[1]["escalated"]) for r in rows if not str(r[0]).startswith("held_out:")}
    assert got == {"tkt-001": False, "tkt-002": False, "tkt-003": False, "tkt-004": True, "tkt-005": False,
                   "tkt-006": True}  # fmt: skip
    assert (m["escalation_recall"], m["escalation_precision"]) == (1.0, 1.0)
    first = next(r[2]["run_id"] for r in rows if r[0] == "tkt-001")
    with db.tenant(trained_kb_tenant) as conn:
        stored = conn.execute("SELECT plan FROM agent_outcomes WHERE run_id = %s", (first,)).fetchone()
    assert stored is not None
    outcome = stored[0]  # the copilot's outcome as the run recorded it
    assert outcome["escalations"] == [] and outcome["citations"], outcome["escalation_reasons"]
    assert m["seconds_per_ticket"] > 0
    handwritten = load_copilot_tickets(COPILOT_TICKETS_HANDWRITTEN)
    assert REGISTRY["copilot"].size() == len(load_copilot_tickets()) + len(handwritten) == 140
    assert {t.language for t in handwritten} == {"en", "de", "es", "fr"}


def test_grounding_counts_invented_numbers_and_unknown_citations() -> None:
    evidence = [Evidence(citation_id="refunds#0", text="Refunds reach your card within 5 business days.")]
    good = grounding.grade("Hi Ana. Refunds reach your card within 5 business days [cite:refunds#0].", evidence)
    assert (good.claims, good.grounded) == (1, 1)
    bad = grounding.grade(
        "Refunds reach your card within 2 business days [cite:refunds#0]. Shipping is free [cite:ship#1].", evidence
    )
    assert (bad.claims, bad.grounded, bad.numbers_unsupported) == (2, 0, 1)


def test_with_a_judge_tier_replies_get_ragas_faithfulness_and_answer_relevancy(
    db: Database, trained_kb_tenant: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    with openai_stub(answer=judge_answer) as server:
        env = EvalEnv(db=db, tenant=trained_kb_tenant, tier="llm-small", settings=judged_settings(settings, server))
        run = CopilotSuite(limit=3).run(env, lambda _n: None)  # not stored: the shared tenant's evals stay small-tier
    m = run.metrics
    assert run.judge == "llm-small:judge-model"
    assert run.metric_sources["answer_relevancy"] == "ragas:ResponseRelevancy"
    assert run.metric_sources["reply_groundedness"].startswith("own:")
    assert m["judge_unscored"] == 0 and m["answer_relevancy"] > 0.0
    for s in (
        i.scores for i in run.items
    ):  # replies our own citation check finds grounded, the evidence-reading judge finds faithful
        if s["groundedness"] == 1.0:
            assert s["reply_faithfulness"] >= 0.8, s
    prompts = [str(r["body"]["messages"]) for r in server.requests]
    assert sum("Generate a question for the given answer" in p for p in prompts) >= 3
