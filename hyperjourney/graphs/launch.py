"""How an approved canvas plan is launched: the plan becomes a journey definition (one action step per channel,
waits between, then exit) enrolling the whole segment, through the journeys domain's ``launch_plan``.

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


_GOAL_EVENT = {"ltv": "upgrade", "conversion": "contract_signed", "retention": "login", "engagement": "login"}


def step_message(variant: dict[str, Any]) -> dict[str, Any]:
    """The one place approved copy becomes what a journey step sends (name, subject, body): a renderer of
    structured copy plugs in here. Empty copy is refused, never launched."""
    body = str(variant.get("body") or "")
    if not body.strip():
        raise ValueError(f"{variant.get('channel')} variant: the approved body is empty")
    return {"name": f"{variant['channel']}_1", "subject": variant.get("subject"), "body": body}


def journey_definition(run_id: str, approved: dict[str, Any]) -> dict[str, Any]:
    """The canvas plan as a journey definition: one action step per channel, waits between, then exit."""
    plan, segment = approved["plan"], approved["segment"]
    by_channel = {v["channel"]: v for v in approved["variants"]}
    steps: list[dict[str, Any]] = []
    for i, step in enumerate(plan["steps"]):
        if i and step["delay_days"] > 0:
            steps.append({"type": "wait", "id": f"wait_{i}", "hours": step["delay_days"] * 24, "next": f"send_{i}"})
        variant = by_channel.get(step["channel"])
        if variant is None:
            raise ValueError(f"plan step {i} ({step['channel']}): no approved copy for this channel")
        steps.append(
            {
                "type": "action",
                "id": f"send_{i}",
                "channel": step["channel"],
                "purpose": "marketing",
                "why": f"you are in our {approved.get('segment_name') or 'selected'} audience",
                "variants": [step_message(variant)],
                "next": "",
            }
        )
    for k, s in enumerate(steps):
        if s["type"] == "action":
            s["next"] = steps[k + 1]["id"] if k + 1 < len(steps) else "done"
    where = [
        {"field": f"customer.{field}", "op": "in", "value": value}
        for field, value in segment.items()
        if field in ("industry", "company_size", "region", "lifecycle_stage") and value
    ]
    actions = sum(1 for s in steps if s["type"] == "action")
    return {
        "id": f"canvas-{run_id.removeprefix('run-')[:16]}",
        "name": plan.get("name") or f"canvas {run_id}",
        "description": approved.get("goal", ""),
        "trigger": {"event": "login", "where": where},
        "start": steps[0]["id"] if steps else "done",
        "steps": [*steps, {"type": "exit", "id": "done", "reason": "journey complete"}],
        "goal": {"event": _GOAL_EVENT.get(approved.get("metric", "ltv"), "upgrade"), "within_hours": 24 * 28},
        "caps": {"max_actions": max(actions, plan.get("frequency_cap_per_week", 2)), "window_days": 7},
        "holdout_share": plan.get("holdout_share", 0.1),
    }


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
        approved = JourneyPlan(
            plan_id=run_id,
            goal=plan.get("goal", ""),
            journey=journey_definition(run_id, plan),
            audience=audience,
            holdout_share=plan["plan"].get("holdout_share"),
            approved_by=plan.get("approved_by") or "canvas",
            evidence=plan.get("evidence", []),
        )
        result = launch_plan(self.db, tenant, approved)
        return result.model_copy(update={"launched": result.status == "launched"})  # a re-launch changed nothing
