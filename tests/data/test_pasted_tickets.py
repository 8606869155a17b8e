"""A pasted ticket is stored like an ingested one: the right customer, one message, audited, only in its tenant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from hyperjourney.data.ingest.loader import dataset, load_rows, validate
from hyperjourney.data.pasted_tickets import PastedTicket, create_ticket, parse_pasted
from hyperjourney.db.database import Database

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _known_customer(db: Database, tenant: str) -> None:
    row = {"customer_id": "c-ana", "email": "Ana.Silva+work@gmail.com", "created_at": "2025-01-01T00:00:00Z"}
    with db.tenant(tenant) as conn:
        ds = dataset("customers")
        assert not load_rows(conn, ds, validate(ds, [(1, row)])).rejects


def test_parse_reads_headers_then_the_message() -> None:
    pasted = parse_pasted("From: <ana@example.com>\nSubject: Card declined\n\nMy card was declined twice today.\nHelp!")
    assert pasted.customer_email == "ana@example.com" and pasted.subject == "Card declined"
    assert pasted.text == "My card was declined twice today.\nHelp!" and pasted.channel == "email"
    by_id = parse_pasted("customer: c-ana\nchannel: chat\nwhere is my refund?")
    assert (by_id.customer_id, by_id.channel, by_id.customer_email) == ("c-ana", "chat", None)
    plain = parse_pasted("Hello, the export button does nothing.")
    assert plain.customer_id is None and plain.title() == "Hello, the export button does nothing."
    with pytest.raises(ValidationError):
        parse_pasted("From: ana@example.com\n   ")
    with pytest.raises(ValidationError):
        parse_pasted("channel: pigeon\nhello")


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
        made = create_ticket(conn, parse_pasted("From: new@example.org\nWhere is my order?"), actor="api:k1", now=AT)
        anonymous = create_ticket(conn, parse_pasted("Where is my order?"), actor="api:k1", now=AT)
    assert made.customer_created and anonymous.customer_created and made.customer_id != anonymous.customer_id
    with db.tenant(tenant) as conn:
        email = conn.execute(
            "SELECT value FROM identities WHERE customer_id = %s AND kind = 'email'", (made.customer_id,)
        ).fetchone()
        again = create_ticket(conn, parse_pasted("From: NEW@example.org\nStill waiting."), actor="api:k1", now=AT)
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
