"""The supervisor graph: a LangGraph StateGraph where the small-first router decides each hop.

The supervisor picks the plan (a trained intent router on the small tier, an LLM tier when it is
unsure), then hands work to one agent at a time until the plan is done; the canvas ends in an
approval interrupt and a launch, the copilot and next-best-action flows in an outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, get_args

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, interrupt
from pydantic import BaseModel, Field

from hyperjourney.agents import analyst, copywriter, orchestrator, researcher, tone
from hyperjourney.agents.base import AgentContext, AgentResult, Step
from hyperjourney.graphs.leases import lease_of
from hyperjourney.graphs.state import RunInput, RunOutput, RunState
from hyperjourney.graphs.wiring import Deps, Spent
from hyperjourney.knowledge.models import Hit
from hyperjourney.models import intent_router
from hyperjourney.models.router import Candidate, Routed, Router
from hyperjourney.prompts.loader import load
from hyperjourney.review.escalations import resolve_escalation, submit_escalation
from hyperjourney.review.queue import Escalation, EscalationRequest, Stage
from hyperjourney.tools.toolbox import TextInput, TicketInput

PLANS: dict[str, list[str]] = {
    "campaign": ["researcher", "analyst", "copywriter", "orchestrator"],
    "insight": ["researcher", "analyst"],
    "copy": ["researcher", "copywriter"],
    "support": ["tone", "researcher", "copywriter"],
    "nba": ["orchestrator"],
}
Hop = Literal["researcher", "analyst", "copywriter", "orchestrator", "tone", "approval", "escalate", "finish"]


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


def escalations_of(steps: list[Step]) -> list[dict[str, Any]]:
    """Each step no tier could decide with confidence, as the review queue's Escalation (stage, reasons)."""
    return [
        Escalation(
            stage=_STAGES.get(s.decision.split(":")[0], "route"), reasons=[s.routed.review_reason or s.routed.reason]
        ).model_dump(mode="json")
        for s in steps
        if s.routed.needs_review
    ]


_STAGES: dict[str, Stage] = {s: s for s in get_args(Stage)}


def _update(node: str, result: AgentResult, c: AgentContext, **extra: Any) -> dict[str, Any]:
    return {
        "budget": Spent.of(c.router.ledger).model_dump(),
        "done": [node],
        "results": {node: result.output.model_dump(mode="json"), **extra},
        "evidence": result.evidence_ids,
        "review": result.review,
        "escalations": escalations_of(result.steps),
    }


def _escalate(deps: Deps, state: RunState, key: str, question: str, proposal: dict[str, Any]) -> str:
    """Queue the run's escalations as one review item (once per run and key); returns its id."""
    request = EscalationRequest(
        run_id=state["run_id"],
        flow=state["flow"],
        question=question,
        escalations=[Escalation.model_validate(e) for e in state.get("escalations", [])],
        proposal=proposal,
    )
    return submit_escalation(deps.db, state["tenant"], request, key=key)


def _resolve(deps: Deps, state: RunState, item: str | None, decision: ApprovalDecision) -> None:
    if item is not None and decision.action != "edit":
        resolve_escalation(
            deps.db, state["tenant"], item, approved=decision.action == "approve", reviewer=decision.reviewer,
            note=decision.comment or f"{decision.action} of run {state['run_id']}",
        )  # fmt: skip


def launchable(proposal: dict[str, Any], variants: list[copywriter.Variant]) -> dict[str, Any]:
    """The proposal as it may launch: only these (passing) variants, and only the plan steps one of them fills,
    so a step never goes out without copy."""
    channels = {v.channel for v in variants}
    plan = proposal["plan"]
    steps = [s for s in plan["steps"] if s["channel"] in channels]
    return {
        **proposal,
        "plan": {**plan, "steps": steps},
        "variants": {"variants": [v.model_dump(mode="json") for v in variants]},
    }


