"""Model tiers under a failing provider: retries before failover, a breaker per tier, latency budgets.

A scripted chat model raises what a provider does (429 with Retry-After, timeouts, dropped connections, a 400);
no network. Sleeps are recorded, not slept.
"""

from __future__ import annotations

import httpx
import openai
from pydantic import BaseModel, Field

from hyperjourney.models.accounting import Ledger
from hyperjourney.models.resilience import Breakers, Resilience
from hyperjourney.models.router import Candidate, Routed, Router, Stakes
from hyperjourney.models.tiers import Tiers
from hyperjourney.prompts.loader import Prompt
from hyperjourney.settings import RouterSettings
from tests.agentkit import scripted_tiers


class Answer(BaseModel):
    label: str
    confidence: float = Field(0.9, ge=0, le=1)


PROMPT = Prompt(name="test", text="Classify: $text", sha256="0" * 64)
URL = "http://llm.test/v1/chat/completions"


def rate_limited(retry_after: str = "0.05") -> openai.RateLimitError:
    response = httpx.Response(429, headers={"retry-after": retry_after}, request=httpx.Request("POST", URL))
    return openai.RateLimitError("rate limited", response=response, body=None)


def bad_request() -> openai.BadRequestError:
    response = httpx.Response(400, request=httpx.Request("POST", URL))
    return openai.BadRequestError("context too long", response=response, body=None)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def _router(tiers: Tiers, clock: Clock, budget_ms: int | None = None, **settings: float) -> Router:
    config = RouterSettings(confidence_threshold=0.6, **settings)  # type: ignore[arg-type]
    guard = Resilience(config, breakers=Breakers(clock), sleep=clock.sleep, clock=clock)
    return Router(tiers, Ledger("test", 1.0, 100_000), config, resilience=guard, budget_ms=budget_ms)


def _decide(router: Router, confidence: float = 0.3, stakes: Stakes | None = None) -> Routed[Answer]:
    return router.decide(
        "p", schema=Answer, prompt=PROMPT, variables={"text": "x"}, stakes=stakes,
        small=lambda: Candidate(Answer(label="small", confidence=confidence), confidence, "rules"),
    )  # fmt: skip


def test_a_429_is_retried_after_its_retry_after_and_never_reaches_a_person() -> None:
    clock = Clock()
    tiers, models = scripted_tiers(small=[rate_limited(), rate_limited(), {"label": "llm", "confidence": 0.8}])
    routed = _decide(_router(tiers, clock))
    assert (routed.tier, routed.needs_review) == ("llm-small", False)
    assert [e.kind for e in routed.events] == ["retry", "retry"]
    assert clock.slept == [0.05, 0.05]  # the provider's Retry-After, not our own backoff
    models["llm-small"].assert_done()


def test_backoff_doubles_and_is_capped_when_the_provider_names_no_wait() -> None:
    clock = Clock()
    tiers, _ = scripted_tiers(small=[TimeoutError("read timed out")] * 3 + [{"label": "llm"}])
    routed = _decide(_router(tiers, clock, retries=3, backoff_s=1.0, backoff_max_s=1.5))
    assert routed.tier == "llm-small"
    first, second, third = clock.slept
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 1.5 and third == 1.5


def test_a_400_is_not_retried() -> None:
    clock = Clock()
    tiers, models = scripted_tiers(small=[bad_request()])
    routed = _decide(_router(tiers, clock))
    assert routed.needs_review and clock.slept == [] and routed.events == []
    assert "BadRequestError" in (routed.review_reason or "")
    models["llm-small"].assert_done()


def test_an_open_circuit_fails_over_to_the_next_tier_then_lets_one_trial_call_through() -> None:
    clock = Clock()
    tiers, models = scripted_tiers(
        small=[TimeoutError("t1"), TimeoutError("t2"), {"label": "back"}],
        large=[{"label": "large-1"}, {"label": "large-2"}],
    )
    router = _router(tiers, clock, retries=3, breaker_failures=2, breaker_cooldown_s=30.0)
    first = _decide(router)
    assert first.tier == "llm-large" and first.value is not None and first.value.label == "large-1"
    assert [(e.kind, e.tier, e.to) for e in first.events] == [
        ("retry", "llm-small", None), ("circuit_open", "llm-small", None), ("failover", "llm-small", "llm-large")
    ]  # fmt: skip
    second = _decide(router)  # the circuit is open: llm-small is skipped without a call
    assert second.tier == "llm-large" and len(models["llm-small"].calls) == 2
    assert [e.kind for e in second.events] == ["circuit_open", "failover"]
    clock.now += 31.0  # cooldown over: one trial call, which succeeds and closes the circuit
    third = _decide(router)
    assert third.tier == "llm-small" and third.events == []
    models["llm-small"].assert_done()
    models["llm-large"].assert_done()


def test_every_llm_tier_down_uses_the_small_answer_marked_degraded() -> None:
    clock = Clock()
    tiers, _ = scripted_tiers(small=[ConnectionError("reset")] * 3)
    routed = _decide(_router(tiers, clock, retries=2))
    assert (routed.tier, routed.needs_review) == ("small", False)
    assert routed.value is not None and routed.value.label == "small"
    assert [e.kind for e in routed.events] == ["retry", "retry", "unavailable", "degraded"]
    assert routed.events[-1].to == "small" and routed.reason.startswith("degraded: low confidence 0.30")


def test_high_stakes_with_the_large_tier_down_are_queued_for_review_not_degraded() -> None:
    clock = Clock()
    tiers, _ = scripted_tiers(small=[], large=[rate_limited()] * 2)
    routed = _decide(_router(tiers, clock, retries=1), confidence=0.99, stakes=Stakes(regulated_claim=True))
    assert routed.needs_review and routed.tier == "human"
    assert [e.kind for e in routed.events] == ["retry", "unavailable", "queued"]
    assert routed.events[-1].to == "review"


def test_a_tier_too_slow_for_the_replys_budget_is_skipped_for_the_small_tier() -> None:
    clock = Clock()
    tiers, models = scripted_tiers(small=[])
    router = _router(tiers, clock, budget_ms=2_000)
    router.resilience.breakers.of("llm-small", "llm-small-scripted", router.settings).succeeded(5.0)  # it takes 5 s
    routed = _decide(router)
    assert routed.tier == "small" and models["llm-small"].calls == []
    assert [e.kind for e in routed.events] == ["over_budget", "degraded"]


def test_a_reply_no_tier_can_give_in_time_is_queued_never_dropped() -> None:
    clock = Clock()
    tiers, models = scripted_tiers(small=[])
    router = _router(tiers, clock, budget_ms=2_000)
    router.resilience.breakers.of("llm-small", "llm-small-scripted", router.settings).succeeded(5.0)
    routed = router.decide("p", schema=Answer, prompt=PROMPT, variables={"text": "x"}, small=None)
    assert routed.needs_review and models["llm-small"].calls == []
    assert [e.kind for e in routed.events] == ["over_budget", "queued"]
