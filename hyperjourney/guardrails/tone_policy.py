"""The support tone policy: one versioned reading of kb/demo/support-tone-guide.md for the Tone agent and the labels.

The Tone agent answers with these settings and the golden tickets' expected tone is derived from them, so the two can
no longer disagree by construction (they did: the agent had its own per-sentiment table). The guide's 1..5 scale maps
to the 0..1 scale the agents and guardrails use as (v - 1) / 4. Bump VERSION when a setting changes.
"""

from __future__ import annotations

from typing import Literal

from hyperjourney.guardrails.tone import ToneAttributes

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


def situation_for(sentiment: str, *, high_stakes: bool = False) -> Situation:
    """High stakes wins over mood; negative moods are angry, positive happy, the rest confused."""
    if high_stakes:
        return "high_stakes"
    if sentiment in ("very_negative", "negative"):
        return "angry"
    return "happy" if sentiment == "positive" else "confused"


def tone_for(situation: Situation, business: str | None = None) -> ToneAttributes:
    """The settings the guide asks for in ``situation``, for ``business`` when it is known."""
    formality, warmth, brevity = SETTINGS[situation]
    if business in FORMAL_BUSINESSES:
        formality = min(5, formality + 1)
    return ToneAttributes(formality=(formality - 1) / 4, warmth=(warmth - 1) / 4, brevity=(brevity - 1) / 4)
