"""The support tone policy: one versioned reading of kb/demo/support-tone-guide.md for the Tone agent and the labels.

Each tenant may store its own version (`tone_store`); without one, DEFAULT below applies. The Tone agent answers
with the tenant's active policy and the copilot eval grades against the same policy.

The Tone agent answers with these settings and the golden tickets' expected tone is derived from them, so the two can
no longer disagree by construction (they did: the agent had its own per-sentiment table). The guide's 1..5 scale maps
to the 0..1 scale the agents and guardrails use as (v - 1) / 4. Bump VERSION when a setting changes.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hyperjourney.guardrails.tone import BRAND_VOICE, ToneAttributes

VERSION = 1
Situation = Literal["angry", "confused", "happy", "high_stakes"]
# The guide's situations: (formality, warmth, brevity) on its 1..5 scale.
SETTINGS: dict[Situation, tuple[int, int, int]] = {
    "angry": (3, 4, 4),  # "Angry or frustrated customers"
    "confused": (2, 4, 3),  # "Confused customers": steps, not mood
    "happy": (2, 5, 4),  # "Happy customers"
    "high_stakes": (4, 4, 3),  # "Anxious or high-stakes situations": safety, someone else in the account
}
FORMAL_BUSINESSES = {"ledger"}  # "Ledger replies add 1 to formality in every situation" (capped at 5)
Channel = Literal["email", "sms", "push", "in_app", "chat"]
# kb/demo/brand-voice.md "Channel settings" for campaign copy: push reads like SMS, chat like a support reply
CHANNEL_SETTINGS: dict[Channel, tuple[int, int, int]] = {
    "email": BRAND_VOICE["email"],
    "sms": BRAND_VOICE["sms"],
    "push": BRAND_VOICE["sms"],
    "in_app": BRAND_VOICE["in_app"],
    "chat": BRAND_VOICE["support_reply"],
}


SITUATIONS: tuple[Situation, ...] = ("angry", "confused", "happy", "high_stakes")


class TonePolicy(BaseModel):
    """Per situation, (formality, warmth, brevity) on the guide's 1..5 scale; businesses that add 1 to formality."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    settings: dict[Situation, tuple[int, int, int]]
    formal_businesses: list[str] = Field(default_factory=list)
    channels: dict[Channel, tuple[int, int, int]] = Field(
        default_factory=lambda: dict(CHANNEL_SETTINGS),
        description="Campaign copy per channel (brand voice); a stored policy without it reads the guide's table",
    )

    @field_validator("settings")
    @classmethod
    def _every_situation_on_the_scale(
        cls, value: dict[Situation, tuple[int, int, int]]
    ) -> dict[Situation, tuple[int, int, int]]:
        missing = [s for s in SITUATIONS if s not in value]
        if missing:
            raise ValueError(f"no setting for situation(s) {', '.join(missing)}")
        return _on_scale(value)

    @field_validator("channels")
    @classmethod
    def _channels_on_the_scale(cls, value: dict[Channel, tuple[int, int, int]]) -> dict[Channel, tuple[int, int, int]]:
        return _on_scale(value)


K = TypeVar("K", bound=str)


def _on_scale(value: dict[K, tuple[int, int, int]]) -> dict[K, tuple[int, int, int]]:
    for key, levels in value.items():
        if any(not 1 <= v <= 5 for v in levels):
            raise ValueError(f"{key}: {list(levels)} is off the 1..5 scale")
    return value


DEFAULT = TonePolicy(version=VERSION, settings=SETTINGS, formal_businesses=sorted(FORMAL_BUSINESSES))


def situation_for(sentiment: str, *, high_stakes: bool = False) -> Situation:
    """High stakes wins over mood; negative moods are angry, positive happy, the rest confused."""
    if high_stakes:
        return "high_stakes"
    if sentiment in ("very_negative", "negative"):
        return "angry"
    return "happy" if sentiment == "positive" else "confused"


def tone_for(situation: Situation, business: str | None = None, policy: TonePolicy = DEFAULT) -> ToneAttributes:
    """The settings ``policy`` asks for in ``situation``, for ``business`` when it is known."""
    formality, warmth, brevity = policy.settings[situation]
    if business in policy.formal_businesses:
        formality = min(5, formality + 1)
    return ToneAttributes(formality=(formality - 1) / 4, warmth=(warmth - 1) / 4, brevity=(brevity - 1) / 4)


def channel_tone(channel: str, business: str | None = None, policy: TonePolicy = DEFAULT) -> ToneAttributes:
    """Campaign copy's settings for ``channel`` (brand voice's table in ``policy``), for ``business`` when known;
    a channel the table lacks reads as email."""
    levels = policy.channels.get(channel) or policy.channels.get("email") or CHANNEL_SETTINGS["email"]  # type: ignore[call-overload]
    formality, warmth, brevity = levels
    if business in policy.formal_businesses:
        formality = min(5, formality + 1)
    return ToneAttributes(formality=(formality - 1) / 4, warmth=(warmth - 1) / 4, brevity=(brevity - 1) / 4)
