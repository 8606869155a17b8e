"""What each role may do, in one table that the API (keys) and the UI (logins) both ask.

Viewers look; reviewers also change state (store a pasted ticket, start a run, escalate, ingest) and
decide (approve, edit or reject a plan). A second copy of this rule in a surface is how a viewer once
ran the copilot in the UI while the API refused the same action.
"""

from __future__ import annotations

from typing import Literal

Role = Literal["reviewer", "viewer"]
Action = Literal["read", "write", "decide"]

_ALLOWED: dict[str, frozenset[Action]] = {
    "viewer": frozenset({"read"}),
    "reviewer": frozenset({"read", "write", "decide"}),
}


def can(role: str | None, action: Action) -> bool:
    """Whether ``role`` may do ``action``; an unknown or missing role may do nothing."""
    return action in _ALLOWED.get(role or "", frozenset())
