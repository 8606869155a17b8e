"""The copilot's ticket search and the context beside the draft (no browser: the functions the card is built from)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hyperjourney.db.database import Database
from hyperjourney.ui import ticket_search
from hyperjourney.ui.copilot_input import CopilotInputError
from hyperjourney.ui.copilot_workspace import ReplyDraft, customer_markdown, draft_state_markdown, workspace

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def test_a_search_reads_filters_and_words() -> None:
    found = ticket_search.parse(
        "tickets status:any intent:refund_request sentiment:negative channel:email age:<7d card refund"
    )
    assert found.status == ["open", "pending", "solved", "closed"]
    assert (found.intent, found.sentiment, found.channel) == ("refund_request", "negative", "email")
    assert found.newer_than == timedelta(days=7) and found.older_than is None and found.words == "card refund"
    assert ticket_search.parse("tickets age:>12h").older_than == timedelta(hours=12)
    with pytest.raises(CopilotInputError, match="age: 'soon'"):
        ticket_search.parse("tickets age:soon")
    with pytest.raises(CopilotInputError, match="status"):
        ticket_search.parse("tickets status:lost")
    assert ticket_search.SEARCH.match("Tickets were sold twice") is not None  # "tickets …" is a search, by design
    assert ticket_search.SEARCH.match("My tickets were sold twice") is None


def test_search_filters_by_labels_channel_and_status(db: Database, trained_tenant: str) -> None:
    with db.tenant(trained_tenant) as conn:
        row = conn.execute(
            "SELECT labels->>'intent', channel, count(*) FROM tickets GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1"
        ).fetchone()
    assert row is not None
    intent, channel, expected = row
    wanted = ticket_search.parse(f"tickets status:any intent:{intent} channel:{channel}").model_copy(
        update={"limit": 100}
    )
    rows = ticket_search.search(db, trained_tenant, wanted)
    assert len(rows) == min(expected, 100)
    assert {(r.intent, r.channel) for r in rows} == {(intent, channel)}
    open_only = ticket_search.search(db, trained_tenant, ticket_search.parse(f"tickets intent:{intent}"))
    assert open_only and {r.status for r in open_only} <= {"open", "pending"}
    assert ticket_search.search(db, trained_tenant, ticket_search.parse("tickets status:any zzqx-no-such-words")) == []


def test_the_thread_is_tokenised_and_the_context_says_what_it_has(db: Database, trained_tenant: str) -> None:
    with db.tenant(trained_tenant) as conn:
        row = conn.execute(
            "SELECT t.ticket_id, t.customer_id FROM tickets t JOIN messages m USING (tenant_id, ticket_id) "
            "WHERE m.body ~ '[a-z]+@[a-z]+\\.[a-z]+' ORDER BY t.ticket_id LIMIT 1"
        ).fetchone()
    assert row is not None
    ticket_id, customer_id = row
    ws = workspace(db, trained_tenant, ticket_id, customer_id)
    assert ws.thread and not any(_EMAIL.search(m.body) for m in ws.thread)
    context = {
        "profile": {"customer_id": customer_id, "first_name": "Wei", "recent_orders": [
            {"order_id": "o_1", "status": "delivered", "ordered_at": "2026-01-02T00:00:00"}]},
        "scores": {"scores": {"churn_risk": {"value": 0.42, "reasons": [
            {"direction": "+", "text": "no login in 30 days"}]}}},
    }  # fmt: skip
    shown = customer_markdown(context, ws)
    assert "o\\_1 (delivered, 2026-01-02)" in shown
    assert "churn risk **0.42** because +no login in 30 days" in shown


def test_the_draft_state_line() -> None:
    refused = draft_state_markdown(ReplyDraft(body="x", problems=["tone_warmth: too warm"]), None, "email")
    assert refused.startswith("**Your edit was not accepted**") and "tone\\_warmth" in refused
    sent = draft_state_markdown(None, {"by": "ui:rita", "sent_on": "email", "action_id": 7}, "email")
    assert "Answered by ui\\:rita" in sent and "outbox #7" in sent
    assert "not sent from here (the ticket came by chat)" in draft_state_markdown(None, {"by": "ui:rita"}, "chat")
    assert draft_state_markdown(None, None, "email") == ""


def test_a_step_output_reads_as_words_not_a_dump() -> None:
    from hyperjourney.ui.render import step_markdown

    shown = step_markdown(
        {"tier": "small", "outputs": {"size": 1920.0, "share_of_tenant": 0.4, "variants": [{"a": 1}, {"b": 2}],
                                      "segment": {"industry": ["fintech"]}, "launched": False}}
    )  # fmt: skip
    assert "- size: 1,920\\.00" in shown and "- share of tenant: 0\\.40" in shown
    assert "- variants: 2 items" in shown and "- segment: industry 1 item" in shown and "- launched: no" in shown
    assert "{" not in shown and "size=" not in shown