def fenced(node: Callable[[RunState], Any]) -> Any:  # Any: LangGraph's node protocols name the config parameter
    """Every node checks its run's lease first: a process that lost the run stops before the node's side effects."""

    def run(state: RunState, config: RunnableConfig) -> Any:
        lease = lease_of(config)
        if lease is not None:
            lease.verify()
        return node(state)

    run.__name__ = getattr(node, "__name__", "node")
    return run


def fenced_with_config(node: Callable[[RunState, RunnableConfig], Any]) -> Any:
    """As ``fenced``, for a node that checks its lease again itself (after it waits for a person)."""

    def run(state: RunState, config: RunnableConfig) -> Any:
        lease = lease_of(config)
        if lease is not None:
            lease.verify()
        return node(state, config)

    run.__name__ = getattr(node, "__name__", "node")
    return run


def build_graph(deps: Deps, checkpointer: BaseCheckpointSaver[Any] | None, *, name: str) -> CompiledStateGraph[Any]:
    def ctx(state: RunState) -> Any:
        spent = Spent.model_validate(state["budget"]) if state.get("budget") else None
        return deps.context(state["tenant"], state["run_id"], state["flow"], spent)

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
            if routed.needs_review:  # a person decides whether the best guess goes on: the run waits in review
                return Command(
                    goto="escalate",
                    update={"plan_kind": kind, "review": [f"route: {routed.review_reason}"],
                            "escalations": escalations_of([step]), "budget": Spent.of(c.router.ledger).model_dump()},
                )  # fmt: skip
            plan = PLANS[kind]
            update = {"plan": plan, "plan_kind": kind, "budget": Spent.of(c.router.ledger).model_dump()}
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
        return Command(goto="supervisor", update=_update("researcher", result, c))

    def analyst_node(state: RunState) -> Command[Literal["supervisor"]]:
        brief = researcher.ResearchBrief.model_validate(state["results"]["researcher"])
        c = ctx(state)
        result = analyst.size_opportunity(c, brief)
        _record(deps, state, "analyst", result)
        return Command(goto="supervisor", update=_update("analyst", result, c))

    def copywriter_node(state: RunState) -> Command[Literal["supervisor"]]:
        c = ctx(state)
        if state["flow"] == "canvas":
            brief = researcher.ResearchBrief.model_validate(state["results"]["researcher"])
            result = copywriter.write_variants(c, brief)
            copy = copywriter.CopySet.model_validate(result.output.model_dump())
            hits = [e.model_dump(mode="json") for e in copy.evidence]  # drafts no tier could pass: escalations
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
        return Command(goto="supervisor", update=_update("copywriter", result, c, copy_evidence=hits))

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
        return Command(goto="supervisor", update=_update("orchestrator", result, c))

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
        return Command(goto="supervisor", update=_update("tone", result, c, ticket=facts))

    def escalate(state: RunState) -> Command[Literal["supervisor", "finish", "escalate"]]:
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
                "escalations": state.get("escalations", []),
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
        return Command(goto="supervisor", update={"plan": PLANS[kind], "decision": payload, "edit_problems": []})

    def approval(state: RunState, config: RunnableConfig) -> Command[Literal["launch", "finish", "approval"]]:
        proposal = state["results"]["orchestrator"]
        flagged = [e for e in state.get("escalations", []) if e["stage"] != "route"]
        item = (
            _escalate(deps, state, "approval", "Approve this journey for launch despite the escalated decisions?",
                      {"plan": proposal["plan"], "segment": proposal["segment"]})
            if flagged else None
        )  # fmt: skip
        answer = interrupt(
            {
                "run_id": state["run_id"],
                "review_item": item,
                "escalations": flagged,
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
        if (lease := lease_of(config)) is not None:  # the decision is this process's to record only while it holds
            lease.verify()
        audit_payload = decision.model_dump(mode="json")
        _resolve(deps, state, item, decision)
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
            evidence = [Hit.model_validate(e) for e in state["results"].get("copy_evidence", [])]
            variants = decision.variants or []
            problems = copywriter.revalidate(c, variants, evidence) if variants else ["an edit must include variants"]
            planned = {s["channel"] for s in proposal["plan"]["steps"]}
            if variants and not planned & {v.channel for v in variants}:
                problems.append(f"the edited variants fill no step of the plan (its channels: {', '.join(planned)})")
            deps.recorder.event(
                state["tenant"],
                state["run_id"],
                actor=f"human:{decision.reviewer}",
                action="approval:edit",
                payload={**audit_payload, "problems": problems},
            )
            if problems:
                return Command(goto="approval", update={"edit_problems": problems})
            _resolve(deps, state, item, decision.model_copy(update={"action": "approve"}))
            for v in variants:
                v.citations, v.passed_guardrails, v.tier = copywriter.cited(v.body), True, "human"
            proposal = launchable(proposal, variants)
            return Command(
                goto="launch",
                update={"results": {"orchestrator": proposal}, "decision": audit_payload, "edit_problems": []},
            )
        evidence = [Hit.model_validate(e) for e in state["results"].get("copy_evidence", [])]
        drafted = [copywriter.Variant.model_validate(v) for v in proposal["variants"]["variants"]]
        passing = [v for v in drafted if v.passed_guardrails and not copywriter.revalidate(c, [v], evidence)]
        deps.recorder.event(
            state["tenant"],
            state["run_id"],
            actor=f"human:{decision.reviewer}",
            action="approval:approve",
            payload={**audit_payload, "launched_variants": [v.channel for v in passing]},
        )
        if not passing:  # nothing that passes the guardrails now may go out: the reviewer edits or rejects
            problems = ["no variant passes the guardrails now: edit the copy (it is re-checked) or reject the run"]
            return Command(goto="approval", update={"edit_problems": problems})
        return Command(
            goto="launch",
            update={"results": {"orchestrator": launchable(proposal, passing)}, "decision": audit_payload},
        )

    def launch(state: RunState, config: RunnableConfig) -> Command[Literal["finish"]]:
        from hyperjourney.graphs.outcomes import launch_once

        outcome = launch_once(deps, state, lease_of(config))  # fenced in the launch's own transaction
        return Command(goto="finish", update={"status": "completed", "outcome": outcome})

    def finish(state: RunState) -> dict[str, Any]:
        from hyperjourney.graphs.outcomes import finish_run

        return finish_run(deps, state)

    graph = StateGraph(RunState, input_schema=RunInput, output_schema=RunOutput)
    graph.add_node("supervisor", fenced(supervisor))
    graph.add_node("researcher", fenced(researcher_node))
    graph.add_node("analyst", fenced(analyst_node))
    graph.add_node("copywriter", fenced(copywriter_node))
    graph.add_node("orchestrator", fenced(orchestrator_node))
    graph.add_node("tone", fenced(tone_node))
    graph.add_node("escalate", fenced(escalate))
    graph.add_node("approval", fenced_with_config(approval))
    graph.add_node("launch", launch)
    graph.add_node("finish", fenced(finish))
    graph.add_edge(START, "supervisor")
    graph.add_edge("finish", END)
    return graph.compile(checkpointer=checkpointer, name=name)


def build_canvas_graph(deps: Deps, checkpointer: BaseCheckpointSaver[Any] | None = None) -> CompiledStateGraph[Any]:
    return build_graph(deps, checkpointer, name="canvas")


def build_copilot_graph(deps: Deps, checkpointer: BaseCheckpointSaver[Any] | None = None) -> CompiledStateGraph[Any]:
    return build_graph(deps, checkpointer, name="copilot")


def build_nba_graph(deps: Deps, checkpointer: BaseCheckpointSaver[Any] | None = None) -> CompiledStateGraph[Any]:
    return build_graph(deps, checkpointer, name="nba")
