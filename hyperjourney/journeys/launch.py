"""Launching a journey: the canvas flow's approved plan becomes a stored, active journey version, and its
audience (if the plan names one) is enrolled right away. This is the agents' ``Launcher`` port."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.journeys import store
from hyperjourney.journeys.definition import ActionStep, JourneyDefinition, Variant, examples, parse
from hyperjourney.journeys.runner import JourneyRunner, RunStats


class JourneyPlan(BaseModel):
    """An approved plan: a full journey definition, or a shipped pattern with the plan's copy and audience."""

    plan_id: str = Field("plan", description="Run or plan id; keys the audience enrollments")
    goal: str = ""
    journey: JourneyDefinition | dict[str, Any] | None = None
    template: str | None = Field(None, description="Id of a shipped pattern, e.g. cart-abandon")
    journey_id: str | None = Field(None, description="Id for a journey built from a template")
    variants: list[Variant] = Field(default_factory=list, description="Copy for the first action step")
    audience: list[str] = Field(default_factory=list, description="Customer ids to enroll now (a segment)")
    holdout_share: float | None = Field(None, ge=0, le=0.9)
    approved_by: str = "canvas"
    evidence: list[str] = Field(default_factory=list)


class LaunchResult(BaseModel):
    journey_id: str
    version: int
    status: Literal["launched", "unchanged"]
    enrolled: int
    holdout: int
    actions_queued: int
    message: str


def definition_for(plan: JourneyPlan) -> JourneyDefinition:
    """The plan's journey, validated like any definition (cycles, unknown events/channels, missing exit)."""
    if plan.journey is not None:
        raw = plan.journey.model_dump(mode="json") if isinstance(plan.journey, JourneyDefinition) else plan.journey
        return parse(raw)
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
        first["variants"] = [v.model_dump() for v in plan.variants]
    defn = parse(base)
    assert any(isinstance(s, ActionStep) for s in defn.steps)
    return defn


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
        journey_id=defn.id,
        version=version,
        status="unchanged" if unchanged else "launched",
        enrolled=stats.enrolled,
        holdout=stats.holdout,
        actions_queued=queued,
        message=f"journey {defn.id} v{version} is live: {stats.enrolled} enrolled, {stats.holdout} held out, "
        f"{queued} actions queued; new {defn.trigger.event} events enroll more customers",
    )


class JourneyLauncher:
    """Adapter for the agents' ``Launcher`` port: ``launch(plan) -> LaunchResult``."""

    def __init__(self, db: Database, tenant: str) -> None:
        self.db, self.tenant = db, tenant

    def launch(self, plan: JourneyPlan | dict[str, Any]) -> LaunchResult:
        return launch_plan(self.db, self.tenant, JourneyPlan.model_validate(plan))
