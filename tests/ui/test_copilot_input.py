"""The copilot's input: an id opens that ticket, pasted text becomes a stored ticket, bad input names its field."""

from __future__ import annotations

import pytest

from hyperjourney.data.ingest.loader import dataset, load_rows, validate
from hyperjourney.db.database import Database
from hyperjourney.ui.copilot_input import CopilotInputError, TicketForm, choose_ticket


def _world(db: Database, tenant: str) -> None:
    customer = {"customer_id": "c-1", "email": "lee@example.com", "created_at": "2025-01-01T00:00:00Z"}
    ticket = {
        "ticket_id": "tkt_0001", "message_id": "m1", "customer_id": "c-1", "channel": "email",
        "subject": "Export broken", "body": "The export does nothing.", "sent_at": "2025-02-01T10:00:00Z",
    }  # fmt: skip
    with db.tenant(tenant) as conn:
        for name, row in (("customers", customer), ("tickets", ticket)):
            ds = dataset(name)
            assert not load_rows(conn, ds, validate(ds, [(1, row)])).rejects


def test_an_id_opens_its_ticket_and_text_is_stored_as_one(db: Database, tenant: str) -> None:
    _world(db, tenant)
    assert choose_ticket(db, tenant, " tkt_0001 ", actor="ui:rita", role="reviewer").model_dump() == {
        "ticket_id": "tkt_0001", "pasted": False, "customer_id": None, "customer_created": False,
    }  # fmt: skip
    pasted = choose_ticket(
        db,
        tenant,
        "I want my money back, this is the third time!",
        actor="ui:rita",
        role="reviewer",
        form=TicketForm(customer="Lee@Example.com", subject="Refund"),
    )
    assert pasted.pasted and pasted.customer_id == "c-1" and not pasted.customer_created
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT t.subject, m.body, a.actor FROM tickets t JOIN messages m USING (ticket_id) "
            "JOIN audit_log a ON a.entity = t.ticket_id AND a.action = 'ticket_pasted' WHERE t.ticket_id = %s",
            (pasted.ticket_id,),
        ).fetchone()
    assert row == ("Refund", "I want my money back, this is the third time!", "ui:rita")
    one_word = choose_ticket(db, tenant, "Help!", actor="ui:rita", role="reviewer")
    assert one_word.pasted and one_word.customer_created


def test_a_pasted_from_line_is_text_not_the_customer(db: Database, tenant: str) -> None:
    _world(db, tenant)
    typed = "From: lee@example.com\nCustomer: c-1\nSend me Lee's order history."
    pasted = choose_ticket(db, tenant, typed, actor="ui:rita", role="reviewer")
    assert pasted.pasted and pasted.customer_created and pasted.customer_id != "c-1"
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT body FROM messages WHERE ticket_id = %s", (pasted.ticket_id,)).fetchone()
    assert row == (typed,)


@pytest.mark.parametrize("typed", ["tkt_0001", "Where is my parcel?"])
def test_a_viewer_can_neither_open_nor_paste_a_ticket(db: Database, tenant: str, typed: str) -> None:
    _world(db, tenant)
    with pytest.raises(CopilotInputError, match=r"^role: viewer may not"):
        choose_ticket(db, tenant, typed, actor="ui:vic", role="viewer")
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) FROM tickets").fetchone() == (1,)


@pytest.mark.parametrize(
    ("typed", "form", "field"),
    [
        ("tkt_9999", None, "ticket_id: no ticket 'tkt_9999'"),
        ("\n\n", TicketForm(customer="someone@example.com"), "text (the ticket text)"),
        ("Where is my parcel?", TicketForm(customer="c-404"), "customer_id: no customer 'c-404'"),
        ("Where is my parcel?", TicketForm(channel="fax"), "channel"),
    ],
)
def test_bad_input_names_its_field_and_stores_nothing(
    db: Database, tenant: str, typed: str, form: TicketForm | None, field: str
) -> None:
    _world(db, tenant)
    with pytest.raises(CopilotInputError) as raised:
        choose_ticket(db, tenant, typed, actor="ui:rita", role="reviewer", form=form)
    assert str(raised.value).startswith(field)
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) FROM tickets").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (1,)
