"""Tokens, cost and latency per model call, per run totals, per-feature budgets and the routing mix."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, Field

from hyperjourney.models.tiers import TierName
from hyperjourney.telemetry.metrics import MODEL_COST, MODEL_TOKENS, ROUTER_DECISIONS


class Usage(BaseModel):
    """What one attempt on one tier cost."""

    tier: TierName
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class RunTotals(BaseModel):
    """A run's summary: spend, tokens, latency and the share of decisions each tier took."""

    decisions: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    mix: dict[str, float] = Field(default_factory=dict)
    by_tier: dict[str, int] = Field(default_factory=dict)


class Ledger:
    """Spend of one run against its feature's budget; once exhausted, escalation stops."""

    def __init__(self, feature: str, budget_usd: float, max_tokens: int, *, spent_usd: float = 0.0, tokens: int = 0):
        self.feature = feature
        self.budget_usd = budget_usd
        self.max_tokens = max_tokens
        self.spent_usd = spent_usd
        self.tokens = tokens
        self.latency_ms = 0.0
        self.decided_by: Counter[str] = Counter()

    def charge(self, usage: Usage) -> None:
        self.spent_usd += usage.cost_usd
        self.tokens += usage.tokens
        self.latency_ms += usage.latency_ms
        MODEL_TOKENS.labels(flow=self.feature, tier=usage.tier, direction="input").inc(usage.input_tokens)
        MODEL_TOKENS.labels(flow=self.feature, tier=usage.tier, direction="output").inc(usage.output_tokens)
        MODEL_COST.labels(flow=self.feature, tier=usage.tier).inc(usage.cost_usd)

    def decided(self, tier: str) -> None:
        self.decided_by[tier] += 1
        ROUTER_DECISIONS.labels(flow=self.feature, tier=tier).inc()

    def exhausted(self) -> str | None:
        """Why no more LLM calls are allowed, or None while budget remains."""
        if self.spent_usd >= self.budget_usd:
            return f"{self.feature} budget exhausted (${self.spent_usd:.4f} of ${self.budget_usd:.4f} spent)"
        if self.tokens >= self.max_tokens:
            return f"{self.feature} token budget exhausted ({self.tokens} of {self.max_tokens} tokens)"
        return None

    def totals(self) -> RunTotals:
        n = sum(self.decided_by.values())
        return RunTotals(
            decisions=n,
            tokens=self.tokens,
            cost_usd=round(self.spent_usd, 6),
            latency_ms=round(self.latency_ms, 3),
            mix={k: round(v / n, 3) for k, v in sorted(self.decided_by.items())} if n else {},
            by_tier=dict(sorted(self.decided_by.items())),
        )
