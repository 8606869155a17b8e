"""Owners' calendar slots, meetings booked in them, and the ICS invite (RFC 5545) a booking sends.

A slot holds at most one meeting (unique in the table), so two visitors racing for the same slot cannot
both get it: the second booking finds it taken and is told so."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg

from hyperjourney.conversations.models import Slot


class SlotTakenError(ValueError):
    """The slot asked for is booked already, unknown, or in the past."""


def add_slots(conn: psycopg.Connection[Any], slots: list[Slot]) -> None:
    conn.cursor().executemany(
        "INSERT INTO owner_slots (slot_id, owner_id, owner_email, starts_at, ends_at) VALUES (%s, %s, %s, %s, %s)",
        [(s.slot_id, s.owner_id, s.owner_email, s.starts_at, s.ends_at) for s in slots],
    )


def free_slots(conn: psycopg.Connection[Any], *, after: datetime, limit: int = 3) -> list[Slot]:
    """The earliest slots after ``after`` that no meeting holds."""
    rows = conn.execute(
        "SELECT s.slot_id, s.owner_id, s.owner_email, s.starts_at, s.ends_at FROM owner_slots s "
        "WHERE s.starts_at > %s AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.slot_id = s.slot_id) "
        "ORDER BY s.starts_at, s.slot_id LIMIT %s",
        (after, limit),
    ).fetchall()
    keys = ("slot_id", "owner_id", "owner_email", "starts_at", "ends_at")
    return [Slot.model_validate(dict(zip(keys, r, strict=True))) for r in rows]


def reserve(
    conn: psycopg.Connection[Any],
    *,
    meeting_id: str,
    slot_id: str,
    customer_id: str,
    conversation_id: str | None,
    after: datetime,
) -> Slot:
    """Book ``slot_id`` for the customer (locks the slot row); raises SlotTakenError naming why it cannot."""
    row = conn.execute(
        "SELECT slot_id, owner_id, owner_email, starts_at, ends_at FROM owner_slots WHERE slot_id = %s FOR UPDATE",
        (slot_id,),
    ).fetchone()
    if row is None:
        raise SlotTakenError(f"slot_id: no slot {slot_id!r}")
    slot = Slot.model_validate(
        dict(zip(("slot_id", "owner_id", "owner_email", "starts_at", "ends_at"), row, strict=True))
    )
    if slot.starts_at <= after:
        raise SlotTakenError(f"slot_id: slot {slot_id!r} starts in the past")
    taken = conn.execute(
        "INSERT INTO meetings (meeting_id, slot_id, customer_id, conversation_id, owner_id, starts_at, ends_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (tenant_id, slot_id) DO NOTHING RETURNING meeting_id",
        (meeting_id, slot_id, customer_id, conversation_id, slot.owner_id, slot.starts_at, slot.ends_at),
    ).fetchone()
    if taken is None:
        raise SlotTakenError(f"slot_id: slot {slot_id!r} is already booked")
    return slot


def attach_invite(conn: psycopg.Connection[Any], meeting_id: str, outbox_action_id: int) -> None:
    conn.execute("UPDATE meetings SET outbox_action_id = %s WHERE meeting_id = %s", (outbox_action_id, meeting_id))


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def invite_ics(meeting_id: str, slot: Slot, *, attendee: str, summary: str, stamp: datetime) -> str:
    """A METHOD:REQUEST calendar object; the UID is the meeting id, so a resent invite updates, never duplicates."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//hyperjourney//assistant//EN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{meeting_id}@hyperjourney.local",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(slot.starts_at)}",
        f"DTEND:{_utc(slot.ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"ORGANIZER:mailto:{slot.owner_email}",
        f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{attendee}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
