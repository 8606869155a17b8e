"""The copilot flow: a support ticket → Tone (inbound scan, sentiment, intent, tone, channel) → Researcher
(customer context, evidence) → Copywriter (a cited reply) → finish. A reply that cannot be drafted with
confidence or fails the guardrails ends the run ``escalated``, its draft a review item.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel

from hyperjourney.agents import copywriter, researcher, tone
from hyperjourney.agents.base import AgentContext, AgentResult
from hyperjourney.graphs.nodes import (
    FlowGraph,
    agent_context,
    agent_update,
    compile_flow,
    fence,
    fixed_route,
    hand_off,
    outputs_by_agent,
    record,
    run_agent,
)
from hyperjourney.graphs.outcomes import close_run, submit_reply
from hyperjourney.graphs.state import BaseState
from hyperjourney.graphs.wiring import Deps
from hyperjourney.guardrails.escalation_policy import Escalation
from hyperjourney.guardrails.models import Evidence
from hyperjourney.knowledge.language import detect
from hyperjourney.tools.toolbox import TextInput, TicketInput

PLAN = ["tone", "researcher", "copywriter"]
Back = Command[Literal["supervisor"]]


class TicketFacts(BaseModel):
    """The ticket as the run keeps it: subject and text redacted (state and checkpoints hold no personal data)."""

    ticket_id: str
    customer_id: str
    channel: str
    subject: str
    text: str


class CopilotState(BaseState, total=False):
    ticket: TicketFacts
    tone: tone.ToneResult
    context: researcher.CustomerContext
    reply: copywriter.Reply


def supervisor(state: CopilotState, runtime: Runtime[Deps]) -> Command[Literal["tone", "researcher", "copywriter",
                                                                                "finish"]]:  # fmt: skip
    deps = fence(runtime)
    update = fixed_route(deps, state, "support") if not state.get("done") else {}
    return hand_off(PLAN, state, update, "finish")


def tone_node(state: CopilotState, runtime: Runtime[Deps]) -> Back:
    deps = fence(runtime)
    ctx = agent_context(deps, state)
    ticket = ctx.tools.ticket(TicketInput(ticket_id=str(state["request"]["ticket_id"])))
    scan = ctx.tools.scan_inbound(TextInput(text=ticket.customer_text))
    text = scan.neutralized or ticket.customer_text if scan.attack else ticket.customer_text
    result = tone.match_tone(ctx, ticket, text, injection=scan.attack)
    record(deps, state, "tone", result)
    facts = TicketFacts(
        ticket_id=ticket.ticket_id,
        customer_id=ticket.customer_id,
        channel=ticket.channel,
        subject=deps.recorder.redacted(ticket.subject, state["tenant"]),
        text=deps.recorder.redacted(text, state["tenant"]),
    )
    return Command(goto="supervisor", update={**agent_update("tone", result, ctx), "tone": result.output,
                                              "ticket": facts})  # fmt: skip


def researcher_node(state: CopilotState, runtime: Runtime[Deps]) -> Back:
    ticket = TicketFacts.model_validate(state["ticket"])
    return run_agent(runtime, state, "researcher", "context",
                     lambda ctx: researcher.research_customer(ctx, ticket.customer_id, ticket.text))  # fmt: skip


def copywriter_node(state: CopilotState, runtime: Runtime[Deps]) -> Back:
    ticket = TicketFacts.model_validate(state["ticket"])
    t = tone.ToneResult.model_validate(state["tone"])
    context = researcher.CustomerContext.model_validate(state["context"])

    def reply(ctx: AgentContext) -> AgentResult:
        return copywriter.write_reply(
            ctx,
            name=context.profile.first_name or "",
            question=ticket.text,
            intent=t.decision.intent,
            sentiment=t.decision.sentiment,
            intent_confidence=t.decision.confidence,
            tone=t.tone,
            evidence=context.evidence,
            recipient_id=context.profile.customer_id,
            language=detect(ticket.text, context.profile.language),
            agent_language=runtime.context.settings.graphs.agent_language,
            injection=t.injection,
        )

    return run_agent(runtime, state, "copywriter", "reply", reply, channel=ticket.channel)


def reply_escalations(reply: copywriter.Reply) -> list[Escalation]:
    """Why the drafted reply cannot go out: it failed the guardrails, or no tier could say something on the
    ticket's product and intent (low relevance: never the best of bad options)."""
    out = []
    if not reply.passed_guardrails:
        out.append(Escalation(reason="guardrails", detail="the draft did not pass the guardrails"))
    elif reply.tier == "human":  # a safe draft no tier was confident in: nothing said answers the ticket
        detail = f"low relevance: no tier could draft a confident reply (best fact relevance {reply.relevance:.2f})"
        out.append(Escalation(reason="low_relevance", detail=detail))
    return out


