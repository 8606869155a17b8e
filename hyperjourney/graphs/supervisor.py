"""The supervisor graph: a LangGraph StateGraph where the small-first router decides each hop.

The supervisor picks the plan (a trained intent router on the small tier, an LLM tier when it is
unsure), then hands work to one agent at a time until the plan is done; the canvas ends in an
approval interrupt and a launch, the copilot and next-best-action flows in an outcome.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, interrupt
from pydantic import BaseModel, Field

from hyperjourney.agents import analyst, copywriter, orchestrator, researcher, tone
from hyperjourney.agents.base import AgentResult, Step
from hyperjourney.agents.ports import AssetDraft, Evidence
from hyperjourney.graphs.state import RunInput, RunOutput, RunState
from hyperjourney.graphs.wiring import Deps
from hyperjourney.models import intent_router
from hyperjourney.models.router import Candidate, Routed, Router
from hyperjourney.prompts.loader import load
from hyperjourney.tools.toolbox import TextInput, TicketInput

PLANS: dict[str, list[str]] = {
    "campaign": ["researcher", "analyst", "copywriter", "orchestrator"],
    "insight": ["researcher", "analyst"],
    "copy": ["researcher", "copywriter"],
    "support": ["tone", "researcher", "copywriter"],
    "nba": ["orchestrator"],
}
Hop = Literal["researcher", "analyst", "copywriter", "orchestrator", "tone", "approval", "finish"]


class RoutePlan(BaseModel):
    """The output schema of the supervisor's plan decision."""

    kind: Literal["campaign", "insight", "copy"]
    confidence: float = Field(ge=0, le=1)


class ApprovalDecision(BaseModel):
    """What a person answers at the approval interrupt."""

    action: Literal["approve", "reject", "edit"]
    reviewer: str = "cli"
    comment: str = ""
    variants: list[copywriter.Variant] | None = None


def route_goal(router: Router, goal: str) -> Routed[RoutePlan]:
    """The canvas's plan decision: the trained intent router first, an LLM tier when it is unsure, else a person."""

    def small() -> Candidate[RoutePlan]:
        guess = intent_router.classify(goal)
        plan_guess = RoutePlan(kind=guess.kind, confidence=guess.confidence)
        return Candidate(plan_guess, guess.confidence, f"{intent_router.MODEL_VERSION} (vs {guess.runner_up})")

    return router.decide(
        "route", schema=RoutePlan, prompt=load("supervisor_route"), variables={"request": goal}, small=small
    )


def _record(deps: Deps, state: RunState, node: str, result: AgentResult) -> None:
    for step in result.steps:
        deps.recorder.step(state["tenant"], state["run_id"], node=node, agent=node, step=step)


def _update(node: str, result: AgentResult, **extra: Any) -> dict[str, Any]:
    return {
        "done": [node],
        "results": {node: result.output.model_dump(mode="json"), **extra},
        "evidence": result.evidence_ids,
        "review": result.review,
    }


