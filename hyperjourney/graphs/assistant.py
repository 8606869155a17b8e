"""The customer-facing assistant: one LangGraph thread per conversation, checkpointed in Postgres per tenant.

Each visitor message is one run of the graph: intake (a retried message id replays the stored reply; the
inbound scan; who the visitor is; intent and sentiment) → a hand-off when the message is an attack, the visitor
asks for a person or is very upset → otherwise the answer to a pending qualifying question becomes a typed
trait, a question gets a cited answer from the knowledge base, and the next step is chosen: an action the
visitor asked for (book a meeting, start a trial, add to cart), else the next qualifying question (the unknown
trait with the highest information gain on the tenant's own customers), else a hand-off when the assistant
has nothing confident to say. Small tier only: rules, the tenant's classifiers, KB facts; no model tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypedDict

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel, Field

from hyperjourney.conversations.asks import Ask, asks_in, choice_in, email_in
from hyperjourney.conversations.models import Trait
from hyperjourney.conversations.qualify import catalogue, next_question
from hyperjourney.db.database import Database
from hyperjourney.graphs.checkpoints import tenant_saver
from hyperjourney.graphs.nodes import traced
from hyperjourney.settings import AssistantSettings
from hyperjourney.telemetry import tracing
from hyperjourney.tools.actions import (
    ActionResult,
    AddToCartInput,
    AssistantActions,
    BookMeetingInput,
    HandoffInput,
    LeadInput,
    StartTrialInput,
)
from hyperjourney.tools.conversation import ConversationTools
from hyperjourney.tools.toolbox import ClassifyInput, TextInput

REMEMBERED = 20
TRIAL_PLAN = {"b2b": "ledger-growth", "plg": "boards-team", "shop": "goods-member"}


class TurnInput(BaseModel):
    conversation_id: str = Field(min_length=1)
    message_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
    text: str = Field(min_length=1, max_length=4000)
    email: str | None = Field(None, max_length=320)


class TurnReply(BaseModel):
    """What the visitor sees (plain text, no citation markers) and what happened, typed."""

    message_id: str
    text: str
    citations: list[str] = Field(default_factory=list)
    intent: str | None = None
    sentiment: str | None = None
    question: str | None = Field(None, description="The trait the qualifying question in this reply asks for")
    actions: list[ActionResult] = Field(default_factory=list)
    handed_off: bool = False
    ticket_id: str | None = None


class AssistantState(TypedDict, total=False):
    conversation_id: str
    message_id: str
    text: str  # the visitor's message of this turn; cleared when the turn ends (it is in the transcript)
    email: str | None
    customer_id: str
    business: str
    intent: str | None
    intent_confidence: float
    sentiment: str | None
    attack: bool
    asked: list[str]
    pending: str | None
    offered: list[str]
    wants_meeting: bool
    parts: list[str]
    citations: list[str]
    actions: list[ActionResult]
    handoff_reason: str | None
    handed_off: bool
    ticket_id: str | None
    recent: list[TurnReply]  # the last REMEMBERED replies: a retry of any of them streams it again


@dataclass
class AssistantDeps:
    """The graph's context: the tenant's tools and actions, the assistant settings and the clock."""

    db: Database
    tenant: str
    settings: AssistantSettings
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @property
    def tools(self) -> ConversationTools:
        return ConversationTools(self.db, self.tenant)

    @property
    def actions(self) -> AssistantActions:
        return AssistantActions(self.db, self.tenant, self.settings, clock=self.clock)


def intake(state: AssistantState, runtime: Runtime[AssistantDeps]) -> Command[Literal["handoff", "qualify", "reply"]]:
    deps = runtime.context
    if _replayed(state) is not None:  # a retried message: the same reply again, nothing done twice
        return Command(goto="reply", update={"parts": [], "actions": []})
    tools, text, now = deps.tools, state["text"], deps.clock()
    email = state.get("email") or email_in(text)
    visitor = tools.visitor(state["conversation_id"], email, at=now)
    scan = tools.toolbox.scan_inbound(TextInput(text=text))
    said = scan.neutralized if scan.attack else text
    c = tools.toolbox.classify_ticket(ClassifyInput(text=said))
    tools.record_turn(state["conversation_id"], "visitor", text, intent=c.intent, sentiment=c.sentiment)
    update: dict[str, Any] = {
        "customer_id": visitor.customer_id,
        "intent": c.intent,
        "intent_confidence": c.intent_confidence,
        "sentiment": c.sentiment,
        "attack": scan.attack,
        "parts": [],
        "citations": [],
        "actions": [],
        "business": state.get("business") or tools.business(visitor.customer_id, text),
    }
    reason = None
    if state.get("handed_off") or visitor.status == "handed_off":
        reason = "already handed off"
    elif scan.attack:
        reason = "inbound scan: " + "; ".join(scan.reasons[:2])
    elif "human" in asks_in(text):
        reason = "the visitor asked for a person"
    elif c.sentiment == "very_negative":
        reason = "very negative sentiment"
    if reason:
        return Command(goto="handoff", update={**update, "handoff_reason": reason})
    return Command(goto="qualify", update=update)


def qualify_node(state: AssistantState, runtime: Runtime[AssistantDeps]) -> Command[Literal["handoff", "reply"]]:
    """Store the answer to the pending question, answer what was asked, then act or ask the next question."""
    deps = runtime.context
    tools, text, now = deps.tools, state["text"], deps.clock()
    cid, customer, business = state["conversation_id"], state["customer_id"], state["business"]
    questions = catalogue().questions[business]
    parts: list[str] = []
    update: dict[str, Any] = {}
    pending = next((q for q in questions if q.trait == state.get("pending")), None)
    answered = pending.parse(text) if pending else None
    if pending and answered:
        tools.save_trait(
            customer, Trait(trait=pending.trait, value=answered, source=f"assistant:{cid}", observed_at=now)
        )
        update["pending"] = None
    asks = asks_in(text)
    is_question = "?" in text or not (answered or asks or state.get("offered"))
    citations: list[str] = []
    if is_question and not asks:
        kb = tools.answer(text, state.get("intent"), now=now)
        if kb.text:
            parts.append(kb.text)
            citations = kb.citations
        elif state.get("intent_confidence", 0.0) < deps.settings.handoff_confidence:
            return Command(
                goto="handoff",
                update={
                    **update,
                    "handoff_reason": "low confidence: no answer in the knowledge base and the intent is unclear",
                },
            )
    handled, acted = _act(state, deps, asks, parts)
    update.update(acted)
    if not handled:
        known = tools.traits(customer)
        asked = list(state.get("asked", []))
        skip = set(known) | set(asked)
        question = None
        if len(asked) < deps.settings.max_questions:
            question = next_question(questions, skip, tools.gains([q.trait for q in questions if q.trait not in skip]))
        if question is not None:
            parts.append(question.ask)
            update.update({"pending": question.trait, "asked": [*asked, question.trait]})
        elif not parts:
            parts.append("Would you like me to book a call with our team? Just say so.")
    return Command(goto="reply", update={**update, "parts": parts, "citations": citations})


def _act(state: AssistantState, deps: AssistantDeps, asks: list[Ask], parts: list[str]) -> tuple[bool, dict[str, Any]]:
    """The action the visitor asked for (or the slot they picked), said in ``parts``: (handled, state update).
    Not handled: the visitor asked for nothing, and the turn may ask the next qualifying question."""
    tools, actions, text = deps.tools, deps.actions, state["text"]
    cid, customer, msg = state["conversation_id"], state["customer_id"], state["message_id"]
    evidence = [f"conversation:{cid}", f"message:{msg}"]
    offered = state.get("offered", [])
    pick = choice_in(text, len(offered)) if offered else None
    if pick is not None:
        booked = actions.book_meeting(
            BookMeetingInput(
                idempotency_key=f"{cid}:book_meeting",
                customer_id=customer,
                conversation_id=cid,
                slot_id=offered[pick - 1],
                evidence=evidence,
            )
        )
        done = [booked]
        if booked.meeting is not None:
            traits = {k: t.value for k, t in tools.traits(customer).items()}
            done.append(
                actions.create_or_update_lead(
                    LeadInput(
                        idempotency_key=f"{cid}:lead:meeting",
                        customer_id=customer,
                        conversation_id=cid,
                        stage="meeting_booked",
                        intent=state.get("intent"),
                        traits=traits,
                        meeting_id=booked.meeting.meeting_id,
                        evidence=evidence,
                    )
                )
            )
            start = booked.meeting.slot.starts_at.astimezone(UTC)
            parts.append(
                f"Booked: {start:%A %d %B at %H:%M} UTC with {booked.meeting.slot.owner_email}. "
                "The invite is on its way to your inbox."
            )
        else:
            parts.append("I could not book that slot: " + "; ".join(booked.refused) + ".")
        return True, {"actions": done, "offered": [], "wants_meeting": False}
    if "meeting" in asks or state.get("wants_meeting"):
        if not tools.has_email(customer):
            parts.append("Happy to set up a call. Which email should the invite go to?")
            return True, {"wants_meeting": True}
        slots = tools.free_slots(deps.clock())
        if not slots:
            parts.append("There is no free slot in the calendar right now; a person will get back to you.")
            return True, {"wants_meeting": False}
        listed = "; ".join(f"{n}) {s.starts_at.astimezone(UTC):%a %d %b %H:%M} UTC" for n, s in enumerate(slots, 1))
        parts.append(f"Here are the next free slots: {listed}. Which one suits you?")
        return True, {"offered": [s.slot_id for s in slots], "wants_meeting": False}
    if "trial" in asks:
        plan = TRIAL_PLAN[state["business"]]
        started = actions.start_trial(
            StartTrialInput(
                idempotency_key=f"{cid}:start_trial",
                customer_id=customer,
                conversation_id=cid,
                plan=plan,
                evidence=evidence,
            )
        )
        if started.trial is not None:
            parts.append(f"Your {plan} trial is on until {started.trial.ends_at:%d %B %Y}.")
        else:
            parts.append("I cannot start a trial: " + "; ".join(started.refused) + ".")
        return True, {"actions": [started]}
    if "cart" in asks:
        product = tools.product_named(text)
        if product is None:
            parts.append("Which product should I add? Please name it as it appears in the shop.")
            return True, {}
        added = actions.add_to_cart(
            AddToCartInput(
                idempotency_key=f"{cid}:cart:{product.product_id}:{state['message_id']}",
                customer_id=customer,
                conversation_id=cid,
                product_id=product.product_id,
                evidence=evidence,
            )
        )
        if added.cart_line is not None:
            parts.append(f"Added {product.name} to your cart ({added.cart_line.quantity} in it now).")
        else:
            parts.append(f"I cannot add {product.name} to your cart: " + "; ".join(added.refused) + ".")
        return True, {"actions": [added]}
    return False, {}


def handoff_node(state: AssistantState, runtime: Runtime[AssistantDeps]) -> Command[Literal["reply"]]:
    deps = runtime.context
    cid = state["conversation_id"]
    if state.get("handed_off"):
        return Command(
            goto="reply", update={"parts": ["A person from our team has this conversation and will answer here."]}
        )
    result = deps.actions.handoff(
        HandoffInput(
            idempotency_key=f"{cid}:handoff",
            customer_id=state["customer_id"],
            conversation_id=cid,
            reason=state.get("handoff_reason") or "hand-off",
            intent=state.get("intent"),
            sentiment=state.get("sentiment"),
            urgent=state.get("sentiment") == "very_negative",
            evidence=[f"conversation:{cid}", f"message:{state['message_id']}"],
        )
    )
    opening = "I cannot help with that request." if state.get("attack") else "I am sorry for the trouble."
    told = result.handoff.next_contact if result.handoff else "A person from our team will follow up."
    return Command(
        goto="reply",
        update={
            "parts": [f"{opening} {told}"],
            "actions": [result],
            "handed_off": True,
            "ticket_id": result.handoff.ticket_id if result.handoff else None,
        },
    )


def reply_node(state: AssistantState, runtime: Runtime[AssistantDeps]) -> dict[str, Any]:
    """The turn's reply, stored in the transcript once; a replayed message returns the stored one."""
    if _replayed(state) is not None:
        return {"text": ""}
    text = "\n\n".join(p for p in state.get("parts", []) if p)
    runtime.context.tools.record_turn(state["conversation_id"], "assistant", text, citations=state.get("citations"))
    reply = TurnReply(
        message_id=state["message_id"],
        text=text,
        citations=state.get("citations", []),
        intent=state.get("intent"),
        sentiment=state.get("sentiment"),
        question=state.get("pending"),
        actions=state.get("actions", []),
        handed_off=bool(state.get("handed_off")),
        ticket_id=state.get("ticket_id"),
    )
    return {"recent": [*state.get("recent", []), reply][-REMEMBERED:], "text": ""}


