"""The canvas flow: a marketer's goal → plan (the supervisor's routing) → Researcher → Analyst → Copywriter →
Orchestrator → approval (a LangGraph ``interrupt()``) → launch (once per run) → finish.

The supervisor picks the plan (a trained intent router on the small tier, an LLM tier when it is unsure, a
person when no tier is sure); plans without the Orchestrator (insight, copy) finish without approval. An insight
question that names a metric the catalogue answers ("Which stores had the most returns last month?") goes to the
Analyst's metric tool alone (``METRIC_PLAN``); other insight goals research and size a segment.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt
from pydantic import BaseModel, Field

from hyperjourney.agents import analyst, analyst_insight, copywriter, orchestrator, researcher
from hyperjourney.agents.base import Step
from hyperjourney.agents.campaign_copy import CampaignBrief
from hyperjourney.graphs.nodes import (
    ApprovalDecision,
    FlowGraph,
    agent_context,
    agent_update,
    agent_work,
    compile_flow,
    deps_of,
    escalations_of,
    fence,
    hand_off,
    outputs_by_agent,
    record,
    run_agent,
)
from hyperjourney.graphs.outcomes import close_run, launch_once
from hyperjourney.graphs.state import BaseState
from hyperjourney.graphs.wiring import Deps, Spent
from hyperjourney.guardrails.fence import fence as fence_text
from hyperjourney.models import intent_router
from hyperjourney.models.router import Candidate, Routed, Router
from hyperjourney.prompts.loader import load
from hyperjourney.review.escalations import resolve_escalation, submit_escalation
from hyperjourney.review.queue import EscalationRequest

PLANS: dict[str, list[str]] = {
    "campaign": ["researcher", "analyst", "copywriter", "orchestrator"],
    "insight": ["researcher", "analyst"],
    "copy": ["researcher", "copywriter"],
}
METRIC_PLAN = ["metrics"]
Hop = Literal["researcher", "analyst", "metrics", "copywriter", "orchestrator", "approval", "escalate", "finish"]
Back = Command[Literal["supervisor"]]
Researched = Command[Literal["supervisor", "finish"]]


class RoutePlan(BaseModel):
    """The output schema of the supervisor's plan decision."""

    kind: Literal["campaign", "insight", "copy"]
    confidence: float = Field(ge=0, le=1)


class CanvasState(BaseState, total=False):
    plan: list[str]
    plan_kind: str
    brief: researcher.ResearchBrief
    opportunity: analyst.Opportunity
    insight: analyst_insight.InsightAnswer
    copy: copywriter.CopySet
    proposal: orchestrator.JourneyProposal
    edit_problems: list[str]
    decision: dict[str, Any]  # the person's answer (ApprovalDecision, dumped) as recorded in the audit log


def route_goal(router: Router, goal: str) -> Routed[RoutePlan]:
    """The canvas's plan decision: the trained intent router first, an LLM tier when it is unsure, else a person."""

    def small() -> Candidate[RoutePlan]:
        guess = intent_router.classify(goal)
        plan_guess = RoutePlan(kind=guess.kind, confidence=guess.confidence)
        return Candidate(plan_guess, guess.confidence, f"{intent_router.MODEL_VERSION} (vs {guess.runner_up})")

    return router.decide(
        "route",
        schema=RoutePlan,
        prompt=load("supervisor_route"),
        variables={"untrusted_request": fence_text(goal, author="marketer")},
        small=small,
    )


def plan_for(kind: str, goal: str) -> list[str]:
    """The agents a plan kind runs; an insight goal that names a catalogue metric is the metric tool's alone."""
    if kind == "insight" and analyst_insight.rule_request(goal) is not None:
        return METRIC_PLAN
    return PLANS[kind]


