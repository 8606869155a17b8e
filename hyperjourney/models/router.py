"""The small-first router: every decision point asks it, and it escalates only when it must.

Order: the small tier (in-process models, rules, retrieval, templates: no tokens) answers first. The
decision moves up to llm-small, then llm-large, when the small answer's confidence is below the
threshold (per decision, `RouterSettings.thresholds`; the small tier's confidences are calibrated
probabilities), the stakes are high (then it starts at llm-large), or a guardrail rejected the output. An
LLM answer that fails its schema is re-asked once; one that fails a guardrail is re-asked once with
the failures as feedback; then the next tier is tried. An LLM answer that passes its schema and checks is
accepted: its self-reported confidence is recorded, never trusted as a probability. When no configured
tier can take it, or the feature's budget is spent, the decision goes to human review with every reason
collected.

Resilience (models/resilience.py): a tier's transport failures (429, 5xx, timeouts) are retried with backoff
first; a tier that still cannot answer, or whose circuit is open, or whose recent latency would miss the reply's
latency budget, fails over to the next tier. When every LLM tier the decision could use was unavailable (not
merely unconfigured) and the small tier had a guardrail-clean answer of a decision that is not high stakes, that
answer is used and marked ``degraded``; otherwise the decision is queued for review. Each of these is a
``TierEvent`` on the decision, recorded with its step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from hyperjourney.models.accounting import Ledger, Usage
from hyperjourney.models.resilience import Resilience, TierEvent, TierUnavailable
from hyperjourney.models.structured import Attempt, ask
from hyperjourney.models.tiers import TierName, Tiers
from hyperjourney.prompts.loader import Prompt
from hyperjourney.settings import RouterSettings
from hyperjourney.telemetry.metrics import TIER_FAILOVERS

T = TypeVar("T", bound=BaseModel)
Check = Callable[[Any], list[str]]
Outcome = Literal["decided", "failed", "unavailable"]


@dataclass
class Candidate(Generic[T]):
    """The small tier's answer and how sure it is (0..1)."""

    value: T
    confidence: float
    reason: str = ""


class Stakes(BaseModel):
    cohort_size: int = 1
    budget_usd: float = 0.0
    regulated_claim: bool = False


@dataclass
class Routed(Generic[T]):
    """Who decided (a tier, or "human" when it went to review), with why and what it cost."""

    point: str
    value: T | None
    tier: str
    confidence: float
    prompt: Prompt | None
    reason: str = ""
    escalations: list[str] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    review_reason: str | None = None
    latency_ms: float = 0.0  # wall time since the previous step of this node (or the node's start)
    events: list[TierEvent] = field(default_factory=list)  # retries, failovers, degradations (resilience)

    @property
    def needs_review(self) -> bool:
        return self.review_reason is not None

    @property
    def usage(self) -> list[Usage]:
        return [a.usage for a in self.attempts]

    @property
    def model(self) -> str:
        return self.attempts[-1].usage.model if self.attempts and self.tier != "small" else ""


