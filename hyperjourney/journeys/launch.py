"""Launching a journey: the canvas flow's approved plan becomes a stored, active journey version, and its
audience (if the plan names one) is enrolled right away. This is the agents' ``Launcher`` port."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.journeys import store
from hyperjourney.journeys.definition import ActionStep, JourneyDefinition, Variant, examples, parse
from hyperjourney.journeys.runner import JourneyRunner, RunStats

GOAL_FOR_METRIC = {
    "ltv": "checkout", "revenue": "checkout", "aov": "checkout", "conversion": "checkout", "purchase": "checkout",
    "upgrade": "upgrade", "expansion": "upgrade", "activation": "usage_milestone", "pipeline": "meeting_booked",
    "meetings": "meeting_booked", "retention": "login", "churn": "login",
}  # fmt: skip


class JourneyPlan(BaseModel):
    """An approved plan, in one of three shapes: a full journey definition (``journey``); a shipped pattern
    (``template``) with the plan's copy; or the canvas's plan (``plan``: name, steps of channel + delay_days,
    frequency cap, holdout share) with its copy variants, metric and segment audience."""

    model_config = ConfigDict(extra="ignore")

    plan_id: str = Field("plan", description="Run or plan id")
    goal: str = ""
    journey: JourneyDefinition | dict[str, Any] | None = None
    template: str | None = Field(None, description="Id of a shipped pattern, e.g. cart-abandon")
    journey_id: str | None = Field(None, description="Id for the journey (default: from the template or name)")
    plan: dict[str, Any] | None = Field(None, description="The canvas's journey plan")
    variants: list[dict[str, Any]] = Field(default_factory=list, description="Copy: channel/name, subject, body")
    metric: str = ""
    segment_name: str = ""
    audience: list[str] = Field(default_factory=list, description="Customer ids to enroll now (a segment)")
    holdout_share: float | None = Field(None, ge=0, le=0.9)
    approved_by: str = "canvas"
    evidence: list[Any] = Field(default_factory=list)


class LaunchResult(BaseModel):
    launched: bool = True
    journey_id: str
    version: int
    status: Literal["launched", "unchanged"]
    enrolled: int
    holdout: int
    actions_queued: int
    denied: int = 0
    detail: str


def definition_for(plan: JourneyPlan) -> JourneyDefinition:
    """The plan's journey, validated like any definition (cycles, unknown events/channels, missing exit)."""
    if plan.journey is not None:
        raw = plan.journey.model_dump(mode="json") if isinstance(plan.journey, JourneyDefinition) else plan.journey
        return parse(raw)
    if plan.plan is not None:
        return parse(canvas_definition(plan))
    shipped = {d.id: d for d in examples()}
    if plan.template not in shipped:
        raise ValueError(f"plan has no journey and template {plan.template!r} is not one of {', '.join(shipped)}")
    base = shipped[plan.template].model_dump(mode="json")
    if plan.journey_id:
        base["id"] = plan.journey_id
    if plan.holdout_share is not None:
        base["holdout_share"] = plan.holdout_share
    if plan.goal:
        base["description"] = plan.goal
    if plan.variants:
        first = next(s for s in base["steps"] if s["type"] == "action")
        first["variants"] = [
            Variant(name=v.get("name") or f"v{i + 1}", subject=v.get("subject"), body=v["body"]).model_dump()
            for i, v in enumerate(plan.variants)
        ]
    defn = parse(base)
    assert any(isinstance(s, ActionStep) for s in defn.steps)
    return defn


