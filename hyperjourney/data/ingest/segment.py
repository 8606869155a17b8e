"""Store a Segment / RudderStack batch all or nothing: plan every message first, then write in one transaction.

Profiles are upserts (identify and group update what their traits name and merge the rest into
attributes), events are inserts that are idempotent by messageId (an SDK retry is a no-op; the same
messageId with other content is an error), identities accumulate. Anything refused, by validation or by
the database, raises SegmentError naming the message field, and the caller's transaction rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from pydantic import BaseModel
from pydantic_core import to_json

from hyperjourney.data import audit
from hyperjourney.data.identities import identities_of
from hyperjourney.data.ingest.datasets import EVENTS
from hyperjourney.data.ingest.loader import load_rows, nul_field
from hyperjourney.data.ingest.rows import EventRow, Validation
from hyperjourney.data.ingest.segment_messages import (
    ANONYMOUS_PREFIX,
    Alias,
    FieldProblem,
    Group,
    Identify,
    Message,
    Profile,
    SegmentError,
    bare_customer,
    customer_from_group,
    customer_from_traits,
    event_of,
    timestamp_of,
)

_PROFILE_COLUMNS = ("first_name", "last_name", "account_id", "company", "industry", "job_title", "country")


@dataclass
class Plan:
    """Everything a batch will write, in message order, each with the path of the message it came from."""

    profiles: list[Profile] = field(default_factory=list)
    bare: list[Profile] = field(default_factory=list)
    events: list[tuple[str, EventRow]] = field(default_factory=list)
    aliases: list[tuple[str, str, datetime, str]] = field(default_factory=list)
    """(previousId, userId, when, path)"""


class SegmentResult(BaseModel):
    messages: int
    profiles_upserted: int
    events_inserted: int
    events_already_stored: int
    identities_added: int


def plan(messages: list[Message], paths: list[str], received: datetime, options: Validation) -> Plan:
    """Validate and map every message; all problems of the batch are reported together."""
    result, problems = Plan(), []
    for message, where in zip(messages, paths, strict=True):
        try:
            _plan_one(result, message, where, received, options)
        except SegmentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SegmentError(problems)
    return result


def _plan_one(result: Plan, message: Message, where: str, received: datetime, options: Validation) -> None:
    nul = nul_field(message.model_dump(by_alias=True, exclude_none=True))
    if nul is not None:
        raise SegmentError(
            [FieldProblem(f"{where}.{nul}", "contains a NUL character (\\u0000), which cannot be stored")]
        )
    when = timestamp_of(message, where, received, options)
    if isinstance(message, Alias):
        result.aliases.append((message.previous_id, message.user_id, when, where))
        return
    if message.user_id is None and message.anonymous_id is None:
        raise SegmentError([FieldProblem(f"{where}.userId", "userId or anonymousId is required")])
    customer_id = message.user_id or f"{ANONYMOUS_PREFIX}{message.anonymous_id}"
    if isinstance(message, Identify):
        profile = customer_from_traits(customer_id, message.traits, when, where, options)
    elif isinstance(message, Group):
        profile = customer_from_group(customer_id, message, when, where, options)
    else:
        profile = bare_customer(customer_id, when, where, options)
        result.events.append((where, event_of(message, customer_id, when, where, options)))
    if message.anonymous_id is not None:
        profile.cookies.add(message.anonymous_id)
    (result.profiles if isinstance(message, Identify | Group) else result.bare).append(profile)


def write(conn: psycopg.Connection[Any], batch: Plan, options: Validation, *, actor: str) -> SegmentResult:
    """Write a planned batch into the bound tenant inside the caller's transaction, then audit it."""
    owners = _cookie_owners(conn, batch)
    upserted = sum(_upsert(conn, _owned(p, owners)) for p in batch.profiles)
    for profile in batch.bare:
        _insert_bare(conn, _owned(profile, owners))
    identities = _identities(conn, [_owned(p, owners) for p in (*batch.profiles, *batch.bare)])
    identities += _aliases(conn, batch.aliases, owners)
    events = [(where, _owned_event(row, owners)) for where, row in batch.events]
    loaded = load_rows(conn, EVENTS, [(i + 1, row) for i, (_, row) in enumerate(events)], options=options)
    if loaded.rejects:
        raise SegmentError([_event_problem(events[r.line - 1][0], r.field, r.reason) for r in loaded.rejects])
    outcome = SegmentResult(
        messages=len(batch.profiles) + len(batch.events) + len(batch.aliases),
        profiles_upserted=upserted,
        events_inserted=loaded.inserted.get("events", 0),
        events_already_stored=loaded.duplicates,
        identities_added=identities,
    )
    audit.append(conn, actor=actor, action="ingest", entity="segment:api", payload=outcome.model_dump())
    return outcome


_EVENT_FIELDS = {"event_id": "messageId", "customer_id": "userId", "ts": "timestamp", "type": "event"}


