"""Versioned journey definitions in Postgres: a changed definition becomes a new version; enrollments keep
the version they started on, so editing a live journey never rewrites a customer's path mid-way."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from hyperjourney.data import audit
from hyperjourney.journeys.definition import JourneyDefinition


class StoredJourney(BaseModel):
    definition: JourneyDefinition
    version: int
    status: str


def save(conn: psycopg.Connection[Any], defn: JourneyDefinition, *, actor: str, activate: bool = True) -> int:
    """Store the definition (validated already); returns its version, reusing the latest if nothing changed."""
    body = defn.model_dump(mode="json", exclude={"version"})
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('journey:' || current_tenant() || ':' || %s))", (defn.id,))
    latest = conn.execute(
        "SELECT version, definition, status FROM journeys WHERE journey_id = %s ORDER BY version DESC LIMIT 1",
        (defn.id,),
    ).fetchone()
    if latest is not None and latest[1] == body:
        version = int(latest[0])
        if activate and latest[2] != "active":
            set_status(conn, defn.id, "active", actor=actor)
        return version
    version = 1 if latest is None else int(latest[0]) + 1
    conn.execute("UPDATE journeys SET status = 'retired' WHERE journey_id = %s AND status <> 'retired'", (defn.id,))
    conn.execute(
        "INSERT INTO journeys (journey_id, version, definition, status, created_by) VALUES (%s, %s, %s, %s, %s)",
        (defn.id, version, Jsonb(body), "active" if activate else "paused", actor),
    )
    audit.append(
        conn,
        actor=actor,
        action="journey_saved",
        entity=f"journey:{defn.id}",
        payload={"version": version, "definition": body},
    )
    return version


def set_status(conn: psycopg.Connection[Any], journey_id: str, status: str, *, actor: str) -> None:
    updated = conn.execute(
        "UPDATE journeys SET status = %s WHERE journey_id = %s "
        "AND version = (SELECT max(version) FROM journeys WHERE journey_id = %s)",
        (status, journey_id, journey_id),
    ).rowcount
    if not updated:
        raise ValueError(f"no journey {journey_id!r}")
    audit.append(conn, actor=actor, action=f"journey_{status}", entity=f"journey:{journey_id}")


def get(conn: psycopg.Connection[Any], journey_id: str, version: int | None = None) -> StoredJourney:
    row = conn.execute(
        "SELECT definition, version, status FROM journeys WHERE journey_id = %s AND (%s::int IS NULL OR version = %s) "
        "ORDER BY version DESC LIMIT 1",
        (journey_id, version, version),
    ).fetchone()
    if row is None:
        raise ValueError(f"no journey {journey_id!r}" + (f" version {version}" if version else ""))
    return _stored(row)


def listing(conn: psycopg.Connection[Any], *, active_only: bool = False) -> list[StoredJourney]:
    rows = conn.execute(
        "SELECT DISTINCT ON (journey_id) definition, version, status FROM journeys ORDER BY journey_id, version DESC"
    ).fetchall()
    stored = [_stored(r) for r in rows]
    return [s for s in stored if s.status == "active"] if active_only else stored


def _stored(row: tuple[Any, ...]) -> StoredJourney:
    definition, version, status = row
    # Stored definitions were validated on save; known events are not re-checked so old versions still load.
    defn = JourneyDefinition.model_validate({**definition, "version": version})
    return StoredJourney(definition=defn, version=int(version), status=str(status))