def build_graph(deps: Deps, checkpointer: BaseCheckpointSaver[Any] | None, *, name: str) -> CompiledStateGraph[Any]:
    def ctx(state: RunState) -> Any:
        return deps.context(state["tenant"], state["run_id"], state["flow"])

    def supervisor(state: RunState) -> Command[Hop]:
        update: dict[str, Any] = {}
        plan = state.get("plan")
        if plan is None:
            deps.recorder.ensure_run(state["tenant"], state["run_id"], state["flow"], state["request"])
            c = ctx(state)
            if state["flow"] == "canvas":
                routed = route_goal(c.router, str(state["request"]["goal"]))
                kind: str = routed.value.kind if routed.value else "campaign"
            else:
                kind = "support" if state["flow"] == "copilot" else "nba"
                routed = c.router.tool_step("route", RoutePlan(kind="campaign", confidence=1.0), f"fixed {kind} plan")
                routed.value = None
            step = Step("route", routed, [], {"flow": state["flow"], "request": state["request"]})
            deps.recorder.step(state["tenant"], state["run_id"], node="supervisor", agent="supervisor", step=step)
            if routed.needs_review:
                item = deps.review.submit(
                    state["tenant"],
                    run_id=state["run_id"],
                    kind="route",
                    reason=routed.review_reason or "",
                    payload={"request": state["request"]},
                )
                reason = f"route: {routed.review_reason} (review item {item})"
                return Command(goto="finish", update={"status": "escalated", "review": [reason]})
            plan = PLANS[kind]
            update = {"plan": plan, "plan_kind": kind}
        done = state.get("done", [])
        following = next((a for a in plan if a not in done), None)
        if following is not None:
            return Command(goto=following, update=update)  # type: ignore[arg-type]
        return Command(
            goto="approval" if "orchestrator" in plan and state["flow"] == "canvas" else "finish", update=update
        )

    def researcher_node(state: RunState) -> Command[Literal["supervisor"]]:
        c = ctx(state)
        if state["flow"] == "canvas":
            result = researcher.research_goal(c, str(state["request"]["goal"]))
        else:
            ticket = state["results"]["ticket"]
            result = researcher.research_customer(c, ticket["customer_id"], ticket["text"])
        _record(deps, state, "researcher", result)
        return Command(goto="supervisor", update=_update("researcher", result))

    def analyst_node(state: RunState) -> Command[Literal["supervisor"]]:
        brief = researcher.ResearchBrief.model_validate(state["results"]["researcher"])
        result = analyst.size_opportunity(ctx(state), brief)
        _record(deps, state, "analyst", result)
        return Command(goto="supervisor", update=_update("analyst", result))

    def copywriter_node(state: RunState) -> Command[Literal["supervisor"]]:
        c = ctx(state)
        if state["flow"] == "canvas":
            brief = researcher.ResearchBrief.model_validate(state["results"]["researcher"])
            result = copywriter.write_variants(c, brief)
            copy = copywriter.CopySet.model_validate(result.output.model_dump())
            hits = [e.model_dump(mode="json") for e in copy.evidence]
            for step, variant in zip(result.steps, copy.variants, strict=True):
                if step.routed.needs_review:  # no tier could make it pass: a person sees the draft in the queue
                    deps.review.submit(
                        state["tenant"], run_id=state["run_id"], kind=f"copy:{variant.channel}",
                        reason=step.routed.review_reason or "", payload={"segment": brief.segment.name},
                        asset=AssetDraft(kind="sms" if variant.channel == "sms" else "email", subject=variant.subject,
                                         body=variant.body, citations=variant.citations),
                        evidence=copy.evidence,
                    )  # fmt: skip
        else:
            ticket, t = state["results"]["ticket"], tone.ToneResult.model_validate(state["results"]["tone"])
            context = researcher.CustomerContext.model_validate(state["results"]["researcher"])
            result = copywriter.write_reply(
                c,
                name=context.profile.first_name or "",
                question=ticket["text"],
                intent=t.decision.intent,
                sentiment=t.decision.sentiment,
                intent_confidence=t.decision.confidence,
                tone=t.tone,
                evidence=context.evidence,
                recipient_id=context.profile.customer_id,
            )
            hits = [e.model_dump(mode="json") for e in context.evidence]
        _record(deps, state, "copywriter", result)
        return Command(goto="supervisor", update=_update("copywriter", result, copy_evidence=hits))

    def orchestrator_node(state: RunState) -> Command[Literal["supervisor"]]:
        c = ctx(state)
        if state["flow"] == "nba":
            req = state["request"]
            result = orchestrator.next_best_action(c, str(req["customer_id"]), req.get("event"), c.now)
        else:
            brief = researcher.ResearchBrief.model_validate(state["results"]["researcher"])
            opportunity = analyst.Opportunity.model_validate(state["results"]["analyst"])
            copy = copywriter.CopySet.model_validate(state["results"]["copywriter"])
            result = orchestrator.propose_journey(c, brief, opportunity, copy)
        _record(deps, state, "orchestrator", result)
        return Command(goto="supervisor", update=_update("orchestrator", result))

    def tone_node(state: RunState) -> Command[Literal["supervisor"]]:
        c = ctx(state)
        ticket = c.tools.ticket(TicketInput(ticket_id=str(state["request"]["ticket_id"])))
        scan = c.tools.scan_inbound(TextInput(text=ticket.customer_text))
        text = scan.neutralized or ticket.customer_text if scan.attack else ticket.customer_text
        result = tone.match_tone(c, ticket, text, injection=scan.attack)
        _record(deps, state, "tone", result)
        facts = {
            "ticket_id": ticket.ticket_id,
            "customer_id": ticket.customer_id,
            "channel": ticket.channel,
            "subject": deps.recorder.redacted(ticket.subject, state["tenant"]),  # state and checkpoints hold no PII
            "text": deps.recorder.redacted(text, state["tenant"]),
        }
        return Command(goto="supervisor", update=_update("tone", result, ticket=facts))

    def approval(state: RunState) -> Command[Literal["launch", "finish", "approval"]]:
        proposal = state["results"]["orchestrator"]
        answer = interrupt(
            {
                "run_id": state["run_id"],
                "question": "Approve this journey for launch?",
                "plan": proposal["plan"],
                "policy": proposal["policy"],
                "variants": proposal["variants"]["variants"],
                "review": state.get("review", []),
                "edit_problems": state.get("edit_problems", []),
                "drift": state["results"].get("analyst", {}).get("drift_warnings", []),
            }
        )
        decision = ApprovalDecision.model_validate(answer)
        c = ctx(state)
        audit_payload = decision.model_dump(mode="json")
        if decision.action == "reject":
            deps.recorder.event(
                state["tenant"],
                state["run_id"],
                actor=f"human:{decision.reviewer}",
                action="approval:reject",
                payload=audit_payload,
            )
            return Command(goto="finish", update={"status": "rejected", "decision": audit_payload})
        if decision.action == "edit":
            evidence = [Evidence.model_validate(e) for e in state["results"].get("copy_evidence", [])]
            variants = decision.variants or []
            problems = copywriter.revalidate(c, variants, evidence) if variants else ["an edit must include variants"]
            deps.recorder.event(
                state["tenant"],
                state["run_id"],
                actor=f"human:{decision.reviewer}",
                action="approval:edit",
                payload={**audit_payload, "problems": problems},
            )
            if problems:
                return Command(goto="approval", update={"edit_problems": problems})
            for v in variants:
                v.citations, v.passed_guardrails, v.tier = copywriter.cited(v.body), True, "human"
            proposal = {**proposal, "variants": {"variants": [v.model_dump(mode="json") for v in variants]}}
            return Command(
                goto="launch",
                update={"results": {"orchestrator": proposal}, "decision": audit_payload, "edit_problems": []},
            )
        deps.recorder.event(
            state["tenant"],
            state["run_id"],
            actor=f"human:{decision.reviewer}",
            action="approval:approve",
            payload=audit_payload,
        )
        return Command(goto="launch", update={"decision": audit_payload})

    def launch(state: RunState) -> Command[Literal["finish"]]:
        from hyperjourney.graphs.outcomes import launch_once

        outcome = launch_once(deps, state)
        return Command(goto="finish", update={"status": "completed", "outcome": outcome})

    def finish(state: RunState) -> dict[str, Any]:
        from hyperjourney.graphs.outcomes import finish_run

        return finish_run(deps, state)

    graph = StateGraph(RunState, input_schema=RunInput, output_schema=RunOutput)
    graph.add_node("supervisor", supervisor)
    graph.add_node("researcher", researcher_node)
    graph.add_node("analyst", analyst_node)
    graph.add_node("copywriter", copywriter_node)
    graph.add_node("orchestrator", orchestrator_node)
    graph.add_node("tone", tone_node)
    graph.add_node("approval", approval)
    graph.add_node("launch", launch)
    graph.add_node("finish", finish)
    graph.add_edge(START, "supervisor")
    graph.add_edge("finish", END)
    return graph.compile(checkpointer=checkpointer, name=name)


def build_canvas_graph(deps: Deps, checkpointer: BaseCheckpointSaver[Any] | None = None) -> CompiledStateGraph[Any]:
    return build_graph(deps, checkpointer, name="canvas")


def build_copilot_graph(deps: Deps, checkpointer: BaseCheckpointSaver[Any] | None = None) -> CompiledStateGraph[Any]:
    return build_graph(deps, checkpointer, name="copilot")


def build_nba_graph(deps: Deps, checkpointer: BaseCheckpointSaver[Any] | None = None) -> CompiledStateGraph[Any]:
    return build_graph(deps, checkpointer, name="nba")