def _replayed(state: AssistantState) -> TurnReply | None:
    return next((r for r in state.get("recent", []) if r.message_id == state["message_id"]), None)


def build_assistant_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    graph = StateGraph(AssistantState, context_schema=AssistantDeps)
    graph.add_node("intake", traced("intake", intake))
    graph.add_node("qualify", traced("qualify", qualify_node))
    graph.add_node("handoff", traced("handoff", handoff_node))
    graph.add_node("reply", traced("reply", reply_node))
    graph.add_edge(START, "intake")
    graph.add_edge("reply", END)
    return graph.compile(checkpointer=checkpointer, name="assistant")


def run_turn(deps: AssistantDeps, turn: TurnInput) -> TurnReply:
    """One visitor message through the conversation's thread (``assistant:<conversation id>``)."""
    with tracing.run_span("assistant", deps.tenant, turn.conversation_id), tenant_saver(deps.db, deps.tenant) as saver:
        graph = build_assistant_graph(saver)
        config: Any = {"configurable": {"thread_id": f"assistant:{turn.conversation_id}"}}
        values = graph.invoke(
            {
                "conversation_id": turn.conversation_id,
                "message_id": turn.message_id,
                "text": turn.text,
                "email": turn.email,
            },
            config,
            context=deps,
        )
    reply = next(r for r in values["recent"] if r.message_id == turn.message_id)
    assert isinstance(reply, TurnReply)
    return reply
