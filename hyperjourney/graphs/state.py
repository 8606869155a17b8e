"""Typed graph state: what a run takes in, what it gives back, and how node updates combine.

Values are JSON-ready (agent outputs are pydantic models dumped to dicts) so checkpoints stay
portable between processes and versions.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

Flow = Literal["canvas", "copilot", "nba"]
AgentName = Literal["researcher", "analyst", "copywriter", "orchestrator", "tone"]
Status = Literal["running", "awaiting_approval", "completed", "rejected", "escalated", "failed"]


def append_unique(left: list[str] | None, right: list[str] | None) -> list[str]:
    """Reducer for visited agents and evidence ids: ordered, without duplicates."""
    out = list(left or [])
    out += [x for x in right or [] if x not in out]
    return out


def merge_results(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Reducer for agent outputs: each agent's latest result replaces its earlier one."""
    return {**(left or {}), **(right or {})}


def add_reasons(left: list[str] | None, right: list[str] | None) -> list[str]:
    """Reducer for review reasons: every reason is kept, in order."""
    return [*(left or []), *(right or [])]


def add_escalations(left: list[dict[str, Any]] | None, right: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Reducer for escalations (review.queue.Escalation, dumped): every one is kept, in order."""
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


class RunState(RunInput, total=False):
    plan: list[str]
    plan_kind: str
    done: Annotated[list[str], append_unique]
    results: Annotated[dict[str, Any], merge_results]
    evidence: Annotated[list[str], append_unique]
    review: Annotated[list[str], add_reasons]
    escalations: Annotated[list[dict[str, Any]], add_escalations]
    budget: dict[str, Any]  # graphs.wiring.Spent, dumped: the run's spend so far, the same in every process
    edit_problems: list[str]
    decision: dict[str, Any]
    status: Status
    outcome: dict[str, Any]
