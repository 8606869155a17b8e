"""How an approved canvas plan is launched: handed to the journeys domain as a ``JourneyPlan`` (its
``canvas_definition`` builds the journey: per step a wait and the step's copy, then exit), enrolling the whole
segment, through ``launch_plan``.

``Launcher`` is what the graph needs from a launch; ``CanvasLauncher`` is the real one (tests pass their own).
"""

from __future__ import annotations

from typing import Any, Protocol

from hyperjourney.db.database import Database
from hyperjourney.journeys.launch import JourneyPlan, LaunchResult, launch_plan
from hyperjourney.scoring.schema import SegmentQuery
from hyperjourney.scoring.segments import find_segment


class Launcher(Protocol):
    def launch(self, tenant: str, run_id: str, plan: dict[str, Any]) -> LaunchResult: ...


def approved_plan(run_id: str, plan: dict[str, Any], audience: list[str]) -> JourneyPlan:
    """The approved canvas plan as the journeys domain takes it (``journeys.launch.canvas_definition`` builds
    the journey): one journey per run, its id from the run."""
    return JourneyPlan(
        plan_id=run_id,
        journey_id=f"canvas-{run_id.removeprefix('run-')[:16]}",
        goal=plan.get("goal", ""),
        plan=plan["plan"],
        variants=plan["variants"],
        metric=plan.get("metric", ""),
        segment_name=plan.get("segment_name", ""),
        segment=plan.get("segment", {}),
        audience=audience,
        holdout_share=plan["plan"].get("holdout_share"),
        approved_by=plan.get("approved_by") or "canvas",
        evidence=plan.get("evidence", []),
    )


class CanvasLauncher:
    """The approved canvas plan as a live journey, enrolling the whole segment (not the sample the Researcher saw)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def launch(self, tenant: str, run_id: str, plan: dict[str, Any]) -> LaunchResult:
        try:
            query = SegmentQuery.model_validate(plan["segment"])
            audience = find_segment(self.db, tenant, query, limit=max(int(plan["cohort_size"]), 1)).customer_ids
        except ValueError:
            audience = list(plan.get("audience", []))
        result = launch_plan(self.db, tenant, approved_plan(run_id, plan, audience))
        return result.model_copy(update={"launched": result.status == "launched"})  # a re-launch changed nothing
