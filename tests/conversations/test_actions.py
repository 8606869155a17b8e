"""The assistant's actions against real Postgres and a real SMTP server: exactly once on retry, under policy."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from hyperjourney.channels.adapters import SmtpAdapter
from hyperjourney.channels.dispatcher import Dispatcher
from hyperjourney.conversations import store
from hyperjourney.conversations.leads import LeadSchemaError
from hyperjourney.db.database import Database
from hyperjourney.settings import AssistantSettings, ChannelSettings
from hyperjourney.tools.actions import (
    AddToCartInput,
    AssistantActions,
    BookMeetingInput,
    HandoffInput,
    LeadInput,
    StartTrialInput,
)
from hyperjourney.tools.customers import ticket
from hyperjourney.ui.ticket_search import TicketFilter, search
from tests.channels.test_outbox_dispatch import Inbox, free_port
from tests.conversations.shop import NOW, open_shop

FAST = ChannelSettings(backoff_base_s=0.01, backoff_max_s=0.05, timeout_s=2, lease_s=5, workers=1)


def actions(db: Database, tenant: str) -> AssistantActions:
    return AssistantActions(db, tenant, AssistantSettings(), clock=lambda: NOW)


def count(db: Database, tenant: str, sql: str, *args: Any) -> int:
    with db.tenant(tenant) as conn:
        row = conn.execute(sql, args).fetchone()
    assert row is not None
    return int(row[0])


def test_a_retried_booking_is_one_meeting_one_invite_one_audit_entry(db: Database, tenant: str) -> None:
    open_shop(db, tenant, {"c1": "25_34", "c2": "25_34"})
    act = actions(db, tenant)
    inp = BookMeetingInput(idempotency_key="conv1:book", customer_id="c1", slot_id="s1", evidence=["turn:3"])
    first, again = act.book_meeting(inp), act.book_meeting(inp)
    assert first.done and first.meeting is not None and not first.replayed
    assert again.replayed and again.meeting == first.meeting
    assert count(db, tenant, "SELECT count(*) FROM meetings") == 1
    assert count(db, tenant, "SELECT count(*) FROM outbox WHERE channel = 'email'") == 1
    assert count(db, tenant, "SELECT count(*) FROM audit_log WHERE action = 'assistant_book_meeting'") == 1
    assert count(db, tenant, "SELECT count(*) FROM audit_log WHERE action = 'outbox_enqueue'") == 1
    other = act.book_meeting(BookMeetingInput(idempotency_key="conv2:book", customer_id="c2", slot_id="s1"))
    assert not other.done and other.refused == ["slot_id: slot 's1' is already booked"]

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        cfg = FAST.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        stats = Dispatcher(db, tenant, {"email": SmtpAdapter(cfg)}, cfg).run()
    finally:
        controller.stop()
    assert stats.delivered == 1 and len(inbox.messages) == 1
    mail = email.message_from_bytes(inbox.messages[0].content, policy=email.policy.default)
    assert mail["To"] == "c1@example.com"
    invite = next(p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar")
    ics = invite.get_content()
    assert f"UID:{first.meeting.meeting_id}@hyperjourney.local" in ics
    assert "DTSTART:20260304T110000Z" in ics and "ORGANIZER:mailto:ana@northwind.example" in ics


def test_lead_is_schema_checked_written_once_and_revised_on_update(db: Database, tenant: str) -> None:
    open_shop(db, tenant, {"c1": None})
    act = actions(db, tenant)
    inp = LeadInput(idempotency_key="conv1:lead", customer_id="c1", intent="pricing", traits={"company_size": "11-50"})
    first, again = act.create_or_update_lead(inp), act.create_or_update_lead(inp)
    assert first.lead is not None and first.lead.revision == 1 and again.replayed
    assert count(db, tenant, "SELECT count(*) FROM outbox WHERE channel = 'webhook'") == 1
    update = LeadInput(
        idempotency_key="conv1:lead2", customer_id="c1", stage="meeting_booked", traits={"timeline": "this quarter"}
    )
    second = act.create_or_update_lead(update)
    assert second.lead is not None and second.lead.revision == 2
    assert second.lead.record["traits"] == {"company_size": "11-50", "timeline": "this quarter"}
    assert second.lead.record["email"] == "c1@example.com"
    with pytest.raises(LeadSchemaError, match="lead stage: 'won' is not one of"):
        act.create_or_update_lead(LeadInput(idempotency_key="conv1:lead3", customer_id="c1", stage="won"))
    assert count(db, tenant, "SELECT max(revision) FROM leads") == 2  # the bad record wrote nothing
    assert count(db, tenant, "SELECT count(*) FROM assistant_actions") == 2


def test_cart_refuses_age_gated_for_unknown_age_and_out_of_stock_with_the_reason(db: Database, tenant: str) -> None:
    open_shop(db, tenant, {"kid": "under_16", "anon": None, "adult": "25_34"})
    act = actions(db, tenant)

    def add(customer: str, product: str) -> Any:
        return act.add_to_cart(
            AddToCartInput(idempotency_key=f"{customer}:{product}", customer_id=customer, product_id=product)
        )

    assert add("kid", "p_wine").refused == ["age-gated p_wine to age band under_16"]
    assert add("anon", "p_wine").refused == ["age-gated p_wine to a customer of unknown age"]
    assert add("adult", "p_gone").refused == ["p_gone has 0 in stock"]
    ok = add("adult", "p_wine")
    assert ok.done and ok.cart_line is not None and ok.cart_line.quantity == 1
    assert add("adult", "p_wine").replayed  # the same key again: still one bottle
    assert count(db, tenant, "SELECT sum(quantity) FROM cart_lines") == 1
    assert count(db, tenant, "SELECT count(*) FROM audit_log WHERE action = 'assistant_add_to_cart_refused'") == 3


def test_trial_starts_once_for_the_conversations_customer_only(db: Database, tenant: str) -> None:
    open_shop(db, tenant, {"c1": None, "c2": None})
    with db.tenant(tenant) as conn:
        store.open_conversation(conn, "conv-c1", visitor_id="cookie-1", customer_id="c1", channel="web")
    act = actions(db, tenant)
    theft = act.start_trial(
        StartTrialInput(idempotency_key="x", customer_id="c2", conversation_id="conv-c1", plan="pro")
    )
    assert theft.refused == ["the action is for another customer than this conversation's"]
    inp = StartTrialInput(idempotency_key="conv-c1:trial", customer_id="c1", conversation_id="conv-c1", plan="pro")
    first = act.start_trial(inp)
    assert first.trial is not None and (first.trial.ends_at - first.trial.started_at).days == 14
    assert act.start_trial(inp).replayed
    assert count(db, tenant, "SELECT count(*) FROM trials") == 1


def test_handoff_files_one_ticket_the_copilot_lists_with_transcript_and_summary(db: Database, tenant: str) -> None:
    open_shop(db, tenant, {"c1": None})
    with db.tenant(tenant) as conn:
        store.open_conversation(conn, "conv-h", visitor_id="cookie-h", customer_id="c1", channel="web")
        store.append_turn(conn, "conv-h", "visitor", "My order never came and nobody answers!", sentiment="negative")
        store.append_turn(conn, "conv-h", "assistant", "I am sorry to hear that.")
    inp = HandoffInput(
        idempotency_key="conv-h:handoff",
        customer_id="c1",
        conversation_id="conv-h",
        reason="very negative sentiment",
        intent="delivery_issue",
        sentiment="negative",
        urgent=True,
    )
    act = actions(db, tenant)
    first, again = act.handoff(inp), act.handoff(inp)
    assert first.handoff is not None and again.replayed
    assert "within the hour" in first.handoff.next_contact
    assert first.handoff.suggested_reply.startswith("Hi, i am sorry")
    queue = search(db, tenant, TicketFilter(sentiment="negative"))
    assert [(r.ticket_id, r.intent) for r in queue] == [(first.handoff.ticket_id, "delivery_issue")]
    opened = ticket(db, tenant, first.handoff.ticket_id)
    assert [m.author for m in opened.messages] == ["customer", "system"] and opened.priority == "high"
    assert "My order never came" in first.handoff.summary
    with db.tenant(tenant) as conn:
        status = conn.execute("SELECT status, ticket_id FROM conversations").fetchone()
    assert status == ("handed_off", first.handoff.ticket_id)