def finish(state: CopilotState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """The reply with its tone and sources; escalated (its draft in the review queue) when a person must take it."""
    deps = fence(runtime)
    t = tone.ToneResult.model_validate(state["tone"]) if state.get("tone") else None
    reply = copywriter.Reply.model_validate(state["reply"]) if state.get("reply") else None
    reasons = list(t.escalations) if t else []
    reasons += reply_escalations(reply) if reply else []
    ticket = TicketFacts.model_validate(state["ticket"]).model_dump() if state.get("ticket") else {}
    outcome: dict[str, Any] = {
        "ticket": ticket,
        "intent": t.decision.intent if t else None,
        "sentiment": t.decision.sentiment if t else None,
        "classifier": t.classifier if t else None,  # whose model classified it: the tenant's own or the packaged one
        "route": t.route if t else None,  # the team or queue the tenant's taxonomy routes this intent to
        "tone": {k: getattr(t.decision, k) if t else None for k in ("formality", "warmth", "brevity")},
        "channel": t.decision.channel if t else None,
        "reply": reply.body if reply else "",
        "citations": reply.citations if reply else [],
        "language": reply.language if reply else None,
        # the typed Gist is on the draft (results()["copywriter"]); the outcome shows it in words to the agent
        "gist": reply.gist.text if reply and reply.gist else None,
        "gist_translation": (reply.gist.note or f"translated into {reply.gist.language}")
        if reply and reply.gist
        else None,
        "escalate": bool(reasons),
        "escalation_reasons": [r.line() for r in reasons],
        "escalations": [r.model_dump() for r in reasons],  # typed: the policy's reason codes
    }
    if reasons:
        hits = reply.evidence if reply else []  # what the reply may cite, chosen facts too
        outcome["review_item"] = submit_reply(
            deps.db, state["tenant"], state["run_id"], outcome, outcome["escalation_reasons"],
            [Evidence.from_hit(h) for h in hits] + [r.evidence() for r in (reply.records if reply else [])],
            key="finish:reply",
        )  # fmt: skip
        outcome["next"] = "A human agent takes this ticket; the draft and its sources are attached."
        return close_run(deps, state, "escalated", "escalated", outcome)
    outcome["next"] = "Review the draft and send it; every fact links to its source."
    return close_run(deps, state, "completed", "completed", outcome)


def results(values: dict[str, Any]) -> dict[str, Any]:
    """Each agent's output in a copilot run's state, as JSON by agent name (what the API and the UI show)."""
    named = (("ticket", "ticket"), ("tone", "tone"), ("researcher", "context"), ("copywriter", "reply"))
    return outputs_by_agent(values, named)


def build_copilot_graph(checkpointer: BaseCheckpointSaver[Any] | None = None) -> FlowGraph:
    return compile_flow(
        CopilotState,
        "copilot",
        {
            "supervisor": supervisor,
            "tone": tone_node,
            "researcher": researcher_node,
            "copywriter": copywriter_node,
            "finish": finish,
        },
        checkpointer,
    )
