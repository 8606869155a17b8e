"""The small-first router: when it stays small, when and where it escalates, and what stops it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hyperjourney.guardrails.fence import fence
from hyperjourney.models.accounting import Ledger
from hyperjourney.models.router import Candidate, Router, Stakes
from hyperjourney.models.tiers import Tiers
from hyperjourney.prompts.loader import Prompt, load
from hyperjourney.settings import RouterSettings
from tests.agentkit import scripted_tiers


class Answer(BaseModel):
    label: str
    confidence: float = Field(0.9, ge=0, le=1)


PROMPT = Prompt(name="test", text="Classify: $text", sha256="0" * 64)


def _router(tiers: Tiers, budget: float = 1.0) -> Router:
    return Router(tiers, Ledger("test", budget, 10_000), RouterSettings(confidence_threshold=0.6))


def _small(label: str, confidence: float) -> Candidate[Answer]:
    return Candidate(Answer(label=label, confidence=confidence), confidence, "rules")


def test_confident_small_answer_never_calls_an_llm() -> None:
    tiers, models = scripted_tiers(small=[], large=[])
    routed = _router(tiers).decide(
        "p", schema=Answer, prompt=PROMPT, variables={"text": "x"}, small=lambda: _small("a", 0.9)
    )
    assert (routed.tier, routed.value, routed.needs_review) == ("small", Answer(label="a", confidence=0.9), False)
    assert models["llm-small"].calls == [] and models["llm-large"].calls == []


def test_low_confidence_escalates_to_llm_small_and_counts_tokens_and_cost() -> None:
    tiers, models = scripted_tiers(small=[{"label": "b", "confidence": 0.8}], large=[], cost_per_1k=1.0)
    router = _router(tiers)
    routed = router.decide("p", schema=Answer, prompt=PROMPT, variables={"text": "hi"}, small=lambda: _small("a", 0.3))
    assert routed.tier == "llm-small" and routed.value is not None and routed.value.label == "b"
    assert routed.escalations == ["low confidence 0.30 < 0.60"]
    assert "Classify: hi" in models["llm-small"].prompts()[0]
    assert router.ledger.tokens == 150 and abs(router.ledger.spent_usd - 0.15) < 1e-9
    assert router.ledger.totals().mix == {"llm-small": 1.0}
    models["llm-small"].assert_done()


def test_missing_tiers_send_the_decision_to_review_with_every_reason() -> None:
    routed = _router(Tiers()).decide(
        "p", schema=Answer, prompt=PROMPT, variables={"text": "x"}, small=lambda: _small("a", 0.2)
    )
    assert routed.tier == "human" and routed.needs_review
    assert routed.value == Answer(label="a", confidence=0.2)  # the small draft goes to the reviewer
    assert routed.review_reason is not None
    assert "llm-small tier not configured" in routed.review_reason
    assert "llm-large tier not configured" in routed.review_reason


def test_high_stakes_skip_llm_small() -> None:
    tiers, models = scripted_tiers(small=[], large=[{"label": "big", "confidence": 0.9}])
    routed = _router(tiers).decide(
        "p", schema=Answer, prompt=PROMPT, variables={"text": "x"}, small=lambda: _small("a", 0.99),
        stakes=Stakes(cohort_size=50_000),
    )  # fmt: skip
    assert routed.tier == "llm-large" and routed.escalations[0].startswith("high stakes: cohort of 50000")
    assert models["llm-small"].calls == []
    models["llm-large"].assert_done()


def test_regulated_claim_without_large_tier_goes_to_review() -> None:
    tiers, _ = scripted_tiers(small=[])
    routed = _router(tiers).decide(
        "p", schema=Answer, prompt=PROMPT, variables={"text": "x"}, small=lambda: _small("a", 0.99),
        stakes=Stakes(regulated_claim=True),
    )  # fmt: skip
    assert routed.needs_review and "regulated claim" in (routed.review_reason or "")


def test_malformed_output_is_reasked_once_then_escalated() -> None:
    tiers, models = scripted_tiers(small=["not json", {"label": 3}], large=[{"label": "c", "confidence": 0.9}])
    routed = _router(tiers).decide(
        "p", schema=Answer, prompt=PROMPT, variables={"text": "x"}, small=lambda: _small("a", 0.1)
    )
    assert routed.tier == "llm-large" and routed.value is not None and routed.value.label == "c"
    assert len(models["llm-small"].calls) == 2  # the question and exactly one re-ask
    assert "Invalid:" in models["llm-small"].prompts()[1]
    assert any("no valid structured output after one re-ask" in e for e in routed.escalations)
    models["llm-small"].assert_done()
    models["llm-large"].assert_done()


def test_guardrail_rejection_reasks_with_the_failures_as_feedback() -> None:
    def check(answer: Answer) -> list[str]:
        return ["banned phrase 'risk-free'"] if "risk-free" in answer.label else []

    tiers, models = scripted_tiers(small=[{"label": "risk-free!"}, {"label": "safe copy"}])
    routed = _router(tiers).decide(
        "p", schema=Answer, prompt=PROMPT, variables={"text": "x"}, small=lambda: _small("risk-free", 0.95),
        check=check,
    )  # fmt: skip
    assert routed.tier == "llm-small" and routed.value is not None and routed.value.label == "safe copy"
    assert routed.escalations[0].startswith("guardrails rejected the small-tier output")
    assert "banned phrase 'risk-free'" in models["llm-small"].prompts()[0]  # small tier's failure as feedback
    assert "banned phrase 'risk-free'" in models["llm-small"].prompts()[1]  # and the LLM's own on the re-ask
    models["llm-small"].assert_done()


def test_exhausted_budget_stops_escalation() -> None:
    tiers, models = scripted_tiers(small=[], large=[])
    router = _router(tiers, budget=0.0)
    routed = router.decide("p", schema=Answer, prompt=PROMPT, variables={"text": "x"}, small=lambda: _small("a", 0.1))
    assert routed.needs_review and "budget exhausted" in (routed.review_reason or "")
    assert models["llm-small"].calls == [] and models["llm-large"].calls == []
    assert router.ledger.totals().mix == {"human": 1.0}


def test_budget_spent_midway_stops_before_the_next_tier() -> None:
    tiers, models = scripted_tiers(small=["bad", "bad"], large=[], cost_per_1k=10.0)
    router = _router(tiers, budget=1.0)
    routed = router.decide("p", schema=Answer, prompt=PROMPT, variables={"text": "x"}, small=lambda: _small("a", 0.1))
    assert routed.needs_review and "budget exhausted" in (routed.review_reason or "")
    assert models["llm-large"].calls == [] and router.ledger.spent_usd == 3.0


def test_prompts_load_by_name_with_a_content_hash() -> None:
    prompt = load("supervisor_route")
    assert len(prompt.sha256) == 64 and "$untrusted_request" in prompt.text
    assert "Lift LTV" in prompt.render(untrusted_request=fence("Lift LTV", author="marketer"))


def test_an_llm_answer_that_passes_its_checks_stands_whatever_confidence_it_states() -> None:
    """The LLM's self-reported confidence is not a probability: it is recorded, the checks decide."""
    tiers, models = scripted_tiers(small=[{"label": "b", "confidence": 0.1}], large=[])
    routed = _router(tiers).decide(
        "p", schema=Answer, prompt=PROMPT, variables={"text": "x"}, small=lambda: _small("a", 0.3),
        check=lambda v: [] if v.label == "b" else ["label must be b"],
    )  # fmt: skip
    assert (routed.tier, routed.confidence, routed.needs_review) == ("llm-small", 0.1, False)
    assert models["llm-large"].calls == []


def test_each_decision_has_its_own_threshold() -> None:
    settings = RouterSettings(confidence_threshold=0.6, thresholds={"route": 0.2})
    router = Router(Tiers(), Ledger("test", 1.0, 10_000), settings)
    route = router.decide(
        "route", schema=Answer, prompt=PROMPT, variables={"text": "x"}, small=lambda: _small("a", 0.3)
    )
    other = router.decide(
        "other", schema=Answer, prompt=PROMPT, variables={"text": "x"}, small=lambda: _small("a", 0.3)
    )
    assert (route.tier, other.tier) == ("small", "human")
