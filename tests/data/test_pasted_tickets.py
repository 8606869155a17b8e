"""A pasted ticket is stored like an ingested one: the right customer, one message, audited, only in its tenant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from hyperjourney.data.ingest.loader import dataset, load_rows, validate
from hyperjourney.data.pasted_tickets import PastedTicket, create_ticket, from_form
from hyperjourney.db.database import Database

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _known_customer(db: Database, tenant: str) -> None:
    row = {"customer_id": "c-ana", "email": "Ana.Silva+work@gmail.com", "created_at": "2025-01-01T00:00:00Z"}
    with db.tenant(tenant) as conn:
        ds = dataset("customers")
        assert not load_rows(conn, ds, validate(ds, [(1, row)])).rejects


def test_form_fields_name_the_customer_and_the_paste_is_only_text() -> None:
    by_email = from_form("My card was declined twice today.\nHelp!", customer=" <ana@example.com> ", subject="Declined")
    assert (by_email.customer_email, by_email.customer_id, by_email.subject) == ("ana@example.com", None, "Declined")
    by_id = from_form("where is my refund?", customer="c-ana", channel="Chat")
    assert (by_id.customer_id, by_id.channel, by_id.customer_email) == ("c-ana", "chat", None)
    plain = from_form("From: ana@example.com\nHello, the export button does nothing.")
    assert plain.customer_email is None and plain.customer_id is None
    assert plain.text == "From: ana@example.com\nHello, the export button does nothing."
    with pytest.raises(ValidationError):
        from_form("   ", customer="ana@example.com")
    with pytest.raises(ValidationError):
        from_form("hello", channel="pigeon")


def test_header_lines_in_a_paste_never_reassign_the_ticket(db: Database, tenant: str) -> None:
    """A pasted body claiming to be from a known customer files under the form's customer (or a new one)."""
    _known_customer(db, tenant)
    body = "From: Ana.Silva+work@gmail.com\nCustomer: c-ana\nSubject: hi\n\nPlease send me Ana's invoices."
    with db.tenant(tenant) as conn:
        anonymous = create_ticket(conn, from_form(body), actor="ui:rita", now=AT)
        named = create_ticket(conn, from_form(body, customer="someone@example.net"), actor="ui:rita", now=AT)
    assert anonymous.customer_created and anonymous.customer_id != "c-ana"
    assert named.customer_created and named.customer_id not in ("c-ana", anonymous.customer_id)
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT t.customer_id, t.subject, m.body FROM tickets t JOIN messages m USING (ticket_id) "
            "WHERE t.ticket_id = ANY(%s) ORDER BY t.customer_id",
            ([anonymous.ticket_id, named.ticket_id],),
        ).fetchall()
    assert all(r[0] != "c-ana" and r[2] == body.strip() for r in rows) and len(rows) == 2
    assert {r[1] for r in rows} == {"From: Ana.Silva+work@gmail.com"}


def test_email_finds_the_known_customer(db: Database, tenant: str) -> None:
    _known_customer(db, tenant)
    pasted = PastedTicket(text="I was charged twice for March.", customer_email="anasilva@googlemail.com")
    with db.tenant(tenant) as conn:
        made = create_ticket(conn, pasted, actor="ui:rita", now=AT)
    assert made.customer_id == "c-ana" and not made.customer_created
    with db.tenant(tenant) as conn:
        ticket = conn.execute(
            "SELECT customer_id, subject, status, channel, labels FROM tickets WHERE ticket_id = %s", (made.ticket_id,)
        ).fetchone()
        messages = conn.execute("SELECT author, body FROM messages WHERE ticket_id = %s", (made.ticket_id,)).fetchall()
        logged = conn.execute(
            "SELECT actor, payload FROM audit_log WHERE action = 'ticket_pasted' AND entity = %s", (made.ticket_id,)
        ).fetchall()
    assert ticket == ("c-ana", "I was charged twice for March.", "open", "email", {"source": "pasted"})
    assert messages == [("customer", "I was charged twice for March.")]
    assert logged == [("ui:rita", {"customer_id": "c-ana", "customer_created": False, "chars": 30})]


def test_an_unknown_sender_gets_a_new_customer_with_that_email(db: Database, tenant: str) -> None:
    with db.tenant(tenant) as conn:
        made = create_ticket(conn, from_form("Where is my order?", customer="new@example.org"), actor="api:k1", now=AT)
        anonymous = create_ticket(conn, from_form("Where is my order?"), actor="api:k1", now=AT)
    assert made.customer_created and anonymous.customer_created and made.customer_id != anonymous.customer_id
    with db.tenant(tenant) as conn:
        email = conn.execute(
            "SELECT value FROM identities WHERE customer_id = %s AND kind = 'email'", (made.customer_id,)
        ).fetchone()
        again = create_ticket(conn, from_form("Still waiting.", customer="NEW@example.org"), actor="api:k1", now=AT)
    assert email == ("new@example.org",) and again.customer_id == made.customer_id and not again.customer_created


def test_a_bad_ticket_names_its_field_and_writes_nothing(
    db: Database, tenant: str, make_tenant: Callable[[str], str]
) -> None:
    _known_customer(db, tenant)

    def counts() -> tuple[int, int, int]:
        with db.tenant(tenant) as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM tickets), "
                "(SELECT count(*) FROM audit_log WHERE action = 'ticket_pasted')"
            ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])

    before = counts()
    with db.tenant(tenant) as conn, pytest.raises(ValueError, match=r"^customer_id: no customer 'c-nobody'"):
        create_ticket(conn, PastedTicket(text="hi", customer_id="c-nobody"), actor="ui:rita")
    with db.tenant(tenant) as conn, pytest.raises(ValueError, match=r"^subject: "):
        create_ticket(conn, PastedTicket(text="hi", subject="   "), actor="ui:rita")
    assert counts() == before

    other = make_tenant("other")
    with db.tenant(other) as conn, pytest.raises(ValueError, match="customer_id"):
        create_ticket(conn, PastedTicket(text="hi", customer_id="c-ana"), actor="ui:rita")