def canvas_definition(plan: JourneyPlan) -> dict[str, Any]:
    """The canvas's plan as a journey: enroll the segment, then per step wait its delay and send its copy."""
    assert plan.plan is not None
    canvas = plan.plan
    name = str(canvas.get("name") or plan.goal or "canvas journey")
    journey_id = plan.journey_id or (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50] or "canvas")
    why = f"you are one of our {plan.segment_name} customers" if plan.segment_name else "your recent activity"
    steps: list[dict[str, Any]] = []
    prev_delay = 0
    for i, step in enumerate(canvas.get("steps") or []):
        delay = max(int(step.get("delay_days", 0)) - prev_delay, 0)
        prev_delay = max(prev_delay, int(step.get("delay_days", 0)))
        if delay:
            steps.append({"id": f"wait_{i}", "type": "wait", "hours": 24 * delay, "next": f"send_{i}"})
        channel = step.get("channel", "email")
        copy = [v for v in plan.variants if v.get("channel") == channel] or [
            {"subject": None, "body": f"{name}: see what's new for you."}
        ]
        steps.append({
            "id": f"send_{i}", "type": "action", "channel": channel, "why": why,
            "experiment": "bandit" if len(copy) > 1 else "ab",
            "variants": [{"name": f"{channel}-{k + 1}", "subject": v.get("subject"), "body": v["body"]}
                         for k, v in enumerate(copy)],
        })  # fmt: skip
    steps.append({"id": "done", "type": "exit", "reason": "plan complete"})
    for here, there in pairwise(steps):
        here.setdefault("next", there["id"])
    return {
        "id": journey_id,
        "name": name,
        "description": plan.goal,
        "trigger": {"event": "segment_entered"},
        "start": steps[0]["id"],
        "steps": steps,
        "goal": {"event": GOAL_FOR_METRIC.get(plan.metric.lower(), "checkout"), "within_hours": 24 * 14},
        "caps": {"max_actions": int(canvas.get("frequency_cap_per_week", 2)), "window_days": 7,
                 "reenter_after_days": 30},
        "holdout_share": float(canvas.get("holdout_share", plan.holdout_share or 0.1)),
    }  # fmt: skip


def launch_plan(db: Database, tenant: str, plan: JourneyPlan, *, now: datetime | None = None) -> LaunchResult:
    """Store and activate the plan's journey and enroll its audience, in one transaction."""
    defn = definition_for(plan)
    at = now or datetime.now(UTC)
    runner = JourneyRunner(db, tenant)
    stats = RunStats()
    with db.tenant(tenant) as conn:
        before = conn.execute("SELECT max(version) FROM journeys WHERE journey_id = %s", (defn.id,)).fetchone()
        version = store.save(conn, defn, actor=plan.approved_by)
        runner.start_cursor_here(conn)
        sj = store.get(conn, defn.id, version)
        for customer in plan.audience:
            runner.enroll(
                conn,
                sj,
                customer,
                entity=f"launch:{plan.plan_id}",
                props={},
                trigger_event=plan.plan_id,
                at=at,
                stats=stats,
            )
        queued = stats.actions
        audit.append(
            conn, actor=plan.approved_by, action="journey_launched", entity=f"journey:{defn.id}",
            payload={"version": version, "plan": plan.plan_id, "goal": plan.goal, "audience": len(plan.audience),
                     "enrolled": stats.enrolled, "holdout": stats.holdout, "evidence": plan.evidence},
        )  # fmt: skip
    unchanged = before is not None and before[0] == version and not plan.audience
    return LaunchResult(
        launched=True,
        journey_id=defn.id,
        version=version,
        status="unchanged" if unchanged else "launched",
        enrolled=stats.enrolled,
        holdout=stats.holdout,
        actions_queued=queued,
        denied=stats.denied,
        detail=f"journey {defn.id} v{version} is live: {stats.enrolled} enrolled, {stats.holdout} held out, "
        f"{queued} actions queued, {stats.denied} refused by policy; new {defn.trigger.event} events enroll more",
    )


class JourneyLauncher:
    """The agents' ``Launcher`` port: ``launch(tenant, run_id, plan) -> LaunchResult``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def launch(self, tenant: str, run_id: str, plan: JourneyPlan | dict[str, Any]) -> LaunchResult:
        data = plan.model_dump() if isinstance(plan, JourneyPlan) else dict(plan)
        return launch_plan(self.db, tenant, JourneyPlan.model_validate({**data, "plan_id": run_id}))
