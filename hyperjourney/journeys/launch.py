"""Launching a journey: the canvas flow's approved plan becomes a stored, active journey version, and its
audience (if the plan names one) is enrolled right away. This is the agents' ``Launcher`` port.

Agent copy (marked ``[cite:…]`` text, or every variant of a canvas plan or of a template filled with the
plan's copy) is turned into a copy asset, rendered for its channel with the step's "why" line, and checked
under the tenant's content rules; the journey stores that render, and a variant whose render fails is not
launched (a step left with no variant is skipped). Hand-written journeys keep their plain copy as written."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, Literal

import psycopg
from pydantic import BaseModel, ConfigDict, Field

from hyperjourney.assets.marked import MARKER_START, MarkedCopyError, parse_marked
from hyperjourney.assets.models import RenderChannel
from hyperjourney.assets.render import CHANNEL_KINDS, RenderError, render
from hyperjourney.assets.sources import cited_evidence
from hyperjourney.assets.validate import validate_copy
from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.guardrails.copy_text import CITE
from hyperjourney.guardrails.models import Evidence
from hyperjourney.guardrails.rules import ContentRules
from hyperjourney.guardrails.rules_store import active_content_rules
from hyperjourney.journeys import store
from hyperjourney.journeys.definition import JourneyDefinition, MessageVariant, examples, parse
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
    segment: dict[str, Any] = Field(
        default_factory=dict, description="The canvas segment's filters: customers who match them later enter too"
    )
    audience: list[str] = Field(default_factory=list, description="Customer ids to enroll now (a segment)")
    holdout_share: float | None = Field(None, ge=0, le=0.9)
    approved_by: str = "canvas"
    evidence: list[Any] = Field(default_factory=list)
    locale: str = Field("en", description="Language the copy is rendered in (footer and why-line labels)")


class LaunchResult(BaseModel):
    launched: bool = True
    journey_id: str
    version: int
    status: Literal["launched", "unchanged"]
    enrolled: int
    holdout: int
    actions_queued: int
    denied: int = 0
    not_launched: list[str] = Field(default_factory=list, description="Variants left out, and why")
    detail: str


def raw_definition(plan: JourneyPlan) -> tuple[dict[str, Any], bool]:
    """The plan's journey as data, and whether all its copy is agent copy (rendered and checked at launch)."""
    if plan.journey is not None:
        raw = plan.journey.model_dump(mode="json") if isinstance(plan.journey, JourneyDefinition) else plan.journey
        return dict(raw), False
    if plan.plan is not None:
        return canvas_definition(plan), True
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
            MessageVariant(name=v.get("name") or f"v{i + 1}", subject=v.get("subject"), body=v["body"]).model_dump()
            for i, v in enumerate(plan.variants)
        ]
    return base, bool(plan.variants)


def rendered_definition(conn: psycopg.Connection[Any], plan: JourneyPlan) -> tuple[JourneyDefinition, list[str]]:
    """The plan's journey with its agent copy rendered and checked (tenant rules, cited chunks from the KB),
    validated like any definition; and the variants left out, with the reason."""
    raw, agent_copy = raw_definition(plan)
    steps: list[dict[str, Any]] = [dict(s) for s in raw.get("steps") or []]
    bodies = [str(v.get("body") or "") for s in steps for v in s.get("variants") or []]
    evidence = cited_evidence(conn, (m.group(1) for b in bodies for m in CITE.finditer(b)))
    rules = active_content_rules(conn)
    left_out: list[str] = []
    for step in steps:
        if step.get("type") != "action":
            continue
        if not step.get("variants"):
            left_out.append(f"step {step.get('id')}: no approved {step.get('channel')} copy")
        kept = []
        for v in step.get("variants") or []:
            where = f"step {step.get('id')} variant {v.get('name')}"
            body = str(v.get("body") or "")
            if not body.strip():
                left_out.append(f"{where}: no approved copy")
            elif v.get("rendered") or not (agent_copy or MARKER_START in body):
                kept.append(v)
            else:
                problem, variant = _render_variant(step, v, evidence, rules, plan.locale)
                if variant is None:
                    left_out.append(f"{where}: {problem}")
                else:
                    kept.append(variant)
        step["variants"] = kept
    raw = {**raw, **_without_silent_steps(raw.get("start", ""), steps)}
    if not any(s.get("type") == "action" for s in raw["steps"]) and left_out:
        raise ValueError("no variant of the plan can be launched: " + "; ".join(left_out))
    return parse(raw), left_out