def supervisor(state: CanvasState, runtime: Runtime[Deps]) -> Command[Hop]:
    deps = fence(runtime)
    update: dict[str, Any] = {}
    plan = state.get("plan")
    if plan is None:
        deps.recorder.ensure_run(state["tenant"], state["run_id"], state["flow"], state["request"])
        ctx = agent_context(deps, state)
        routed = route_goal(ctx.router, str(state["request"]["goal"]))
        kind: str = routed.value.kind if routed.value else "campaign"
        step = Step("route", routed, [], {"flow": state["flow"], "request": state["request"]})
        deps.recorder.step(state["tenant"], state["run_id"], node="supervisor", agent="supervisor", step=step)
        spent = Spent.of(ctx.router.ledger)
        if routed.needs_review:  # a person decides whether the best guess goes on: the run waits in review
            return Command(
                goto="escalate",
                update={"plan_kind": kind, "review": [f"route: {routed.review_reason}"],
                        "escalations": escalations_of([step]), "budget": spent},
            )  # fmt: skip
        plan = plan_for(kind, str(state["request"]["goal"]))
        update = {"plan": plan, "plan_kind": kind, "budget": spent}
    return hand_off(plan, state, update, "approval" if "orchestrator" in plan else "finish")


def researcher_node(state: CanvasState, runtime: Runtime[Deps]) -> Researched:
    goal = str(state["request"]["goal"])
    update = agent_work(runtime, state, "researcher", "brief", lambda ctx: researcher.research_goal(ctx, goal))
    brief = researcher.ResearchBrief.model_validate(update["brief"])
    # an empty segment or a forbidden request: no plan, the reason instead
    return Command(goto="finish" if brief.stop is not None else "supervisor", update=update)


def analyst_node(state: CanvasState, runtime: Runtime[Deps]) -> Back:
    brief = researcher.ResearchBrief.model_validate(state["brief"])
    return run_agent(runtime, state, "analyst", "opportunity", lambda ctx: analyst.size_opportunity(ctx, brief))


def metrics_node(state: CanvasState, runtime: Runtime[Deps]) -> Back:
    deps = fence(runtime)
    ctx = agent_context(deps, state)
    result = analyst_insight.answer_insight(ctx, str(state["request"]["goal"]))
    record(deps, state, "analyst", result)
    return Command(goto="supervisor", update={**agent_update("metrics", result, ctx), "insight": result.output})


def copywriter_node(state: CanvasState, runtime: Runtime[Deps]) -> Back:
    brief = researcher.ResearchBrief.model_validate(state["brief"])
    asked = state["request"].get("campaign")  # the marketer's typed brief, when the request carried one
    campaign = CampaignBrief.model_validate(asked) if asked else None
    return run_agent(runtime, state, "copywriter", "copy", lambda ctx: copywriter.write_variants(ctx, brief, campaign))


def orchestrator_node(state: CanvasState, runtime: Runtime[Deps]) -> Back:
    brief = researcher.ResearchBrief.model_validate(state["brief"])
    opportunity = analyst.Opportunity.model_validate(state["opportunity"])
    copy = copywriter.CopySet.model_validate(state["copy"])
    return run_agent(runtime, state, "orchestrator", "proposal",
                     lambda ctx: orchestrator.propose_journey(ctx, brief, opportunity, copy))  # fmt: skip


def _escalate(deps: Deps, state: CanvasState, key: str, question: str, proposal: dict[str, Any]) -> str:
    """Queue the run's escalations as one review item (once per run and key); returns its id."""
    request = EscalationRequest(
        run_id=state["run_id"],
        flow=state["flow"],
        question=question,
        escalations=list(state.get("escalations", [])),
        proposal=proposal,
    )
    return submit_escalation(deps.db, state["tenant"], request, key=key)


def _resolve(deps: Deps, state: CanvasState, item: str | None, decision: ApprovalDecision) -> None:
    if item is not None and decision.action != "edit":
        resolve_escalation(
            deps.db, state["tenant"], item, approved=decision.action == "approve", reviewer=decision.reviewer,
            note=decision.comment or f"{decision.action} of run {state['run_id']}",
        )  # fmt: skip


