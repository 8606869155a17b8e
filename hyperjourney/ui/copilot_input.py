"""What a support agent typed into the copilot: a ticket id to open, or a pasted ticket to store and answer.

A single token that looks like an id (it has a digit or one of ``_ - : .``) names an existing ticket;
anything else is the ticket's text, stored as the customer wrote it. Who wrote it, the subject and the
channel come from the agent's own form fields (the copilot's settings panel), never from lines inside the
paste (see hyperjourney.data.pasted_tickets).
"""

from __future__ import annotations

import re
from typing import get_args

from pydantic import BaseModel, ValidationError

from hyperjourney.data.pasted_tickets import TicketChannel, create_ticket, from_form
from hyperjourney.db.database import Database
from hyperjourney.review.roles import can

_LOOKS_LIKE_ID = re.compile(r"^(?=\S*[\d_.:-])[A-Za-z0-9_.:@-]{1,128}$")
_FIELDS = {"text": "the ticket text", "customer_email": "the Customer field", "customer_id": "the Customer field"}


class TicketChoice(BaseModel):
    ticket_id: str
    pasted: bool
    customer_id: str | None = None
    customer_created: bool = False


class CopilotInputError(ValueError):
    """Input the copilot cannot use; the message names the line or field at fault."""


CHANNELS: tuple[str, ...] = get_args(TicketChannel)


class TicketForm(BaseModel):
    """The agent's own fields for a pasted ticket (the settings panel), never read from the pasted text."""

    customer: str | None = None
    subject: str | None = None
    channel: str = "email"


def choose_ticket(
    db: Database, tenant: str, typed: str, *, actor: str, role: str | None, form: TicketForm | None = None
) -> TicketChoice:
    """The ticket to answer; a role that may not write (a viewer) opens and stores nothing."""
    if not can(role, "write"):
        raise CopilotInputError(f"role: {role or 'no role'} may not run the copilot or store a ticket")
    text = typed.strip()
    fields = form or TicketForm()
    if _LOOKS_LIKE_ID.match(text):
        with db.tenant(tenant) as conn:
            if conn.execute("SELECT 1 FROM tickets WHERE ticket_id = %s", (text,)).fetchone() is None:
                raise CopilotInputError(f"ticket_id: no ticket {text!r}; pick one below or paste the ticket's text")
        return TicketChoice(ticket_id=text, pasted=False)
    try:
        pasted = from_form(text, customer=fields.customer, subject=fields.subject, channel=fields.channel)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "text"
        raise CopilotInputError(f"{field} ({_FIELDS.get(field, field)}): {first['msg']}") from exc
    try:
        with db.tenant(tenant) as conn:
            made = create_ticket(conn, pasted, actor=actor)
    except ValueError as exc:
        raise CopilotInputError(str(exc)) from exc
    return TicketChoice(
        ticket_id=made.ticket_id, pasted=True, customer_id=made.customer_id, customer_created=made.customer_created
    )