def _render_variant(
    step: dict[str, Any], v: dict[str, Any], evidence: list[Evidence], rules: ContentRules, locale: str
) -> tuple[str, dict[str, Any] | None]:
    """The variant with its render as body, or why it cannot be launched."""
    channel = step.get("channel", "email")
    if channel not in CHANNEL_KINDS:
        return f"{channel} copy cannot be rendered for a customer", None
    ch: RenderChannel = channel
    try:
        asset = parse_marked(
            str(v["body"]), evidence, kind=CHANNEL_KINDS[ch][0], subject=v.get("subject"),
            purpose=step.get("purpose", "marketing"),
        )  # fmt: skip
        rendered = render(asset, ch, locale, rules, why=str(step.get("why", "")))
    except (MarkedCopyError, RenderError) as exc:
        return str(exc), None
    report = validate_copy(asset, rendered, evidence, rules)
    if not report.passed:
        return "failed the guardrails (" + "; ".join(f"{f.code}: {f.message}" for f in report.failures) + ")", None
    return "", {**v, "subject": rendered.subject, "body": rendered.body, "rendered": True}


def _without_silent_steps(start: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """Drop action steps left with no variant: whatever led to one goes where it would have gone next."""
    skip = {s["id"]: s.get("next", "") for s in steps if s.get("type") == "action" and not s.get("variants")}

    def to(target: str) -> str:
        seen = set()
        while target in skip and target not in seen:
            seen.add(target)
            target = skip[target]
        return target

    kept = [s for s in steps if s.get("id") not in skip]
    for s in kept:
        for key in ("next", "on_event", "on_timeout", "default"):
            if key in s:
                s[key] = to(str(s[key]))
        if "cases" in s:
            s["cases"] = [{**c, "next": to(str(c.get("next", "")))} for c in s["cases"]]
    return {"start": to(start), "steps": kept}


_SEGMENT_FIELDS = ("industry", "company_size", "region", "lifecycle_stage")


def canvas_definition(plan: JourneyPlan) -> dict[str, Any]:
    """The canvas's plan as a journey: enroll the segment (and, with segment filters, customers who match them
    when they log in), then per step wait its delay and send its copy. The one place a canvas plan becomes a
    journey; a step without approved copy gets no variant, so the launch leaves it out and says why."""
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
        copy = [v for v in plan.variants if v.get("channel") == channel]  # none approved: the step is skipped
        steps.append({
            "id": f"send_{i}", "type": "action", "channel": channel, "purpose": "marketing", "why": why,
            "experiment": "bandit" if len(copy) > 1 else "ab",
            "variants": [{"name": f"{channel}-{k + 1}", "subject": v.get("subject"), "body": v.get("body", "")}
                         for k, v in enumerate(copy)],
        })  # fmt: skip
    steps.append({"id": "done", "type": "exit", "reason": "plan complete"})
    for here, there in pairwise(steps):
        here.setdefault("next", there["id"])
    where = [
        {"field": f"customer.{field}", "op": "in", "value": value}
        for field, value in plan.segment.items()
        if field in _SEGMENT_FIELDS and value
    ]
    return {
        "id": journey_id,
        "name": name,
        "description": plan.goal,
        "trigger": {"event": "login", "where": where} if where else {"event": "segment_entered"},
        "start": steps[0]["id"],
        "steps": steps,
        "goal": {"event": GOAL_FOR_METRIC.get(plan.metric.lower(), "checkout"), "within_hours": 24 * 14},
        "caps": {"max_actions": int(canvas.get("frequency_cap_per_week", 2)), "window_days": 7,
                 "reenter_after_days": 30},
        "holdout_share": float(canvas.get("holdout_share", plan.holdout_share or 0.1)),
    }  # fmt: skip


def launch_plan(db: Database, tenant: str, plan: JourneyPlan, *, now: datetime | None = None) -> LaunchResult:
    """Store and activate the plan's journey (its copy rendered) and enroll its audience, in one transaction."""
    at = now or datetime.now(UTC)
    runner = JourneyRunner(db, tenant)
    stats = RunStats()
    with db.tenant(tenant) as conn:
        defn, left_out = rendered_definition(conn, plan)
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
        not_launched=left_out,
        detail=f"journey {defn.id} v{version} is live: {stats.enrolled} enrolled, {stats.holdout} held out, "
        f"{queued} actions queued, {stats.denied} refused by policy; new {defn.trigger.event} events enroll more"
        + (f"; not launched: {'; '.join(left_out)}" if left_out else ""),
    )
