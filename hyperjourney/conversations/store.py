"""Conversations, their transcript, and the typed profile traits the assistant learns, per tenant.

A visitor is identified through identity resolution (data/identities.py): the cookie or device id of the
widget, and the email once given. A new visitor gets a profile with that cookie; an email that belongs to
a known customer links the cookie to them, and `resolve` merges the two profiles into the older one."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from hyperjourney.conversations.models import Role, Trait, Turn
from hyperjourney.data.identities import normalize_email, resolve


class UnknownConversationError(LookupError):
    pass


def _survivor(conn: psycopg.Connection[Any], customer_id: str) -> str:
    row = conn.execute(
        "SELECT coalesce(merged_into, customer_id) FROM customers WHERE customer_id = %s", (customer_id,)
    ).fetchone()
    return str(row[0]) if row else customer_id


def _holder(conn: psycopg.Connection[Any], kind: str, value: str) -> str | None:
    row = conn.execute(
        "SELECT customer_id FROM identities WHERE kind = %s AND value = %s ORDER BY created_at LIMIT 1", (kind, value)
    ).fetchone()
    return _survivor(conn, str(row[0])) if row else None


def _link(conn: psycopg.Connection[Any], customer_id: str, kind: str, value: str, raw: str) -> None:
    conn.execute(
        "INSERT INTO identities (tenant_id, customer_id, kind, value, raw_value) "
        "VALUES (current_tenant(), %s, %s, %s, %s) ON CONFLICT DO NOTHING",
        (customer_id, kind, value, raw),
    )


def identify(conn: psycopg.Connection[Any], visitor_id: str, email: str | None, *, at: datetime) -> str:
    """The customer this visitor is: by email when given, else by cookie; a new profile when neither is known."""
    cookie = visitor_id.strip()
    by_cookie = _holder(conn, "cookie", cookie)
    normalized = normalize_email(email) if email else None
    by_email = _holder(conn, "email", normalized) if normalized else None
    customer = by_cookie or by_email
    if customer is None:
        customer = "cust_visitor_" + hashlib.sha256(cookie.encode()).hexdigest()[:16]
        conn.execute(
            "INSERT INTO customers (tenant_id, customer_id, attributes, created_at) "
            "VALUES (current_tenant(), %s, %s, %s) ON CONFLICT DO NOTHING",
            (customer, Jsonb({"source": "assistant"}), at),
        )
    _link(conn, customer, "cookie", cookie, visitor_id)
    if email and normalized and by_email != customer:
        _link(conn, customer, "email", normalized, email.strip())
        if by_email is not None:  # the cookie's profile and the email's are one person: merge into the older
            resolve(conn)
    return _survivor(conn, customer)


def open_conversation(
    conn: psycopg.Connection[Any], conversation_id: str, *, visitor_id: str, customer_id: str, channel: str
) -> None:
    conn.execute(
        "INSERT INTO conversations (conversation_id, visitor_id, customer_id, channel) VALUES (%s, %s, %s, %s)",
        (conversation_id, visitor_id, customer_id, channel),
    )


def conversation_customer(conn: psycopg.Connection[Any], conversation_id: str) -> tuple[str, str, str]:
    """(visitor_id, customer_id, status) of the conversation; the row stays locked for the turn."""
    row = conn.execute(
        "SELECT visitor_id, customer_id, status FROM conversations WHERE conversation_id = %s FOR UPDATE",
        (conversation_id,),
    ).fetchone()
    if row is None:
        raise UnknownConversationError(f"conversation {conversation_id!r} not found")
    return str(row[0]), str(row[1]), str(row[2])


def set_customer(conn: psycopg.Connection[Any], conversation_id: str, customer_id: str) -> None:
    conn.execute(
        "UPDATE conversations SET customer_id = %s, updated_at = now() WHERE conversation_id = %s",
        (customer_id, conversation_id),
    )


def mark_handed_off(conn: psycopg.Connection[Any], conversation_id: str, ticket_id: str) -> None:
    conn.execute(
        "UPDATE conversations SET status = 'handed_off', ticket_id = %s, updated_at = now() WHERE conversation_id = %s",
        (ticket_id, conversation_id),
    )


def append_turn(
    conn: psycopg.Connection[Any],
    conversation_id: str,
    role: Role,
    body: str,
    *,
    citations: list[str] | None = None,
    intent: str | None = None,
    sentiment: str | None = None,
) -> int:
    row = conn.execute(
        "INSERT INTO conversation_messages (conversation_id, seq, role, body, citations, intent, sentiment) "
        "SELECT %s, coalesce(max(seq), 0) + 1, %s, %s, %s, %s, %s FROM conversation_messages "
        "WHERE conversation_id = %s RETURNING seq",
        (conversation_id, role, body, Jsonb(citations or []), intent, sentiment, conversation_id),
    ).fetchone()
    assert row is not None
    return int(row[0])


def transcript(conn: psycopg.Connection[Any], conversation_id: str) -> list[Turn]:
    rows = conn.execute(
        "SELECT seq, role, body, citations, intent, sentiment, created_at FROM conversation_messages "
        "WHERE conversation_id = %s ORDER BY seq",
        (conversation_id,),
    ).fetchall()
    keys = ("seq", "role", "body", "citations", "intent", "sentiment", "created_at")
    return [Turn.model_validate(dict(zip(keys, r, strict=True))) for r in rows]


def known_traits(conn: psycopg.Connection[Any], customer_id: str) -> dict[str, Trait]:
    rows = conn.execute(
        "SELECT trait, value, source, observed_at FROM profile_traits WHERE customer_id = %s", (customer_id,)
    ).fetchall()
    return {r[0]: Trait(trait=r[0], value=r[1], source=r[2], observed_at=r[3]) for r in rows}


def store_trait(conn: psycopg.Connection[Any], customer_id: str, trait: Trait) -> None:
    """Keep the newest answer per trait, with its source and time."""
    conn.execute(
        "INSERT INTO profile_traits (customer_id, trait, value, source, observed_at) VALUES (%s, %s, %s, %s, %s) "
        "ON CONFLICT (tenant_id, customer_id, trait) DO UPDATE SET value = EXCLUDED.value, "
        "source = EXCLUDED.source, observed_at = EXCLUDED.observed_at",
        (customer_id, trait.trait, trait.value, trait.source, trait.observed_at),
    )