def escalate(state: CanvasState, runtime: Runtime[Deps]) -> Command[Literal["supervisor", "finish", "escalate"]]:
    deps = fence(runtime)
    kind = state.get("plan_kind", "campaign")
    question = f"No model tier was sure how to plan this; go on with the {kind} plan ({' → '.join(PLANS[kind])})?"
    proposal = {"plan_kind": kind, "plan": PLANS[kind], "request": state["request"]}
    item = _escalate(deps, state, "supervisor:route", question, proposal)
    answer = interrupt(
        {
            "kind": "escalation",
            "run_id": state["run_id"],
            "review_item": item,
            "question": question,
            "escalations": [e.model_dump(mode="json") for e in state.get("escalations", [])],
            "proposal": proposal,
            "review": state.get("review", []),
            "edit_problems": state.get("edit_problems", []),
        }
    )
    decision = ApprovalDecision.model_validate(answer)
    payload = decision.model_dump(mode="json")
    if decision.action == "edit":
        return Command(goto="escalate", update={"edit_problems": ["an escalated plan can be approved or rejected"]})
    _resolve(deps, state, item, decision)
    deps.recorder.event(
        state["tenant"], state["run_id"], actor=f"human:{decision.reviewer}",
        action=f"escalation:{decision.action}", payload={**payload, "review_item": item},
    )  # fmt: skip
    if decision.action == "reject":
        return Command(goto="finish", update={"status": "rejected", "decision": payload, "edit_problems": []})
    plan = plan_for(kind, str(state["request"]["goal"]))
    return Command(goto="supervisor", update={"plan": plan, "decision": payload, "edit_problems": []})


def launchable(
    proposal: orchestrator.JourneyProposal, variants: list[copywriter.Variant]
) -> orchestrator.JourneyProposal:
    """The proposal as it may launch: only these (passing) variants, and only the plan steps one of them fills,
    so a step never goes out without copy."""
    channels = {v.channel for v in variants}
    steps = [s for s in proposal.plan.steps if s.channel in channels]
    return proposal.model_copy(
        update={
            "plan": proposal.plan.model_copy(update={"steps": steps}),
            "variants": proposal.variants.model_copy(update={"variants": variants}),
        }
    )


def audience(brief: researcher.ResearchBrief) -> dict[str, Any]:
    """Who the plan reaches, as the approver sees it: the size and each filter in words, and every condition the
    goal stated that no filter applies, with why."""
    return {
        "segment": brief.segment.name,
        "size": brief.segment.size,
        "filters": brief.filters,
        "not_applied": [n.model_dump() for n in brief.not_applied],
    }


def approval(state: CanvasState, runtime: Runtime[Deps]) -> Command[Literal["launch", "finish", "approval"]]:
    deps = fence(runtime)
    proposal = orchestrator.JourneyProposal.model_validate(state["proposal"])
    flagged = [e for e in state.get("escalations", []) if e.stage != "route"]
    item = (
        _escalate(deps, state, "approval", "Approve this journey for launch despite the escalated decisions?",
                  {"plan": proposal.plan.model_dump(mode="json"),
                   "segment": proposal.segment.model_dump(mode="json", exclude_defaults=True)})
        if flagged else None
    )  # fmt: skip
    opportunity = state.get("opportunity")
    answer = interrupt(
        {
            "run_id": state["run_id"],
            "review_item": item,
            "escalations": [e.model_dump(mode="json") for e in flagged],
            "question": "Approve this journey for launch?",
            "plan": proposal.plan.model_dump(mode="json"),
            "policy": [p.model_dump(mode="json") for p in proposal.policy],
            "variants": [v.model_dump(mode="json") for v in proposal.variants.variants],
            "review": state.get("review", []),
            "edit_problems": state.get("edit_problems", []),
            "drift": analyst.Opportunity.model_validate(opportunity).drift_warnings if opportunity else [],
            "audience": audience(researcher.ResearchBrief.model_validate(state["brief"])),
        }
    )
    decision = ApprovalDecision.model_validate(answer)
    ctx = agent_context(deps, state)
    if deps.lease is not None:  # the decision is this process's to record only while it holds the run
        deps.lease.verify()
    audit_payload = decision.model_dump(mode="json")
    _resolve(deps, state, item, decision)
    actor = f"human:{decision.reviewer}"
    if decision.action == "reject":
        deps.recorder.event(state["tenant"], state["run_id"], actor=actor, action="approval:reject",
                            payload=audit_payload)  # fmt: skip
        return Command(goto="finish", update={"status": "rejected", "decision": audit_payload})
    evidence = proposal.variants.evidence
    if decision.action == "edit":
        variants = decision.variants or []
        problems = copywriter.revalidate(ctx, variants, evidence) if variants else ["an edit must include variants"]
        planned = {s.channel for s in proposal.plan.steps}
        if variants and not planned & {v.channel for v in variants}:
            problems.append(f"the edited variants fill no step of the plan (its channels: {', '.join(planned)})")
        deps.recorder.event(state["tenant"], state["run_id"], actor=actor, action="approval:edit",
                            payload={**audit_payload, "problems": problems})  # fmt: skip
        if problems:
            return Command(goto="approval", update={"edit_problems": problems})
        _resolve(deps, state, item, decision.model_copy(update={"action": "approve"}))
        for v in variants:
            v.citations, v.passed_guardrails, v.tier = copywriter.cited(v.body), True, "human"
        return Command(
            goto="launch",
            update={"proposal": launchable(proposal, variants), "decision": audit_payload, "edit_problems": []},
        )
    drafted = proposal.variants.variants
    passing = [v for v in drafted if v.passed_guardrails and not copywriter.revalidate(ctx, [v], evidence)]
    deps.recorder.event(state["tenant"], state["run_id"], actor=actor, action="approval:approve",
                        payload={**audit_payload, "launched_variants": [v.channel for v in passing]})  # fmt: skip
    if not passing:  # nothing that passes the guardrails now may go out: the reviewer edits or rejects
        problems = ["no variant passes the guardrails now: edit the copy (it is re-checked) or reject the run"]
        return Command(goto="approval", update={"edit_problems": problems})
    return Command(goto="launch", update={"proposal": launchable(proposal, passing), "decision": audit_payload})


