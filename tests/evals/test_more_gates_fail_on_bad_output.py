"""Mutation checks for the gates test_gates_fail_on_bad_output.py does not cover: safety, routing, nba and cost, the
reply graders' labelled figures and copy's required-fact recall. Each suite's own pure metric function is fed right
output (passes every gate of its suite) and then output broken one way (fails the gate of the metric it breaks),
against the committed thresholds and baselines. No database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from hyperjourney.evals import grounding
from hyperjourney.evals.golden import GoldenTicket, load_copilot_tickets, load_copy_briefs
from hyperjourney.evals.results import ItemResult
from hyperjourney.evals.suites.copilot import TONE_KEYS, copilot_metrics, grade_outcome
from hyperjourney.evals.suites.copy import Drafted, copy_metrics, grade_drafted
from hyperjourney.evals.suites.cost import CostSuite
from hyperjourney.evals.suites.nba import compliance_metrics, ope_metrics
from hyperjourney.evals.suites.routing import ROUTES, routing_metrics
from hyperjourney.evals.suites.safety import safety_metrics
from hyperjourney.experiments.offpolicy import OffPolicyEstimate
from tests.evals.test_gates_fail_on_bad_output import EVIDENCE, REFUNDS, _evidence, _failing, _good_body, _judges

# ---- safety -------------------------------------------------------------------------------------------------------


def _case(attack: bool, *, bypass: float = 0, leak: float = 0, flagged: float | None = None) -> ItemResult:
    scores = {"bypass": bypass, "leak": leak, "flagged": float(attack) if flagged is None else flagged, "must_not": 0.0}
    return ItemResult(item_id="c", passed=True, scores=scores, detail={"attack": attack, "style": "indirect"})


def _safety(**broken: float) -> dict[str, float]:
    attacks = [_case(True) for _ in range(20)]
    benign = [_case(False) for _ in range(10)]
    if "bypass" in broken:
        attacks[0] = _case(True, bypass=1)
    if "leak" in broken:
        benign[0] = _case(False, leak=1)
    if "missed" in broken:
        attacks = [_case(True, flagged=0.0) for _ in attacks]
    if "false_positive" in broken:
        benign = [_case(False, flagged=1.0) for _ in benign]
    return safety_metrics(attacks + benign)


def test_right_safety_outcomes_pass_every_safety_gate() -> None:
    assert _failing("safety", _safety()) == set()


@pytest.mark.parametrize(
    ("broken", "metric"),
    [
        ("bypass", "policy_bypasses"),
        ("leak", "leaked_pii"),
        ("missed", "attack_detection_rate"),
        ("false_positive", "benign_false_positive_rate"),
    ],
)
def test_bad_safety_outcomes_fail_the_gate_of_their_metric(broken: str, metric: str) -> None:
    assert metric in _failing("safety", _safety(**{broken: 1}))


# ---- routing ------------------------------------------------------------------------------------------------------


def _routing(route: Callable[[str], str]) -> dict[str, float]:
    pairs = Counter({(e, route(e)): 20 for e in ROUTES})
    return routing_metrics(pairs, Counter({"small": 80}))


def test_right_routes_pass_every_routing_gate() -> None:
    assert _failing("routing", _routing(lambda e: e)) == set()


@pytest.mark.parametrize(
    ("route", "metrics"),
    [
        (lambda e: "campaign", {"accuracy", "confidently_wrong_share", "person_recall"}),  # sure of the wrong plan
        (
            lambda e: "person" if e == "person" else "copy" if e == "insight" else e,
            {"accuracy", "confidently_wrong_share"},
        ),
        (lambda e: "insight" if e == "person" else e, {"person_recall"}),  # nonsense no longer goes to a person
    ],
)
def test_bad_routes_fail_the_gates_of_their_metrics(route: Callable[[str], str], metrics: set[str]) -> None:
    assert metrics <= _failing("routing", _routing(route))


# ---- nba ----------------------------------------------------------------------------------------------------------


def _estimate(value: float) -> OffPolicyEstimate:
    return OffPolicyEstimate(
        decisions=90, logged_value=0.3, ips=value, snips=value, doubly_robust=value, dr_ci=(value - 0.05, value + 0.05),
        agreement=0.5, effective_sample_size=40.0,
    )  # fmt: skip


def test_a_compliant_ranker_at_baseline_value_passes_every_nba_gate() -> None:
    assert _failing("nba", compliance_metrics(120, 120, 600) | ope_metrics(_estimate(0.3), _estimate(0.3))) == set()


def test_a_ranker_that_breaks_policy_or_loses_value_fails_those_gates() -> None:
    breaking = compliance_metrics(120, 117, 600) | ope_metrics(_estimate(0.3), _estimate(0.3))
    assert {"policy_compliance", "policy_violations"} <= _failing("nba", breaking)
    losing = compliance_metrics(120, 120, 600) | ope_metrics(_estimate(0.2), _estimate(0.3))
    assert _failing("nba", losing) == {"ope.value_over_baseline"}


# ---- cost ---------------------------------------------------------------------------------------------------------


def _cost(tokens: int, cost: float) -> dict[str, float]:
    runs = [(f"run-{n}", "copilot", "completed", tokens, cost, 900.0) for n in range(10)]
    return CostSuite()._summarise(runs, [("small", 20)], {"copilot": [r[0] for r in runs]}, 20).metrics


def test_offline_runs_pass_the_cost_gates_and_paid_runs_fail_them() -> None:
    assert _failing("cost", _cost(0, 0.0)) == set()
    assert _failing("cost", _cost(1200, 0.02)) == {"cost_usd_per_success", "tokens_per_success"}


# ---- replies: answer documents, record facts, language --------------------------------------------------------------

RECORD = {"first_name": "Ana", "plan": "Team"}


def _labelled(t: GoldenTicket) -> GoldenTicket:
    """A dev ticket with the held-out set's labels: the document that answers it and the record facts to use."""
    return t.model_copy(update={"answer_docs": ["faq-refund-status"], "record_facts": list(RECORD)})