def _event_problem(where: str, column: str, reason: str) -> FieldProblem:
    return FieldProblem(f"{where}.{_EVENT_FIELDS.get(column, column)}", reason)


def _cookie_owners(conn: psycopg.Connection[Any], batch: Plan) -> dict[str, str]:
    """anonymousId -> the profile that already holds it as a cookie (a known user's before an anonymous one)."""
    anonymous = {
        cid.removeprefix(ANONYMOUS_PREFIX)
        for p in (*batch.profiles, *batch.bare)
        for cid in [p.customer.customer_id]
        if cid.startswith(ANONYMOUS_PREFIX)
    } | {previous for previous, _, _, _ in batch.aliases}
    if not anonymous:
        return {}
    rows = conn.execute(
        "SELECT DISTINCT ON (value) value, customer_id FROM identities WHERE kind = 'cookie' AND value = ANY(%s) "
        "ORDER BY value, customer_id LIKE 'anon:%%', customer_id",
        (sorted(anonymous),),
    ).fetchall()
    return {value: customer for value, customer in rows}


def _owned(profile: Profile, owners: dict[str, str]) -> Profile:
    cid = profile.customer.customer_id
    owner = owners.get(cid.removeprefix(ANONYMOUS_PREFIX)) if cid.startswith(ANONYMOUS_PREFIX) else None
    if owner is None:
        return profile
    moved = profile.customer.model_copy(update={"customer_id": owner})
    return Profile(moved, profile.sources, profile.cookies, profile.aliases)


def _owned_event(row: EventRow, owners: dict[str, str]) -> EventRow:
    cid = row.customer_id
    owner = owners.get(cid.removeprefix(ANONYMOUS_PREFIX)) if cid.startswith(ANONYMOUS_PREFIX) else None
    return row if owner is None else row.model_copy(update={"customer_id": owner})


def _upsert(conn: psycopg.Connection[Any], profile: Profile) -> int:
    """Insert the profile, or update the columns its traits name and merge its attributes."""
    row = profile.customer
    given = [c for c in _PROFILE_COLUMNS if getattr(row, c) is not None]
    names = ", ".join(given)
    values = [getattr(row, c) for c in given]
    updates = "".join(f"{c} = EXCLUDED.{c}, " for c in given)
    cur = conn.execute(
        f"INSERT INTO customers (tenant_id, customer_id, {names}{', ' if given else ''}attributes, created_at, "
        f"updated_at) VALUES (current_tenant(), %s, {'%s, ' * len(given)}%s::jsonb, %s, now()) "
        f"ON CONFLICT (tenant_id, customer_id) DO UPDATE SET {updates}"
        "attributes = customers.attributes || EXCLUDED.attributes, "
        "created_at = least(customers.created_at, EXCLUDED.created_at), updated_at = now()",
        (row.customer_id, *values, to_json(row.attributes).decode(), row.created_at),
    )
    return max(cur.rowcount, 0)


def _insert_bare(conn: psycopg.Connection[Any], profile: Profile) -> None:
    conn.execute(
        "INSERT INTO customers (tenant_id, customer_id, created_at, updated_at) "
        "VALUES (current_tenant(), %s, %s, %s) ON CONFLICT DO NOTHING",
        (profile.customer.customer_id, profile.customer.created_at, profile.customer.created_at),
    )


def _identities(conn: psycopg.Connection[Any], profiles: list[Profile]) -> int:
    rows = []
    for p in profiles:
        cid = p.customer.customer_id
        rows += [(cid, kind, value, raw) for kind, value, raw in identities_of(p.customer)]
        rows += [(cid, "cookie", cookie, cookie) for cookie in sorted(p.cookies)]
    return _insert_identities(conn, rows)


def _aliases(
    conn: psycopg.Connection[Any], aliases: list[tuple[str, str, datetime, str]], owners: dict[str, str]
) -> int:
    """alias: the previous id's profile and the user's profile share an 'alias' identity; resolution merges them."""
    rows = []
    for previous, user, when, _ in aliases:
        known = conn.execute("SELECT 1 FROM customers WHERE customer_id = %s", (previous,)).fetchone()
        before = previous if known else owners.get(previous, f"{ANONYMOUS_PREFIX}{previous}")
        for cid in (before, user):
            conn.execute(
                "INSERT INTO customers (tenant_id, customer_id, created_at, updated_at) "
                "VALUES (current_tenant(), %s, %s, %s) ON CONFLICT DO NOTHING",
                (cid, when, when),
            )
            rows.append((cid, "alias", user, user))
    return _insert_identities(conn, rows)


def _insert_identities(conn: psycopg.Connection[Any], rows: list[tuple[str, str, str, str]]) -> int:
    added = 0
    with conn.cursor() as cur:
        for row in rows:
            cur.execute(
                "INSERT INTO identities (tenant_id, customer_id, kind, value, raw_value) "
                "VALUES (current_tenant(), %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                row,
            )
            added += max(cur.rowcount, 0)
    return added
