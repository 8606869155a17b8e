"""A conversation handed to a person becomes a support ticket the copilot lists and opens like any other:
the transcript as its messages, and the summary, intent, sentiment, qualified traits and a suggested reply
as its labels (ticket_search reads intent and sentiment from there)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg.types.json import Jsonb

from hyperjourney.conversations.models import Turn


def summarize(turns: list[Turn], *, intent: str | None, sentiment: str | None, traits: dict[str, str]) -> str:
    """An extractive summary: what the visitor asked first and last, how they feel, what is known."""
    said = [t.body for t in turns if t.role == "visitor"]
    parts = []
    if said:
        parts.append(f"Visitor asked: {said[0][:200]!r}")
        if len(said) > 1:
            parts.append(f"last said: {said[-1][:200]!r}")
    parts.append(f"intent {intent or 'unknown'}, sentiment {sentiment or 'unknown'}")
    if traits:
        parts.append("known: " + ", ".join(f"{k}={v}" for k, v in sorted(traits.items())))
    parts.append(f"{len(turns)} messages in the chat")
    return "; ".join(parts) + "."


def file_ticket(
    conn: psycopg.Connection[Any],
    ticket_id: str,
    *,
    customer_id: str,
    turns: list[Turn],
    labels: dict[str, Any],
    priority: str,
    at: datetime,
) -> None:
    """Write the ticket and its transcript (visitor lines as the customer's, the assistant's as system ones)."""
    first = next((t.body for t in turns if t.role == "visitor"), "Chat with the assistant")
    conn.execute(
        "INSERT INTO tickets (tenant_id, ticket_id, customer_id, channel, subject, status, priority, labels, "
        "opened_at, updated_at) VALUES (current_tenant(), %s, %s, 'chat', %s, 'open', %s, %s, %s, %s)",
        (ticket_id, customer_id, first.splitlines()[0][:120], priority, Jsonb(labels), at, at),
    )
    conn.cursor().executemany(
        "INSERT INTO messages (tenant_id, message_id, ticket_id, author, body, sent_at) "
        "VALUES (current_tenant(), %s, %s, %s, %s, %s)",
        [
            (
                f"{ticket_id}-{t.seq}",
                ticket_id,
                "customer" if t.role == "visitor" else "system",
                t.body,
                t.created_at + timedelta(microseconds=t.seq),
            )
            for t in turns
        ],
    )


def next_contact(now: datetime, *, start_hour: int, end_hour: int, zone: str) -> str:
    """What the customer is told: a person replies within the hour in office hours (Mon-Fri), else when the
    team is next in."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    if local.weekday() < 5 and start_hour <= local.hour < end_hour:
        return "A person from our team has your conversation and will reply here within the hour."
    day = local if local.weekday() < 5 and local.hour < start_hour else local + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    when = day.replace(hour=start_hour, minute=0, second=0, microsecond=0)
    return (
        f"A person from our team has your conversation; we are back on {when:%A} at {when:%H:%M} ({zone}) "
        "and will reply here then."
    )