def _reply_metrics(*, docs: list[str], language: str | None = None, record: bool = True) -> dict[str, float]:
    golden = [_labelled(t) for t in load_copilot_tickets()]
    items = []
    for t in golden:
        lang = language or t.language
        reply = f"{'Ana, ' if record else ''}{REFUNDS[lang].rstrip('.')} [cite:refunds-{lang}#0]. Plan: Team."
        if not record:
            reply = reply.replace(" Plan: Team.", "")
        tone = t.tone.model_dump(include=set(TONE_KEYS))
        out = {"intent": t.labels.intent, "sentiment": t.labels.sentiment, "tone": tone, "reply": reply}
        graded = grounding.grade(reply, EVIDENCE)
        items.append(grade_outcome(t, out, t.labels.escalate, graded, cited_docs=docs, record=dict(RECORD)))
    return copilot_metrics(golden, items)


def test_right_replies_pass_the_reply_grader_gates() -> None:
    metrics = _reply_metrics(docs=["faq-refund-status"])
    assert metrics["answer_doc_retrieval"] == metrics["record_fact_use"] == metrics["reply_language_match"] == 1.0
    assert _failing("copilot", metrics) == set()


@pytest.mark.parametrize(
    ("broken", "metric"),
    [
        ({"docs": ["pricing"]}, "answer_doc_retrieval"),  # cites a document that does not answer the ticket
        ({"docs": ["faq-refund-status"], "record": False}, "record_fact_use"),  # ignores the customer's record
        ({"docs": ["faq-refund-status"], "language": "de"}, "reply_language_match"),  # German to everyone
    ],
)
def test_bad_replies_fail_the_gate_of_their_metric(broken: dict[str, object], metric: str) -> None:
    assert metric in _failing("copilot", _reply_metrics(**broken))  # type: ignore[arg-type]


def test_dev_tickets_without_labels_leave_the_labelled_reply_figures_unmeasured_not_perfect() -> None:
    t = load_copilot_tickets()[0]
    item = grade_outcome(t, {"reply": "Hello"}, False, grounding.grade("Hello", []), cited_docs=[], record={})
    metrics = copilot_metrics([t], [item])
    assert "answer_doc_retrieval" not in metrics and "record_fact_use" not in metrics


# ---- copy: required facts -----------------------------------------------------------------------------------------


def test_copy_that_drops_the_required_facts_fails_required_fact_recall() -> None:
    def graded(body: Callable[[object], str]) -> dict[str, float]:
        out = []
        for brief in load_copy_briefs()[:8]:
            evidence = _evidence(brief)
            variant = {"channel": "email", "subject": "News", "body": body(brief),
                       "citations": [e.citation_id for e in evidence]}  # fmt: skip
            out.append(grade_drafted(brief, Drafted("run", "campaign", [variant], evidence), _judges()))
        return copy_metrics(out)

    right = graded(_good_body)  # type: ignore[arg-type]
    assert right["required_fact_recall"] == 1.0 and "required_fact_recall" not in _failing("copy", right)
    vague = graded(lambda b: f"Northwind has news for you [cite:{b.required_facts[0].source}#0].")  # type: ignore[attr-defined]
    assert vague["required_fact_recall"] < 0.5 and "required_fact_recall" in _failing("copy", vague)
