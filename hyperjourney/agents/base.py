"""What every agent gets (its tools, the router, the clock) and gives back (an output plus its steps)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from hyperjourney.models.router import Routed, Router
from hyperjourney.tools.toolbox import Toolbox


@dataclass(frozen=True)
class AgentContext:
    tools: Toolbox
    router: Router
    now: datetime
    run_id: str


@dataclass
class Step:
    """One decision an agent made, recorded as one agent_steps row and one audit entry."""

    decision: str
    routed: Routed[Any]
    evidence_ids: list[str] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class AgentResult:
    output: BaseModel
    steps: list[Step]
    evidence_ids: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)

    def add(self, step: Step) -> None:
        self.steps.append(step)
        if step.routed.needs_review:
            self.review.append(f"{step.decision}: {step.routed.review_reason}")
