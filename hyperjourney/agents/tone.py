"""Tone: intent and sentiment of a support message, the tone attributes and channel to answer in, and when a
human must take over."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from hyperjourney.agents.base import AgentContext, AgentResult, Step
from hyperjourney.guardrails import tone_policy
from hyperjourney.guardrails.escalation_policy import AMBIGUOUS_BELOW, Escalation, text_triggers
from hyperjourney.guardrails.fence import fence
from hyperjourney.guardrails.tone import ToneAttributes
from hyperjourney.models.router import Candidate
from hyperjourney.policy.models import ProposedAction
from hyperjourney.prompts.loader import load
from hyperjourney.scoring.schema import Sentiment, TicketClassification
from hyperjourney.scoring.text import INTENTS
from hyperjourney.tools.customers import Ticket
from hyperjourney.tools.toolbox import ClassifyInput

PROMPT = "tone_classify"
ReplyChannel = Literal["email", "chat", "sms", "phone"]
_POLICY_CHANNEL: dict[str, Literal["email", "sms", "in_app"]] = {
    "email": "email", "chat": "in_app", "sms": "sms", "phone": "email",
}  # fmt: skip
_REPLY_ON = {"email": "email", "chat": "chat", "web": "email", "social": "email", "phone": "phone", "sms": "sms"}


class ToneDecision(BaseModel):
    """The output schema of the tone decision."""

    intent: str
    sentiment: Sentiment
    formality: float = Field(ge=0, le=1)
    warmth: float = Field(ge=0, le=1)
    brevity: float = Field(ge=0, le=1)
    channel: ReplyChannel
    confidence: float = Field(ge=0, le=1)


class ToneResult(BaseModel):
    decision: ToneDecision
    escalate: bool
    escalations: list[Escalation] = Field(default_factory=list, description="why a person must take it, typed")
    injection: bool
    classifier: str
    route: str | None = None  # the team or queue the tenant's taxonomy routes the intent to
    situation: tone_policy.Situation = "confused"  # the tone guide's situation the tone was chosen for
    intent_ambiguous: bool = False  # the top two intents tie: with no LLM tier to settle it, a person should

    @property
    def escalation_reasons(self) -> list[str]:
        return [e.line() for e in self.escalations]

    @property
    def tone(self) -> ToneAttributes:
        d = self.decision
        return ToneAttributes(formality=d.formality, warmth=d.warmth, brevity=d.brevity)


def intent_list(signal: TicketClassification) -> str:
    """The intents the classifier knows (the tenant's taxonomy), each with its description where one is set."""
    d = signal.intent_descriptions
    return ", ".join(f"{i} ({d[i]})" if i in d else i for i in signal.intents or INTENTS)


def escalations(
    decision: ToneDecision, ticket: Ticket, text: str, *, injection: bool, guessed: bool, tied: bool = False
) -> list[Escalation]:
    """The escalation policy's reasons a ticket carries before any reply is drafted (guardrails.escalation_policy):
    an injection, very negative sentiment, urgent priority, the triggers in the customer's words, and an intent
    the small tier could only guess (``guessed``: no LLM tier took the decision): below AMBIGUOUS_BELOW, or
    ``tied`` (the classifier's top two intents within its ambiguity margin: ``intent_ambiguous``)."""
    reasons = []
    if injection:
        reasons.append(
            Escalation(reason="injection", detail="the message tried to instruct the assistant (prompt injection)")
        )
    if decision.sentiment == "very_negative":
        reasons.append(Escalation(reason="very_negative", detail="very negative sentiment"))
    if ticket.priority == "urgent":
        reasons.append(Escalation(reason="urgent", detail="urgent priority"))
    reasons += text_triggers(text)
    if guessed and (decision.confidence < AMBIGUOUS_BELOW or tied):
        why = "ties with the runner-up" if tied else f"at confidence {decision.confidence:.2f}"
        detail = f"ambiguous: intent {decision.intent} {why}, and no LLM tier to read it"
        reasons.append(Escalation(reason="ambiguous", detail=detail))
    return reasons


def match_tone(ctx: AgentContext, ticket: Ticket, text: str, *, injection: bool = False) -> AgentResult:
    """``text`` is the customer's words already neutralised by the inbound scan (``injection`` says it hit)."""
    signal = ctx.tools.classify_ticket(ClassifyInput(text=text))
    # the tenant's versioned tone policy (the copilot eval grades against the same one); the ticket names no business.
    # The situation is read from the ticket: high stakes (money not arriving, someone else in the account, safety,
    # bereavement) wins over the mood the sentiment gives.
    tone = tone_policy.tone_for(signal.situation, policy=ctx.tools.tone_policy())
    channel: ReplyChannel = _REPLY_ON.get(ticket.channel, "email")  # type: ignore[assignment]
    if signal.sentiment == "very_negative" and channel in ("sms", "chat"):
        channel = "phone" if ticket.priority in ("high", "urgent") else "email"
    small = ToneDecision(
        intent=signal.intent,
        sentiment=signal.sentiment,
        channel=channel,
        confidence=signal.intent_confidence,
        **tone.model_dump(),
    )
    routed = ctx.router.decide(
        "tone",
        schema=ToneDecision,
        prompt=load(PROMPT),
        variables={"untrusted_message": fence(text), "intents": intent_list(signal)},
        small=lambda: Candidate(
            small, signal.intent_confidence, "; ".join(r.text for r in signal.reasons) or signal.model_version
        ),
    )
    decision = routed.value or small
    reasons = escalations(
        decision, ticket, text, injection=injection, guessed=routed.needs_review, tied=signal.intent_ambiguous
    )
    # the channel is the ticket's own, so the proposal is certain; the intent's uncertainty is `ambiguous` above
    verdict = ctx.tools.check_policy(
        ProposedAction(customer_id=ticket.customer_id, channel=_POLICY_CHANNEL[decision.channel], purpose="support",
                       send_at=ctx.now)
    )  # fmt: skip
    if not verdict.allowed or verdict.needs_review:
        detail = "; ".join(h.line() for h in verdict.flagged) or "review required"
        reasons.append(Escalation(reason="contact_policy", detail=f"policy: {detail}"))
    result = AgentResult(
        ToneResult(
            decision=decision,
            escalate=bool(reasons),
            escalations=reasons,
            injection=injection,
            classifier=f"{signal.source} model {signal.model_version}",
            route=signal.route,
            situation=signal.situation,
            intent_ambiguous=signal.intent_ambiguous,
        ),
        [],
    )
    result.add(Step("tone", routed, [], {"ticket_id": ticket.ticket_id, "channel": ticket.channel}))
    return result