class Router:
    def __init__(
        self,
        tiers: Tiers,
        ledger: Ledger,
        settings: RouterSettings | None = None,
        *,
        resilience: Resilience | None = None,
        budget_ms: int | None = None,
    ) -> None:
        """``budget_ms``: the reply's latency budget (its channel's), counted from now; None: no deadline."""
        self.tiers = tiers
        self.ledger = ledger
        self.settings = settings or RouterSettings()
        self.resilience = resilience or Resilience(self.settings)
        if budget_ms is not None:
            self.resilience.deadline = self.resilience.clock() + budget_ms / 1000
        # One router per node: each step's latency is the wall time since the previous step (or the node's start),
        # so in-process decisions and lookups get their real cost, not only the LLM calls' usage.
        self._mark = time.perf_counter()

    def _timed(self, routed: Routed[T]) -> Routed[T]:
        now = time.perf_counter()
        routed.latency_ms, self._mark = (now - self._mark) * 1000, now
        return routed

    def high_stakes(self, stakes: Stakes) -> str | None:
        s = self.settings
        why = []
        if stakes.cohort_size >= s.high_stakes_cohort:
            why.append(f"cohort of {stakes.cohort_size} ≥ {s.high_stakes_cohort}")
        if stakes.budget_usd >= s.high_stakes_budget_usd and stakes.budget_usd > 0:
            why.append(f"budget ${stakes.budget_usd:,.0f} ≥ ${s.high_stakes_budget_usd:,.0f}")
        if stakes.regulated_claim:
            why.append("regulated claim")
        return "high stakes: " + ", ".join(why) if why else None

    def tool_step(self, point: str, value: T, reason: str) -> Routed[T]:
        """A deterministic small-tier step (retrieval, a lookup): recorded like a decision, never escalated."""
        self.ledger.decided("small")
        return self._timed(Routed(point, value, "small", 1.0, None, reason))

    def decide(
        self,
        point: str,
        *,
        schema: type[T],
        prompt: Prompt,
        variables: dict[str, Any],
        small: Callable[[], Candidate[T] | None] | None = None,
        stakes: Stakes | None = None,
        check: Check | None = None,
    ) -> Routed[T]:
        threshold = self.settings.threshold(point)
        candidate = small() if small else None
        high = self.high_stakes(stakes or Stakes())
        problems = check(candidate.value) if candidate and check else []
        if candidate is not None and candidate.confidence >= threshold and not high and not problems:
            self.ledger.decided("small")
            return self._timed(Routed(point, candidate.value, "small", candidate.confidence, prompt, candidate.reason))
        if candidate is None:
            why = "no small-tier answer"
        elif problems:
            why = "guardrails rejected the small-tier output: " + "; ".join(problems)
        elif high:
            why = high
        else:
            why = f"low confidence {candidate.confidence:.2f} < {threshold:.2f}"
        routed: Routed[T] = Routed(
            point,
            candidate.value if candidate else None,
            "human",
            candidate.confidence if candidate else 0.0,
            prompt,
            why,
            escalations=[why],
        )
        ladder: tuple[TierName, ...] = ("llm-large",) if high else ("llm-small", "llm-large")
        feedback = "; ".join(problems) if problems else None
        events = self.resilience.events = []
        unavailable = False  # a configured tier could not answer (transport, circuit, time): not a quality verdict
        for i, name in enumerate(ladder):
            outcome = self._try(routed, name, schema, prompt, prompt.render(**variables), feedback, check)
            if outcome == "decided":
                routed.events = events
                return self._timed(routed)
            if outcome == "unavailable":
                unavailable = True
                following = next((n for n in ladder[i + 1 :] if self.tiers.get(n) is not None), None)
                if following is not None:
                    detail = routed.escalations[-1]
                    events.append(TierEvent(kind="failover", tier=name, detail=detail, to=following))
            feedback = None
        routed.events = events
        if unavailable and candidate is not None and not high and not problems:
            detail = f"LLM tiers unavailable; the small tier's answer ({candidate.confidence:.2f}) is used"
            events.append(TierEvent(kind="degraded", tier=ladder[-1], detail=detail, to="small"))
            TIER_FAILOVERS.labels(tier=ladder[-1], kind="degraded").inc()
            routed.value, routed.tier, routed.confidence = candidate.value, "small", candidate.confidence
            routed.reason = f"degraded: {why}; {detail}"
            self.ledger.decided("small")
            return self._timed(routed)
        routed.review_reason = "; ".join(routed.escalations)
        if unavailable:
            events.append(TierEvent(kind="queued", tier=ladder[-1], detail="no tier could answer", to="review"))
        self.ledger.decided("human")
        return self._timed(routed)

    def _try(
        self,
        routed: Routed[T],
        name: TierName,
        schema: type[T],
        prompt: Prompt,
        text: str,
        feedback: str | None,
        check: Check | None,
    ) -> Outcome:
        tier = self.tiers.get(name)
        if tier is None:
            routed.escalations.append(f"{name} tier not configured")
            return "failed"
        exhausted = self.ledger.exhausted()
        if exhausted:
            routed.escalations.append(exhausted)
            return "failed"
        if not self.resilience.fits(name, tier.model_name):
            left = self.resilience.remaining_s() or 0.0
            detail = f"{name}: its recent latency would miss the reply's budget ({max(left, 0.0):.2f} s left)"
            return self._unavailable(routed, TierEvent(kind="over_budget", tier=name, detail=detail))
        guard = self.resilience
        try:
            value, attempts = ask(tier, schema, text, feedback=feedback, source=prompt, resilience=guard)
            self._charge(routed, attempts)
            if value is None:
                routed.escalations.append(f"{name}: no valid structured output after one re-ask ({attempts[-1].error})")
                return "failed"
            problems = check(value) if check else []
            if problems and not self.ledger.exhausted():
                again = "; ".join(problems)
                value, attempts = ask(tier, schema, text, feedback=again, reasks=0, source=prompt, resilience=guard)
                self._charge(routed, attempts)
                problems = (check(value) if check else []) if value is not None else ["no valid structured output"]
        except TierUnavailable as exc:
            self._charge(routed, exc.attempts)
            return self._unavailable(routed, exc.event)
        if value is None or problems:
            routed.escalations.append(f"{name}: guardrails rejected the output twice: " + "; ".join(problems))
            return "failed"
        confidence = float(getattr(value, "confidence", 1.0))  # as the model stated it: recorded, not gated on
        routed.value, routed.tier, routed.confidence = value, name, confidence
        self.ledger.decided(name)
        return "decided"

    def _unavailable(self, routed: Routed[T], event: TierEvent) -> Outcome:
        self.resilience.events.append(event)
        routed.escalations.append(event.detail)
        TIER_FAILOVERS.labels(tier=event.tier, kind=event.kind).inc()
        return "unavailable"

    def _charge(self, routed: Routed[T], attempts: list[Attempt]) -> None:
        for attempt in attempts:
            self.ledger.charge(attempt.usage)
        routed.attempts.extend(attempts)
