"""The assistant's typed, idempotent actions: book a meeting, write a lead, add to cart, start a trial, hand off.

Each action runs in one tenant transaction: it locks its idempotency key and returns the stored result when
the key ran before (nothing written twice: no second meeting, lead revision, outbox message or audit entry);
otherwise it checks that the conversation is this customer's, passes the policy engine, does its work, keeps
its result in the ledger and is audited once with its evidence. A refusal is a result too (with the rules
that refused it), kept and audited the same way, so a retry is refused identically.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
import yaml
from pydantic import BaseModel, Field

from hyperjourney.channels import outbox
from hyperjourney.channels.models import Message, OutboundAction
from hyperjourney.conversations import calendar, commerce, handoff, leads, ledger, store
from hyperjourney.conversations.models import ActionKind, CartLine, Handoff, Lead, Meeting, Trial
from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.nba.policy_port import PolicyPort
from hyperjourney.policy.models import Channel, PolicyDecision, ProposedAction
from hyperjourney.prompts.loader import load
from hyperjourney.settings import AssistantSettings

ACTOR = "assistant"


class ActionInput(BaseModel):
    idempotency_key: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:@-]+$")
    customer_id: str = Field(min_length=1)
    conversation_id: str | None = None
    evidence: list[str] = Field(default_factory=list, description="What the action rests on: turns, citations")


class BookMeetingInput(ActionInput):
    slot_id: str = Field(min_length=1)
    topic: str = Field("Intro call", min_length=1, max_length=120)


class LeadInput(ActionInput):
    stage: str = "qualified"
    intent: str | None = None
    traits: dict[str, str] = Field(default_factory=dict)
    meeting_id: str | None = None


class AddToCartInput(ActionInput):
    product_id: str = Field(min_length=1)
    quantity: int = Field(1, ge=1, le=20)


class StartTrialInput(ActionInput):
    plan: str = Field(min_length=1, max_length=60)


class HandoffInput(ActionInput):
    conversation_id: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    intent: str | None = None
    sentiment: str | None = None
    urgent: bool = Field(False, description="very negative sentiment: the ticket is high priority")


class ActionResult(BaseModel):
    """What an action did (its record) or why it did nothing (``refused``: the rules' lines, for the customer)."""

    kind: ActionKind
    idempotency_key: str
    done: bool
    replayed: bool = False
    refused: list[str] = Field(default_factory=list)
    policy_version: str | None = None
    meeting: Meeting | None = None
    lead: Lead | None = None
    cart_line: CartLine | None = None
    trial: Trial | None = None
    handoff: Handoff | None = None
    outbox_action_id: int | None = None


def _refusal(kind: ActionKind, key: str, reasons: list[str], decision: PolicyDecision | None = None) -> ActionResult:
    version = decision.policy_version if decision else None
    return ActionResult(kind=kind, idempotency_key=key, done=False, refused=reasons, policy_version=version)


def _denied(decision: PolicyDecision) -> list[str]:
    return [h.reason for h in decision.flagged]


class AssistantActions:
    """The actions bound to one tenant; ``now`` is read once per action (tests pass a fixed clock)."""

    def __init__(
        self, db: Database, tenant: str, settings: AssistantSettings, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.db, self.tenant, self.settings = db, tenant, settings
        self.policy = PolicyPort(db, tenant)
        self.clock = clock or (lambda: datetime.now(UTC))

    def _run(
        self, kind: ActionKind, inp: ActionInput, act: Callable[[psycopg.Connection[Any], datetime], ActionResult]
    ) -> ActionResult:
        key = inp.idempotency_key
        with self.db.tenant(self.tenant) as conn:
            stored = ledger.claim(conn, key)
            if stored is not None:
                done = ActionResult.model_validate(stored)
                if done.kind != kind:
                    raise ValueError(f"idempotency_key: {key!r} already keyed a {done.kind}, not a {kind}")
                return done.model_copy(update={"replayed": True})
            now = self.clock()
            result = self._owner_refusal(conn, kind, inp) or act(conn, now)
            payload = result.model_dump(mode="json", exclude={"replayed"})
            ledger.record(conn, key, kind, inp.customer_id, payload)
            audit.append_once(
                conn,
                key,
                actor=ACTOR,
                action=f"assistant_{kind}" if result.done else f"assistant_{kind}_refused",
                entity=f"customer:{inp.customer_id}",
                payload={"input": inp.model_dump(mode="json"), "result": payload, "evidence": inp.evidence},
            )
        return result

    def _owner_refusal(self, conn: psycopg.Connection[Any], kind: ActionKind, inp: ActionInput) -> ActionResult | None:
        """The assistant acts only for the customer it is talking to."""
        if inp.conversation_id is None:
            return None
        _, customer, _ = store.conversation_customer(conn, inp.conversation_id)
        if customer != inp.customer_id:
            return _refusal(kind, inp.idempotency_key, ["the action is for another customer than this conversation's"])
        return None

    def _check(
        self, conn: psycopg.Connection[Any], customer_id: str, channel: Channel, now: datetime
    ) -> PolicyDecision:
        action = ProposedAction(customer_id=customer_id, channel=channel, purpose="transactional", send_at=now)
        return self.policy.for_customer(conn, customer_id, now).check(action, now)

    def book_meeting(self, inp: BookMeetingInput) -> ActionResult:
        def act(conn: psycopg.Connection[Any], now: datetime) -> ActionResult:
            decision = self._check(conn, inp.customer_id, "email", now)
            if not decision.allowed:
                return _refusal("book_meeting", inp.idempotency_key, _denied(decision), decision)
            to = outbox.address_for(conn, inp.customer_id, "email")
            if "@" not in to:
                return _refusal("book_meeting", inp.idempotency_key, ["no email address to send the invite to"])
            meeting_id = "mtg_" + hashlib.sha256(f"{self.tenant}:{inp.idempotency_key}".encode()).hexdigest()[:16]
            try:
                slot = calendar.reserve(
                    conn,
                    meeting_id=meeting_id,
                    slot_id=inp.slot_id,
                    customer_id=inp.customer_id,
                    conversation_id=inp.conversation_id,
                    after=now,
                )
            except calendar.SlotTakenError as exc:
                return _refusal("book_meeting", inp.idempotency_key, [str(exc)], decision)
            ics = calendar.invite_ics(meeting_id, slot, attendee=to, summary=inp.topic, stamp=now)
            body = (
                f"Your {inp.topic.lower()} is booked for {slot.starts_at.astimezone(UTC):%A %d %B %Y at %H:%M} UTC "
                f"with {slot.owner_email}. The calendar invite is attached."
            )
            action_id, _ = outbox.enqueue(
                conn,
                OutboundAction(
                    idempotency_key=f"{inp.idempotency_key}:invite",
                    customer_id=inp.customer_id,
                    channel="email",
                    purpose="transactional",
                    message=Message(
                        to=to,
                        subject=f"Invitation: {inp.topic}",
                        body=body,
                        why="you booked this meeting in our chat",
                        data={"ics": ics},
                    ),
                    rationale={"action": "book_meeting", "meeting_id": meeting_id},
                    evidence=inp.evidence,
                ),
                actor=ACTOR,
            )
            calendar.attach_invite(conn, meeting_id, action_id)
            meeting = Meeting(
                meeting_id=meeting_id,
                slot=slot,
                customer_id=inp.customer_id,
                conversation_id=inp.conversation_id,
                outbox_action_id=action_id,
            )
            return ActionResult(
                kind="book_meeting",
                idempotency_key=inp.idempotency_key,
                done=True,
                meeting=meeting,
                policy_version=decision.policy_version,
                outbox_action_id=action_id,
            )

        return self._run("book_meeting", inp, act)

    def create_or_update_lead(self, inp: LeadInput) -> ActionResult:
        """The lead record in Postgres, and the same record to the CRM webhook through the outbox."""

        def act(conn: psycopg.Connection[Any], now: datetime) -> ActionResult:
            decision = self._check(conn, inp.customer_id, "webhook", now)
            if not decision.allowed:
                return _refusal("create_or_update_lead", inp.idempotency_key, _denied(decision), decision)
            to = outbox.address_for(conn, inp.customer_id, "email")
            record: dict[str, Any] = {
                "customer_id": inp.customer_id,
                "email": to if "@" in to else None,
                "stage": inp.stage,
                "intent": inp.intent,
                "traits": inp.traits,
                "source": "assistant",
                "conversation_id": inp.conversation_id,
                "meeting_id": inp.meeting_id,
            }
            lead = leads.upsert_lead(conn, record)
            action_id, _ = outbox.enqueue(
                conn,
                OutboundAction(
                    idempotency_key=f"{inp.idempotency_key}:crm",
                    customer_id=inp.customer_id,
                    channel="webhook",
                    purpose="transactional",
                    message=Message(
                        to=inp.customer_id,
                        subject="lead",
                        body=f"lead revision {lead.revision}",
                        data={"lead": lead.record, "schema_version": lead.schema_version},
                    ),
                    rationale={"action": "create_or_update_lead"},
                    evidence=inp.evidence,
                ),
                actor=ACTOR,
            )
            return ActionResult(
                kind="create_or_update_lead",
                idempotency_key=inp.idempotency_key,
                done=True,
                lead=lead,
                policy_version=decision.policy_version,
                outbox_action_id=action_id,
            )

        return self._run("create_or_update_lead", inp, act)

    def add_to_cart(self, inp: AddToCartInput) -> ActionResult:
        def act(conn: psycopg.Connection[Any], now: datetime) -> ActionResult:
            customer = self.policy.for_customer(conn, inp.customer_id, now, product_ids=[inp.product_id])
            decision = customer.purchase([inp.product_id])
            if not decision.allowed:
                return _refusal("add_to_cart", inp.idempotency_key, _denied(decision), decision)
            line = commerce.add_line(conn, inp.customer_id, inp.product_id, inp.quantity)
            return ActionResult(
                kind="add_to_cart",
                idempotency_key=inp.idempotency_key,
                done=True,
                cart_line=line,
                policy_version=decision.policy_version,
            )

        return self._run("add_to_cart", inp, act)

    def start_trial(self, inp: StartTrialInput) -> ActionResult:
        def act(conn: psycopg.Connection[Any], now: datetime) -> ActionResult:
            decision = self._check(conn, inp.customer_id, "in_app", now)
            if not decision.allowed:
                return _refusal("start_trial", inp.idempotency_key, _denied(decision), decision)
            trial = commerce.start_trial(conn, inp.customer_id, inp.plan, at=now, days=self.settings.trial_days)
            return ActionResult(
                kind="start_trial",
                idempotency_key=inp.idempotency_key,
                done=True,
                trial=trial,
                policy_version=decision.policy_version,
            )

        return self._run("start_trial", inp, act)

    def handoff(self, inp: HandoffInput) -> ActionResult:
        """The conversation becomes an open ticket in the copilot's queue; the customer is told when to expect
        a person (the office hours in settings)."""

        def act(conn: psycopg.Connection[Any], now: datetime) -> ActionResult:
            turns = store.transcript(conn, inp.conversation_id)
            traits = {k: t.value for k, t in store.known_traits(conn, inp.customer_id).items()}
            summary = handoff.summarize(turns, intent=inp.intent, sentiment=inp.sentiment, traits=traits)
            reply = suggested_reply(inp.urgent)
            ticket_id = "tkt_assist_" + hashlib.sha256(f"{self.tenant}:{inp.idempotency_key}".encode()).hexdigest()[:12]
            labels = {
                "source": "assistant",
                "conversation_id": inp.conversation_id,
                "reason": inp.reason,
                "summary": summary,
                "intent": inp.intent,
                "sentiment": inp.sentiment,
                "traits": traits,
                "suggested_reply": reply,
            }
            handoff.file_ticket(
                conn,
                ticket_id,
                customer_id=inp.customer_id,
                turns=turns,
                labels=labels,
                priority="high" if inp.urgent else "normal",
                at=now,
            )
            store.mark_handed_off(conn, inp.conversation_id, ticket_id)
            s = self.settings
            told = handoff.next_contact(
                now, start_hour=s.office_start_hour, end_hour=s.office_end_hour, zone=s.office_timezone
            )
            result = Handoff(
                ticket_id=ticket_id,
                summary=summary,
                intent=inp.intent,
                sentiment=inp.sentiment,
                traits=traits,
                suggested_reply=reply,
                next_contact=told,
            )
            return ActionResult(kind="handoff", idempotency_key=inp.idempotency_key, done=True, handoff=result)

        return self._run("handoff", inp, act)


def suggested_reply(urgent: bool, locale: str = "en") -> str:
    """The agent's first line to the customer, from the support reply phrases (an apology and an owner when the
    customer is very upset)."""
    phrases: dict[str, dict[str, str]] = yaml.safe_load(load("support_reply_phrases").text)
    p = phrases.get(locale, phrases["en"])
    opening = p["very_negative"] if urgent else p["plain"]
    return f"{p['greeting']}, {opening[0].lower()}{opening[1:]} {p['owner_closing'] if urgent else p['closing']}"
