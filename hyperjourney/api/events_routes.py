"""POST /v1/events: customer events over HTTP, validated row by row like `hyperjourney ingest events`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from hyperjourney.api.auth import Reviewer
from hyperjourney.api.problems import PROBLEM_RESPONSES
from hyperjourney.data import audit
from hyperjourney.data.ingest.loader import dataset, load_rows, validate
from hyperjourney.db.database import Database

router = APIRouter(tags=["events"], responses=PROBLEM_RESPONSES)


class EventsIn(BaseModel):
    events: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=10_000,
        description="Event objects: event_id, customer_id, type, ts (with time zone), channel, properties. "
        "Each is validated on its own; bad ones are reported by line (1-based position) and skipped.",
    )


class LineReject(BaseModel):
    line: int
    field: str
    reason: str


class EventsOut(BaseModel):
    received: int
    inserted: int
    duplicates: int = Field(description="valid events whose event_id was already stored")
    rejected: list[LineReject]


@router.post("/v1/events", response_model=EventsOut, summary="Ingest customer events")
def ingest_events(body: EventsIn, request: Request, who: Reviewer) -> EventsOut:
    """Good events land in one transaction; each bad one is reported with its line, field and reason."""
    db: Database = request.app.state.db
    ds = dataset("events")
    with db.tenant(who.tenant) as conn:
        result = load_rows(conn, ds, validate(ds, enumerate(body.events, start=1)))
        audit.append(
            conn,
            actor=f"api:{who.key_id}",
            action="ingest",
            entity="events:api",
            payload={"rows": result.read, "inserted": result.inserted, "rejected": len(result.rejects)},
        )
    return EventsOut(
        received=result.read,
        inserted=result.inserted.get(ds.target, 0),
        duplicates=result.duplicates,
        rejected=[LineReject(line=r.line, field=r.field, reason=r.reason) for r in result.rejects],
    )
