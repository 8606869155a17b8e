"""Mutation checks: each gated copilot and copy metric, fed deliberately bad output, falls outside its gate.

The graders here are the suites' own (`grade_outcome`, `grade_drafted`) and the gate is `gate.check_suite` with the
committed thresholds and baselines, so a grader or a gate that cannot fail is caught. No database: the outcomes and
drafts are built from the golden labels (right answers) and then broken one way at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from hyperjourney.evals import gate, grounding, splits
from hyperjourney.evals.copy_judges import CopyJudges, offline_judges
from hyperjourney.evals.golden import CopyBrief, GoldenTicket, load_copilot_tickets, load_copy_briefs
from hyperjourney.evals.suites.copilot import TONE_KEYS, copilot_metrics, grade_outcome
from hyperjourney.evals.suites.copy import Drafted, copy_metrics, grade_drafted
from hyperjourney.guardrails.models import Evidence

BRIEFS = 12
SPLIT_SUITES = {"copilot", "copy", "safety", "routing", "retrieval"}  # scored on dev (and held-out) golden files
REFUNDS = {
    "en": "Refunds reach your card within 5 business days.",
    "de": "Erstattungen erreichen Ihre Karte innerhalb von 5 Werktagen.",
    "es": "Los reembolsos llegan a tu tarjeta en un plazo de 5 días hábiles.",
    "fr": "Les remboursements arrivent sur votre carte sous 5 jours ouvrés.",
}
EVIDENCE = [Evidence(citation_id=f"refunds-{lang}#0", text=text) for lang, text in REFUNDS.items()]
Outcome = tuple[dict[str, Any], bool, str]  # the copilot's outcome dict, whether it escalated, its reply
Mutation = Callable[[GoldenTicket, Outcome], Outcome]


def _failing(suite: str, metrics: dict[str, float]) -> set[str]:
    """Gated metrics outside their gate, read as the runner stores a dev-only run (``<metric>.dev``)."""
    gates = gate.load_thresholds().suites[suite]
    baseline = gate.load_committed_baselines().get(suite)
    stored = splits.suffixed(metrics, splits.DEV) if suite in SPLIT_SUITES else metrics
    checks = gate.check_suite(suite, stored, baseline, gates)
    return {c.metric.removesuffix(".dev") for c in checks if not c.ok}


def _right(t: GoldenTicket) -> Outcome:
    tone = t.tone.model_dump(include=set(TONE_KEYS))
    out = {"intent": t.labels.intent, "sentiment": t.labels.sentiment, "tone": tone}
    return out, t.labels.escalate, f"{REFUNDS[t.language].rstrip('.')} [cite:refunds-{t.language}#0]."


def _copilot(mutate: Mutation | None = None) -> dict[str, float]:
    golden = load_copilot_tickets()
    items = []
    for t in golden:
        out, escalated, reply = mutate(t, _right(t)) if mutate else _right(t)
        items.append(grade_outcome(t, out | {"reply": reply}, escalated, grounding.grade(reply, EVIDENCE)))
    return copilot_metrics(golden, items)


def _wrong_intent(t: GoldenTicket, o: Outcome) -> Outcome:
    return o[0] | {"intent": "billing_question" if t.labels.intent == "praise" else "praise"}, o[1], o[2]


def _wrong_sentiment(t: GoldenTicket, o: Outcome) -> Outcome:
    return o[0] | {"sentiment": "neutral" if t.labels.sentiment == "positive" else "positive"}, o[1], o[2]


def _flat_tone(t: GoldenTicket, o: Outcome) -> Outcome:
    return o[0] | {"tone": {"formality": 0.5, "warmth": 0.5, "brevity": 0.5}}, o[1], o[2]


def _escalate_all(t: GoldenTicket, o: Outcome) -> Outcome:
    return o[0], True, o[2]


def _escalate_none(t: GoldenTicket, o: Outcome) -> Outcome:
    return o[0], False, o[2]


def _invented_number(t: GoldenTicket, o: Outcome) -> Outcome:
    return o[0], o[1], "Refunds reach your card within 2 business days [cite:refunds-en#0]."


def test_right_copilot_outcomes_pass_every_copilot_gate() -> None:
    metrics = _copilot()
    assert metrics["intent_accuracy"] == metrics["escalation_precision"] == metrics["reply_groundedness"] == 1.0
    assert _failing("copilot", metrics) == set()


@pytest.mark.parametrize(
    ("mutation", "metric"),
    [
        (_wrong_intent, "intent_accuracy"),
        (_wrong_sentiment, "sentiment_accuracy"),
        (_flat_tone, "tone_agreement"),
        (_escalate_all, "escalation_precision"),
        (_escalate_none, "escalation_recall"),
        (_invented_number, "reply_groundedness"),
    ],
)
def test_bad_copilot_output_fails_the_gate_of_its_metric(mutation: Mutation, metric: str) -> None:
    assert metric in _failing("copilot", _copilot(mutation))


@cache
def _judges() -> CopyJudges:
    return offline_judges()


def _evidence(brief: CopyBrief) -> list[Evidence]:
    return [Evidence(citation_id=f"{f.source}#{i}", text=f.quote) for i, f in enumerate(brief.required_facts)]


def _good_body(brief: CopyBrief) -> str:
    """Copy that states each required fact in the words of its quote and cites it: what a grounded writer does."""
    return " ".join(f"{f.quote.rstrip('.')} [cite:{f.source}#{i}]." for i, f in enumerate(brief.required_facts))


def _copy(body: Callable[[CopyBrief], str], plan: str = "campaign") -> dict[str, float]:
    graded = []
    for brief in load_copy_briefs()[:BRIEFS]:
        evidence = _evidence(brief)
        cited = [e.citation_id for e in evidence]
        variants = [{"channel": "email", "subject": "News", "body": body(brief), "citations": cited}]
        made = Drafted("run", plan, variants if plan != "person" else [], evidence)
        graded.append(grade_drafted(brief, made, _judges()))
    return copy_metrics(graded)


def test_copy_that_states_its_cited_facts_passes_every_copy_gate() -> None:
    metrics = _copy(_good_body)
    assert metrics["citation_coverage"] == metrics["groundedness"] == metrics["number_support"] == 1.0
    assert metrics["context_recall"] > 0.9 and metrics["banned_claim_violations"] == 0
    assert _failing("copy", metrics) == set()


def _uncited(brief: CopyBrief) -> str:
    return _good_body(brief).replace("[cite:", "[see:")


def _invented_figures(brief: CopyBrief) -> str:
    return _good_body(brief) + f" Customers save 97% in 3 days [cite:{brief.required_facts[0].source}#0]."


def _trap(brief: CopyBrief) -> str:
    return _good_body(brief) + " " + brief.traps[0].claim


@pytest.mark.parametrize(
    ("body", "metrics"),
    [
        (_uncited, {"citation_coverage", "groundedness"}),
        (_invented_figures, {"number_support"}),
        (_trap, {"banned_claim_violations"}),
    ],
)
def test_bad_copy_fails_the_gates_of_its_metrics(body: Callable[[CopyBrief], str], metrics: set[str]) -> None:
    assert metrics <= _failing("copy", _copy(body))


def test_goals_routed_to_a_person_fail_drafted_share_and_routed_to_person() -> None:
    failing = _failing("copy", _copy(_good_body, plan="person"))
    assert {"drafted_share", "routed_to_person"} <= failing
