"""POST /v1/events: customer events over HTTP, validated row by row like `hyperjourney ingest events`.

Each event stands alone: the good ones are stored and the bad ones reported by position, field and
reason (200). Where not one event of the request could be stored the answer is a 422 problem naming
``events[i].field`` for each, so a lone bad event (a NUL, a year-9999 timestamp) is an error, never a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from hyperjourney.api.auth import Reviewer
from hyperjourney.api.body_limit import LimitedBodyRoute
from hyperjourney.api.problems import PROBLEM_JSON, PROBLEM_RESPONSES, FieldError, Problem, problem_response
from hyperjourney.data import audit
from hyperjourney.data.ingest.loader import LoadResult, dataset, load_rows, validate
from hyperjourney.data.ingest.rows import Validation
from hyperjourney.db.database import Database
from hyperjourney.settings import Settings

router = APIRouter(
    tags=["events"],
    route_class=LimitedBodyRoute,
    responses={
        **PROBLEM_RESPONSES,
        413: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Body over the ingest limit"},
    },
)


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
    duplicates: int = Field(description="valid events whose event_id was already stored with the same content")
    rejected: list[LineReject]
    warnings: dict[str, int] = Field(
        default_factory=dict, description="values accepted after a stated assumption, e.g. a date without time"
    )


class _NothingStored(Exception):
    def __init__(self, result: LoadResult) -> None:
        super().__init__("every event was rejected")
        self.result = result


@router.post("/v1/events", response_model=EventsOut, summary="Ingest customer events")
def ingest_events(body: EventsIn, request: Request, who: Reviewer) -> Any:
    """Good events land in one transaction; each bad one is reported with its line, field and reason."""
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    options = Validation.from_settings(settings.ingest)
    ds = dataset("events")
    try:
        with db.tenant(who.tenant) as conn:
            result = load_rows(conn, ds, validate(ds, enumerate(body.events, start=1), options), options=options)
            if result.rejects and result.rejected_rows == result.read:
                raise _NothingStored(result)
            audit.append(
                conn,
                actor=f"api:{who.key_id}",
                action="ingest",
                entity="events:api",
                payload={"rows": result.read, "inserted": result.inserted, "rejected": len(result.rejects)},
            )
    except _NothingStored as failed:
        return _all_rejected(failed.result)
    return EventsOut(
        received=result.read,
        inserted=result.inserted.get(ds.target, 0),
        duplicates=result.duplicates,
        rejected=[LineReject(line=r.line, field=r.field, reason=r.reason) for r in result.rejects],
        warnings=dict(options.warnings),
    )


def _all_rejected(result: LoadResult) -> Response:
    errors = [
        FieldError(field=f"events[{r.line - 1}]" + ("" if r.field == "(row)" else f".{r.field}"), message=r.reason)
        for r in result.rejects
    ]
    return problem_response(
        Problem(
            title="No event could be stored",
            status=422,
            detail=f"{errors[0].field}: {errors[0].message}",
            errors=errors,
        )
    )
