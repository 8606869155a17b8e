"""The review queue and next-best actions over HTTP, each bound to the key's tenant."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime, BaseModel, Field, field_validator

from hyperjourney.api.auth import Caller, Reviewer
from hyperjourney.api.paging import decode_cursor, encode_cursor
from hyperjourney.api.problems import PROBLEM_RESPONSES, ApiProblem
from hyperjourney.data.ingest.rows import ID
from hyperjourney.nba.rank import NbaDecision, next_best_action
from hyperjourney.review.queue import StoredReviewItem, list_items
from hyperjourney.scoring.scorer import ModelsNotTrainedError

router = APIRouter(responses=PROBLEM_RESPONSES)


class ReviewPage(BaseModel):
    items: list[StoredReviewItem]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null on the last")


@router.get("/v1/review", response_model=ReviewPage, tags=["review"], summary="The review queue, a page at a time")
def review_queue(
    request: Request,
    who: Caller,
    status: Literal["pending", "approved", "rejected", "all"] = Query("pending", description="`all` for every item"),
    kind: Literal["asset", "action", "escalation"] | None = Query(None, description="only items of this kind"),
    limit: int = Query(100, ge=1, le=500),
    cursor: str | None = Query(None, max_length=200, description="`next_cursor` of the previous page"),
) -> ReviewPage:
    """Items waiting for (or past) a human decision, newest first, with their evidence, reasons and risk labels.
    Follow `next_cursor` until it is null to see every item."""
    items = list_items(
        request.app.state.db,
        who.tenant,
        status=None if status == "all" else status,
        kind=kind,
        before=decode_cursor(cursor),
        limit=limit + 1,
    )
    page = items[:limit]
    more = len(items) > limit
    return ReviewPage(items=page, next_cursor=encode_cursor(page[-1].created_at, page[-1].item_id) if more else None)


def _plausible(value: datetime | None) -> datetime | None:
    """Decisions look back up to 90 days; a time near the calendar's ends would overflow, and is a client bug."""
    if value is not None and not 1970 <= value.year <= 2200:
        raise ValueError("must be between the years 1970 and 2200")
    return value


class CustomerEvent(BaseModel):
    type: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.]*$", description="e.g. pricing_view")
    ts: AwareDatetime | None = None
    channel: str | None = Field(None, max_length=32)
    properties: dict[str, Any] = Field(default_factory=dict)

    _ts = field_validator("ts")(_plausible)


class NbaIn(BaseModel):
    customer_id: str = ID
    event: CustomerEvent | None = Field(None, description="the event that prompts the decision, if any")
    now: AwareDatetime | None = Field(None, description="decide as of this time (default: now)")

    _now = field_validator("now")(_plausible)


@router.post("/v1/nba", response_model=NbaDecision, tags=["nba"], summary="Next-best action for one customer event")
def nba(body: NbaIn, request: Request, who: Reviewer) -> NbaDecision:
    """Ranks every candidate action under policy; the decision is logged for attribution and off-policy learning.

    Until the tenant's scoring models are trained the ranking uses rule signals; `signals_source` says which.
    """
    event = body.event.model_dump(mode="json") if body.event else None
    now: datetime | None = body.now
    db = request.app.state.db
    try:
        try:
            return next_best_action(db, who.tenant, body.customer_id, event, now=now)
        except ModelsNotTrainedError:
            return next_best_action(db, who.tenant, body.customer_id, event, now=now, use_models=False)
    except ValueError as exc:
        if "no customer" in str(exc):
            raise ApiProblem(404, "Not found", str(exc), field="customer_id") from exc
        raise ApiProblem(422, "Invalid request", str(exc), field="event") from exc
