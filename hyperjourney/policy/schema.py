"""The policy document: versioned data, validated on load so a typo is an error naming the field.

Every section forbids unknown keys: a misspelt cap silently ignored would be a silent allow.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hyperjourney.policy.models import Channel, Purpose


class PolicyError(ValueError):
    """A policy that cannot be used; the message names every bad field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cap(_Strict):
    day: int | None = Field(None, ge=0)
    week: int | None = Field(None, ge=0)


class ConsentRules(_Strict):
    required_for: list[Purpose] = Field(default=["marketing"])
    consent_channel: dict[Channel, str] = Field(
        default={"email": "email", "sms": "sms", "push": "push", "in_app": "in_app", "webhook": "web"}
    )
    strict_regions: list[str] = Field(default_factory=list)
    strict_email_sources: list[str] = Field(default_factory=list, description="sources valid in strict regions")
    profiling_regions: list[str] = Field(default_factory=list)


class CapRules(_Strict):
    window_days: int = Field(7, ge=1)
    counted_purposes: list[Purpose] = Field(default=["marketing"])
    per_channel: dict[Channel, Cap] = Field(default_factory=dict)
    all_channels: Cap = Field(default_factory=Cap)


class QuietHours(_Strict):
    channels: list[Channel] = Field(default_factory=list)
    purposes: list[Purpose] = Field(default=["marketing"])
    start_hour: int = Field(21, ge=0, le=23)
    end_hour: int = Field(8, ge=0, le=23)


class SendWindow(_Strict):
    start_hour: int = Field(ge=0, le=23)
    end_hour: int = Field(ge=1, le=24)
    purposes: list[Purpose] = Field(default=["marketing"])


class Exclusions(_Strict):
    minor_age_bands: list[str] = Field(default_factory=lambda: ["under_16", "under_18"])
    unknown_age_blocks_age_gated: bool = True
    no_marketing_age_bands: list[str] = Field(default_factory=lambda: ["under_16"])
    severe_ticket_priorities: list[str] = Field(default_factory=lambda: ["high", "urgent"])
    severe_ticket_cooldown_hours: float = Field(48, ge=0)
    failed_payments_block_upsell: int = Field(2, ge=1)
    suppress_flags: list[str] = Field(default_factory=list)


class Budgets(_Strict):
    per_campaign_default: float | None = Field(None, ge=0)
    per_campaign: dict[str, float] = Field(default_factory=dict)
    per_day: float | None = Field(None, ge=0)


class ReviewRules(_Strict):
    max_cohort_without_review: int = Field(5000, ge=1)
    min_confidence: float = Field(0.6, ge=0, le=1)
    regulated_claims: bool = True
    cost_over: float | None = Field(None, ge=0)


class OfferRules(_Strict):
    max_discount_pct: float = Field(30, ge=0, le=100, description="the deepest discount a campaign may offer")


class Policy(_Strict):
    version: str = Field(min_length=1)
    description: str = ""
    consent: ConsentRules = Field(default_factory=ConsentRules)
    caps: CapRules = Field(default_factory=CapRules)
    quiet_hours: QuietHours = Field(default_factory=QuietHours)
    send_windows: dict[Channel, SendWindow] = Field(default_factory=dict)
    fatigue_max_unengaged: dict[Channel, int] = Field(default_factory=dict)
    exclusions: Exclusions = Field(default_factory=Exclusions)
    budgets: Budgets = Field(default_factory=Budgets)
    inventory_min_stock: int = Field(1, ge=0)
    offers: OfferRules = Field(default_factory=OfferRules)

    review: ReviewRules = Field(default_factory=ReviewRules)

    @field_validator("version")
    @classmethod
    def _version_has_no_spaces(cls, v: str) -> str:
        if v.strip() != v or " " in v:
            raise ValueError("version must be one token without spaces")
        return v

    @model_validator(mode="after")
    def _quiet_hours_differ(self) -> Policy:
        if self.quiet_hours.channels and self.quiet_hours.start_hour == self.quiet_hours.end_hour:
            raise ValueError("quiet_hours.start_hour and end_hour must differ")
        return self

    @property
    def rule_count(self) -> int:
        """How many concrete rules this policy evaluates (reported by the benchmark)."""
        caps = sum((c.day is not None) + (c.week is not None) for c in self.caps.per_channel.values())
        caps += (self.caps.all_channels.day is not None) + (self.caps.all_channels.week is not None)
        return (
            2  # recipient match, consent
            + bool(self.consent.strict_regions)
            + bool(self.consent.profiling_regions)
            + caps
            + bool(self.quiet_hours.channels)
            + len(self.send_windows)
            + len(self.fatigue_max_unengaged)
            + 6  # minors, age-gated, suppression flags, severe tickets, ticket product, payment trouble
            + 2  # budgets per campaign and per day
            + 1  # inventory
            + 4  # review: cohort, confidence, regulated claim, cost
        )


def parse_policy(data: Any, *, source: str = "policy") -> Policy:
    """Validate a policy mapping; errors name each bad field as a dotted path."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: a policy must be a mapping of sections, got {type(data).__name__}")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "(root)"
            lines.append(f"{field}: {err['msg']}")
        raise PolicyError(f"{source} is invalid:\n  " + "\n  ".join(lines)) from exc


def parse_policy_yaml(text: str, *, source: str = "policy") -> Policy:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{source} is not valid YAML: {exc}") from exc
    return parse_policy(data, source=source)
