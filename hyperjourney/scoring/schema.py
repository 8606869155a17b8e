"""The scoring facade's typed results (the cross-part contract)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from hyperjourney.guardrails.tone_policy import Situation
from hyperjourney.scoring.conditions import Condition, NotApplied

SCORE_NAMES = ("purchase_propensity", "churn_risk", "upgrade_fit", "clv", "best_send_hour", "next_category")


class Reason(BaseModel):
    """One driver of a score in a marketer's words, e.g. "visited pricing 3x in 7 days" (+, 0.18)."""

    feature: str
    text: str
    direction: Literal["+", "-"]
    size: float = Field(ge=0)


class Score(BaseModel):
    name: str
    value: float
    confidence: float = Field(ge=0, le=1)
    model_version: str
    reasons: list[Reason]
    label: str | None = Field(None, description="the class for categorical scores (next_category)")


class CustomerScores(BaseModel):
    customer_id: str
    scores: dict[str, Score]
    segment: str
    why_in_segment: list[Reason]
    stale_features: list[str]


ModelSource = Literal["tenant", "packaged"]
Sentiment = Literal["very_negative", "negative", "neutral", "positive"]


class TicketClassification(BaseModel):
    intent: str
    intent_confidence: float = Field(ge=0, le=1)  # a calibrated probability for the packaged model
    intent_runner_up: str | None = None  # the second most probable intent
    intent_ambiguous: bool = False  # the top two intents are within the model's ambiguity margin: a person decides
    sentiment: Sentiment
    sentiment_score: float = Field(ge=-1, le=1)
    confidence: float = Field(ge=0, le=1)
    reasons: list[Reason]
    model_version: str
    source: ModelSource = "packaged"  # whose model classified it: the tenant's own or the packaged fallback
    intents: list[str] = Field(default_factory=list)  # the intents that model knows
    intent_descriptions: dict[str, str] = Field(default_factory=dict)  # from the tenant's taxonomy file
    route: str | None = None  # the team or queue the tenant routes this intent to
    high_stakes: float = Field(0.0, ge=0, le=1)  # probability of a high-stakes ticket (packaged stakes model)
    situation: Situation = "confused"  # the tone guide's situation: high stakes wins over mood (Tone agent reads it)


class SegmentQuery(BaseModel):
    """Structured filters over customers and their features; every field optional (all: AND)."""

    industry: list[str] | None = None
    company_size: list[str] | None = None
    business: list[str] | None = None
    lifecycle_stage: list[str] | None = None
    rfm_segment: list[str] | None = None
    region: list[str] | None = None
    language: list[str] | None = None
    min_scores: dict[str, float] = Field(default_factory=dict)
    max_scores: dict[str, float] = Field(default_factory=dict)
    conditions: list[Condition] = Field(
        default_factory=list, description="recency, plan, seats, pages, category, value, size, tenure, consent"
    )


class Segment(BaseModel):
    name: str
    definition: SegmentQuery
    size: int
    customer_ids: list[str]
    why: list[Reason]
    baseline: dict[str, float]
    not_applied: list[NotApplied] = Field(
        default_factory=list, description="conditions the description states that no filter applies, and why"
    )

    def filters_in_words(self) -> list[str]:
        """Each applied filter as the plan shows it ("region is eu", "ordered before, but not in the last 90 days")."""
        return [r.text for r in self.why if r.direction == "+"]


class InsufficientDataError(ValueError):
    """Too little history or too few outcomes to train a model that means anything."""
