"""What every flow's state shares: what a run takes in, what it gives back, and how node updates combine.

Each flow adds its own typed fields (graphs/canvas.py, copilot.py, nba.py): agent outputs are kept as the
agents' pydantic models; checkpoints store them with the serializer that ``STATE_TYPES`` allows
(graphs/checkpoints.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from hyperjourney.graphs.wiring import Spent
from hyperjourney.review.queue import Escalation

Flow = Literal["canvas", "copilot", "nba"]
Status = Literal["running", "awaiting_approval", "completed", "rejected", "escalated", "failed"]


def append_unique(left: list[str] | None, right: list[str] | None) -> list[str]:
    """Reducer for visited agents and evidence ids: ordered, without duplicates."""
    out = list(left or [])
    out += [x for x in right or [] if x not in out]
    return out


def add_reasons(left: list[str] | None, right: list[str] | None) -> list[str]:
    """Reducer for review reasons: every reason is kept, in order."""
    return [*(left or []), *(right or [])]


def add_escalations(left: list[Escalation] | None, right: list[Escalation] | None) -> list[Escalation]:
    """Reducer for escalations: every one is kept, in order."""
    return [*(left or []), *(right or [])]


class RunInput(TypedDict):
    run_id: str
    tenant: str
    flow: Flow
    request: dict[str, Any]


class RunOutput(TypedDict, total=False):
    run_id: str
    status: Status
    outcome: dict[str, Any]
    review: list[str]
    evidence: list[str]


class BaseState(RunInput, total=False):
    done: Annotated[list[str], append_unique]
    evidence: Annotated[list[str], append_unique]
    review: Annotated[list[str], add_reasons]
    escalations: Annotated[list[Escalation], add_escalations]
    budget: Spent  # the run's spend so far: graph state, so the same in every process that continues the run
    status: Status
    outcome: dict[str, Any]
