"""A finished copilot draft edited, checked, answered and sent (hyperjourney.graphs.reply_desk)."""

from __future__ import annotations

import pytest

from hyperjourney.db.database import Database
from hyperjourney.graphs import reply_desk, runs
from hyperjourney.graphs.outcomes import escalate_reply
from hyperjourney.graphs.wiring import Deps
from hyperjourney.review import queue
from tests.graphs.test_copilot_flow import _ticket
from tests.graphs.test_copilot_flow import deps as deps  # the small tier, a fixed clock

REFUND = "Hi, I sent my return back last week. When will my refund arrive on my card?"


def _state(db: Database, tenant: str, ticket_id: str, run_id: str) -> tuple[str, int, int, int]:
    with db.tenant(tenant) as conn:
        status = conn.execute("SELECT status FROM tickets WHERE ticket_id = %s", (ticket_id,)).fetchone()
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM messages WHERE ticket_id = %s AND author = 'agent'), "
            "(SELECT count(*) FROM outbox WHERE idempotency_key = %s), "
            "(SELECT count(*) FROM audit_log WHERE entity = %s AND action = 'ticket_answered')",
            (ticket_id, f"reply:{run_id}", run_id),
        ).fetchone()
    assert status is not None and counts is not None
    return str(status[0]), int(counts[0]), int(counts[1]), int(counts[2])


def test_a_refused_edit_writes_nothing_and_a_fixed_one_is_sent_once(db: Database, seeded: str, deps: Deps) -> None:
    ticket = _ticket(db, seeded, REFUND)
    run = runs.start_copilot(db, seeded, ticket, deps=deps)
    drafted = reply_desk.drafted_reply(db, seeded, run.run_id)
    assert drafted == run.outcome["reply"]
    bad = drafted + "\n\nWe guarantee a 100% refund within 1 hour, every time."
    checked = reply_desk.check_reply(db, seeded, run.run_id, bad, by="ui:ana", deps=deps)
    assert checked.problems, "an uncited promise must be refused"
    with pytest.raises(reply_desk.ReplyRefusedError, match="guardrails"):
        reply_desk.answer_ticket(db, seeded, run.run_id, bad, by="ui:ana", send=True, deps=deps)
    assert _state(db, seeded, ticket, run.run_id) == ("open", 0, 0, 0)
    assert reply_desk.answered(db, seeded, run.run_id) is None

    fixed = drafted.replace(",\n\n", ",\n\nThanks for your patience.\n\n", 1)  # after the greeting, whatever the tone
    assert fixed != drafted
    assert reply_desk.check_reply(db, seeded, run.run_id, fixed, by="ui:ana", deps=deps).problems == []
    done = reply_desk.answer_ticket(db, seeded, run.run_id, fixed, by="ui:ana", send=True, deps=deps)
    assert done.sent_on == "email" and done.action_id is not None and "[cite:" not in done.body
    assert done.cited_body == fixed
    again = reply_desk.answer_ticket(db, seeded, run.run_id, fixed, by="ui:bo", send=True, deps=deps)
    assert again.by == "ui:ana" and again.action_id == done.action_id  # a second click finds the first answer
    assert _state(db, seeded, ticket, run.run_id) == ("solved", 1, 1, 1)
    with db.tenant(seeded) as conn:
        row = conn.execute(
            "SELECT o.payload->>'body', o.purpose, m.body FROM outbox o, messages m "
            "WHERE o.idempotency_key = %s AND m.message_id = %s",
            (f"reply:{run.run_id}", f"reply:{run.run_id}"),
        ).fetchone()
    assert row == (done.body, "support", done.body)  # what is stored as answered is what goes out


def test_a_chat_ticket_is_marked_answered_but_not_sent(db: Database, seeded: str, deps: Deps) -> None:
    ticket = _ticket(db, seeded, REFUND, channel="chat")
    run = runs.start_copilot(db, seeded, ticket, deps=deps)
    with pytest.raises(reply_desk.ReplyRefusedError, match="came by chat"):
        reply_desk.answer_ticket(db, seeded, run.run_id, run.outcome["reply"], by="ui:ana", send=True, deps=deps)
    done = reply_desk.answer_ticket(db, seeded, run.run_id, run.outcome["reply"], by="ui:ana", send=False, deps=deps)
    assert done.sent_on is None and done.action_id is None
    assert _state(db, seeded, ticket, run.run_id) == ("solved", 1, 0, 1)


def test_escalating_with_a_note_keeps_the_note_and_the_edited_draft(db: Database, seeded: str, deps: Deps) -> None:
    ticket = _ticket(db, seeded, REFUND)
    run = runs.start_copilot(db, seeded, ticket, deps=deps)
    edited = run.outcome["reply"] + "\nI have asked billing to look at it."
    item_id = escalate_reply(db, seeded, run.run_id, by="ui:ana", note="  card was  charged twice ", body=edited)
    item = queue.get(db, seeded, item_id)
    assert item.reasons[0] == "escalated by ui:ana: card was charged twice"
    assert item.payload["body"] == edited
    assert {e.citation_id for e in item.evidence} == set(run.outcome["citations"]) != set()
    fixed = edited.replace("\nI have asked billing", "\nThanks for your patience. I have asked billing")
    result = queue.edit(db, seeded, item_id, "ui:rita", changes={"body": fixed})  # checked against that evidence
    assert result.applied and result.item.status == "approved", result.problems
