"""Read-only customer and ticket lookups, bound to one tenant through RLS."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from hyperjourney.db.database import Database


class UnknownRecordError(ValueError):
    pass


class CustomerProfile(BaseModel):
    customer_id: str
    first_name: str | None = None
    company: str | None = None
    industry: str | None = None
    lifecycle_stage: str = ""
    region: str | None = None
    language: str = "en"
    timezone: str = "UTC"
    attributes: dict[str, Any] = Field(default_factory=dict)
    consents: dict[str, str] = Field(default_factory=dict, description="'channel/purpose' → granted|withdrawn")
    recent_orders: list[dict[str, Any]] = Field(default_factory=list)
    open_tickets: int = 0


class TicketMessage(BaseModel):
    author: str
    body: str
    sent_at: datetime


class Ticket(BaseModel):
    ticket_id: str
    customer_id: str
    channel: str
    subject: str
    status: str
    priority: str
    language: str
    messages: list[TicketMessage]

    @property
    def customer_text(self) -> str:
        """The customer's words (subject and messages) that the copilot answers."""
        said = [m.body for m in self.messages if m.author == "customer"]
        return "\n".join([self.subject, *said])


def customer_profile(db: Database, tenant: str, customer_id: str) -> CustomerProfile:
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT customer_id, first_name, company, industry, lifecycle_stage, region, language, timezone, "
            "attributes FROM customers WHERE customer_id = %s",
            (customer_id,),
        ).fetchone()
        if row is None:
            raise UnknownRecordError(f"customer {customer_id!r} not found in tenant {tenant!r}")
        consents = {
            f"{c}/{p}": s
            for c, p, s in conn.execute(
                "SELECT channel, purpose, status FROM current_consents WHERE customer_id = %s", (customer_id,)
            )
        }
        orders = [
            {"order_id": o, "status": s, "ordered_at": t.isoformat()}
            for o, s, t in conn.execute(
                "SELECT order_id, status, ordered_at FROM orders WHERE customer_id = %s ORDER BY ordered_at DESC "
                "LIMIT 5",
                (customer_id,),
            )
        ]
        open_row = conn.execute(
            "SELECT count(*) FROM tickets WHERE customer_id = %s AND status IN ('open', 'pending')", (customer_id,)
        ).fetchone()
    keys = ("customer_id", "first_name", "company", "industry", "lifecycle_stage", "region", "language", "timezone")
    return CustomerProfile(
        **dict(zip(keys, row[:8], strict=True)),
        attributes=row[8] or {},
        consents=consents,
        recent_orders=orders,
        open_tickets=int(open_row[0]) if open_row else 0,
    )


def ticket(db: Database, tenant: str, ticket_id: str) -> Ticket:
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT ticket_id, customer_id, channel, subject, status, priority, language FROM tickets "
            "WHERE ticket_id = %s",
            (ticket_id,),
        ).fetchone()
        if row is None:
            raise UnknownRecordError(f"ticket {ticket_id!r} not found in tenant {tenant!r}")
        messages = [
            TicketMessage(author=a, body=b, sent_at=t)
            for a, b, t in conn.execute(
                "SELECT author, body, sent_at FROM messages WHERE ticket_id = %s ORDER BY sent_at", (ticket_id,)
            )
        ]
    keys = ("ticket_id", "customer_id", "channel", "subject", "status", "priority", "language")
    return Ticket(**dict(zip(keys, row, strict=True)), messages=messages)
