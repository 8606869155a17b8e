"""A support ticket pasted as raw text (the copilot's "paste a ticket"), stored like an ingested one.

Who wrote it, the subject and the channel come only from the agent's own form fields (the API body, the
copilot's settings panel), never from header-like lines in the pasted text: a pasted ``From:`` line is the
customer's words and cannot re-assign the ticket. The text becomes a ticket with one customer message
through the same dataset checks and inserts that `hyperjourney ingest tickets` uses, in the caller's tenant
transaction, audited. The customer is the one named by id, or the one whose normalised email matches, or a
new customer created through the customers dataset (with that email, when one was given), so a ticket
pasted from an unknown sender still gets a profile the copilot can read consent and tone from.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

import psycopg
from pydantic import BaseModel, Field, field_validator

from hyperjourney.data import audit
from hyperjourney.data.identities import normalize_email
from hyperjourney.data.ingest.loader import Reject, dataset, load_rows, validate

TicketChannel = Literal["email", "chat", "phone", "sms", "web", "social"]


class PastedTicket(BaseModel):
    """What a support agent pastes: the customer's words, and optionally who wrote them and a subject."""

    text: str = Field(min_length=1, max_length=20_000, description="the customer's message as pasted")
    subject: str | None = Field(None, max_length=300, description="defaults to the text's first line")
    customer_email: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    customer_id: str | None = Field(None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")
    channel: TicketChannel = "email"

    @field_validator("text")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    def title(self) -> str:
        first = self.subject or next(line for line in self.text.splitlines() if line.strip())
        return first.strip()[:120]


class CreatedTicket(BaseModel):
    ticket_id: str
    customer_id: str
    customer_created: bool


def from_form(
    text: str, *, customer: str | None = None, subject: str | None = None, channel: str = "email"
) -> PastedTicket:
    """The ticket from the agent's own form fields; ``customer`` is an email address or a customer id.

    The pasted text is the customer's message as a whole: a ``From:`` or ``Customer:`` line inside it is
    part of what the customer wrote, never an instruction to file the ticket under someone else.
    """
    who = (customer or "").strip().strip("<>")
    fields: dict[str, Any] = {"text": text, "channel": channel.strip().lower() or "email"}
    if subject and subject.strip():
        fields["subject"] = subject.strip()
    if who:
        fields["customer_email" if "@" in who else "customer_id"] = who
    return PastedTicket.model_validate(fields)


def create_ticket(
    conn: psycopg.Connection[Any], pasted: PastedTicket, *, actor: str, now: datetime | None = None
) -> CreatedTicket:
    """Store the pasted ticket for the tenant bound to ``conn``; raises ValueError naming the field at fault.

    Everything happens in one transaction, so a rejected ticket leaves no customer behind.
    """
    at = now or datetime.now(UTC)
    with conn.transaction():
        customer_id, created = _customer(conn, pasted, at)
        ticket_id = f"tkt_pasted_{uuid.uuid4().hex[:12]}"
        message = {
            "ticket_id": ticket_id,
            "message_id": f"{ticket_id}-1",
            "customer_id": customer_id,
            "channel": pasted.channel,
            "subject": pasted.title(),
            "body": pasted.text,
            "sent_at": at,
            "author": "customer",
            "labels": {"source": "pasted"},
        }
        _load(conn, "tickets", message)
        audit.append(
            conn,
            actor=actor,
            action="ticket_pasted",
            entity=ticket_id,
            payload={"customer_id": customer_id, "customer_created": created, "chars": len(pasted.text)},
        )
    return CreatedTicket(ticket_id=ticket_id, customer_id=customer_id, customer_created=created)


def _customer(conn: psycopg.Connection[Any], pasted: PastedTicket, at: datetime) -> tuple[str, bool]:
    if pasted.customer_id:
        if conn.execute("SELECT 1 FROM customers WHERE customer_id = %s", (pasted.customer_id,)).fetchone() is None:
            raise ValueError(f"customer_id: no customer {pasted.customer_id!r} in this tenant")
        return pasted.customer_id, False
    if pasted.customer_email:
        row = conn.execute(
            "SELECT customer_id FROM identities WHERE kind = 'email' AND value = %s ORDER BY created_at LIMIT 1",
            (normalize_email(pasted.customer_email),),
        ).fetchone()
        if row is not None:
            return str(row[0]), False
    customer_id = f"cust_pasted_{uuid.uuid4().hex[:12]}"
    profile = {
        "customer_id": customer_id,
        "email": pasted.customer_email,
        "created_at": at,
        "attributes": {"source": "pasted ticket"},
    }
    _load(conn, "customers", profile)
    return customer_id, True


def _load(conn: psycopg.Connection[Any], name: str, record: dict[str, Any]) -> None:
    """One record through the ingest path: row model, database checks, the dataset's inserts."""
    ds = dataset(name)
    rows = list(validate(ds, [(1, record)]))
    rejects = [r for r in rows if isinstance(r, Reject)]
    if not rejects:
        for stage in ds.stages:  # staged tables drop at commit; a second load in one transaction re-creates them
            conn.execute(f"DROP TABLE IF EXISTS pg_temp.{stage.name}")
        rejects = load_rows(conn, ds, rows).rejects
    if rejects:
        raise ValueError(f"{_field(rejects[0].field)}: {rejects[0].reason}")


def _field(name: str) -> str:
    return {"body": "text", "email": "customer_email"}.get(name, name)