def launch(state: CanvasState, runtime: Runtime[Deps]) -> Command[Literal["finish"]]:
    deps = deps_of(runtime)  # fenced inside the launch's own transaction
    outcome = launch_once(
        deps,
        state["tenant"],
        state["run_id"],
        orchestrator.JourneyProposal.model_validate(state["proposal"]),
        researcher.ResearchBrief.model_validate(state["brief"]),
        decision=state.get("decision", {}),
        goal=str(state["request"].get("goal", "")),
        evidence=state.get("evidence", []),
    )
    return Command(goto="finish", update={"status": "completed", "outcome": outcome})


def finish(state: CanvasState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = fence(runtime)
    status = state.get("status")
    if status == "rejected":
        outcome = {"decision": state.get("decision", {}), "next": "Nothing was launched; start a new canvas run."}
        return close_run(deps, state, "rejected", "rejected", outcome)
    if status == "escalated":
        outcome = {"next": "A person decides how to proceed; see the review reasons."}
        return close_run(deps, state, "escalated", "escalated", outcome)
    if status is not None:  # launched: the outcome row was written with the launch
        return close_run(deps, state, status, "completed", dict(state.get("outcome", {})))
    outcome = {k: v for k, v in results(dict(state)).items() if k != "orchestrator"}
    outcome["next"] = f"{state.get('plan_kind', 'insight')} results are ready; nothing needs approval."
    brief = state.get("brief")
    stop = researcher.ResearchBrief.model_validate(brief).stop if brief is not None else None
    if stop is not None:
        outcome |= {"stopped": stop.model_dump(), "next": f"No plan: {stop.reason}. Try: {stop.rephrase}"}
    return close_run(deps, state, "completed", "completed", outcome)


def results(values: dict[str, Any]) -> dict[str, Any]:
    """Each agent's output in a canvas run's state, as JSON by agent name (what the API and the UI show)."""
    named = (("researcher", "brief"), ("analyst", "opportunity"), ("insight", "insight"), ("copywriter", "copy"),
             ("orchestrator", "proposal"))  # fmt: skip
    return outputs_by_agent(values, named)


def build_canvas_graph(checkpointer: BaseCheckpointSaver[Any] | None = None) -> FlowGraph:
    return compile_flow(
        CanvasState,
        "canvas",
        {
            "supervisor": supervisor,
            "researcher": researcher_node,
            "analyst": analyst_node,
            "metrics": metrics_node,
            "copywriter": copywriter_node,
            "orchestrator": orchestrator_node,
            "escalate": escalate,
            "approval": approval,
            "launch": launch,
            "finish": finish,
        },
        checkpointer,
    )
