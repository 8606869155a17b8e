"""Agent runs over HTTP: create (canvas goal or copilot ticket), list, stream steps (SSE), read, resume an
approval, cancel a run that waits for one."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

import hyperjourney.graphs.runs as runs
from hyperjourney.api import runs_service as svc
from hyperjourney.api.auth import Caller, Reviewer
from hyperjourney.api.keys import Principal
from hyperjourney.api.paging import decode_cursor, encode_cursor
from hyperjourney.api.problems import PROBLEM_RESPONSES, ApiProblem, FieldError
from hyperjourney.data.pasted_tickets import PastedTicket, TicketChannel, create_ticket
from hyperjourney.db.database import Database
from hyperjourney.graphs import run_events
from hyperjourney.graphs.run_control import cancel_run, page_runs
from hyperjourney.settings import Settings

router = APIRouter(tags=["runs"], responses=PROBLEM_RESPONSES)
STREAM_LIMIT_SECONDS = 600.0
_PASTED = {"subject", "customer_email", "customer_id", "channel"}
RunId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class CanvasRunIn(BaseModel):
    flow: Literal["canvas"]
    goal: str = Field(
        min_length=1, max_length=2000, description='A marketing goal, e.g. "Lift LTV 20% in fintech SMBs"'
    )


class CopilotRunIn(BaseModel):
    """Either an existing ``ticket_id`` or a pasted ``ticket_text`` (stored as a new ticket first), not both."""

    flow: Literal["copilot"]
    ticket_id: str | None = Field(
        None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$", description="an existing ticket"
    )
    ticket_text: str | None = Field(
        None, min_length=1, max_length=20_000, description="the customer's message as pasted; creates the ticket"
    )
    subject: str | None = Field(None, max_length=300, description="for ticket_text: defaults to its first line")
    customer_email: str | None = Field(None, max_length=320, description="for ticket_text: who wrote it")
    customer_id: str | None = Field(None, max_length=128, description="for ticket_text: the customer, if known")
    channel: TicketChannel = Field("email", description="for ticket_text: where it came in")


class ResumeIn(BaseModel):
    action: Literal["approve", "reject", "edit"]
    comment: str = Field("", max_length=2000)
    variants: list[dict[str, Any]] | None = Field(
        None, max_length=20, description="for edit: the full edited variants (channel, subject, body with [cite:…])"
    )


class RunOut(BaseModel):
    run_id: str
    flow: str
    status: str
    approval: dict[str, Any] | None = None
    outcome: dict[str, Any] = Field(default_factory=dict)
    review: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list, description="citation ids the run used")
    ticket_id: str | None = Field(None, description="copilot runs: the ticket answered (new for ticket_text)")
    events_url: str
    run_url: str


def _out(
    run_id: str, flow: str, status: str, result: runs.RunResult | None = None, ticket_id: str | None = None
) -> RunOut:
    extra: dict[str, Any] = {"ticket_id": ticket_id}
    if result is not None:
        extra |= {
            "approval": result.approval,
            "outcome": result.outcome,
            "review": result.review,
            "evidence": result.evidence,
        }
    return RunOut(
        run_id=run_id,
        flow=flow,
        status=status,
        events_url=f"/v1/runs/{run_id}/events",
        run_url=f"/v1/runs/{run_id}",
        **extra,
    )


def _field_problem(exc: ValueError) -> ApiProblem:
    """`start_*` name the field at fault as 'field: message'."""
    field, _, message = str(exc).partition(": ")
    if not message:
        field, message = "body", str(exc)
    return ApiProblem(422, "Invalid request", message, field=field)


@router.post(
    "/v1/runs",
    response_model=RunOut,
    status_code=202,
    summary="Start a canvas goal or a copilot ticket",
    responses={202: {"headers": {"Location": {"description": "the run's URL", "schema": {"type": "string"}}}}},
)
def create_run(
    body: Annotated[CanvasRunIn | CopilotRunIn, Field(discriminator="flow")],
    request: Request,
    response: Response,
    who: Reviewer,
    wait: bool = Query(False, description="answer when the run pauses for approval or ends, not when it starts"),
) -> RunOut:
    """The run starts at once; follow `events_url` for its steps as they happen (or pass `wait=true`).
    The `Location` header is the run's URL."""
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    ticket_id = None if isinstance(body, CanvasRunIn) else _ticket(db, who, body)
    value = body.goal if isinstance(body, CanvasRunIn) else str(ticket_id)
    live = svc.start_live(db, settings, who.tenant, body.flow, value)
    try:
        live.wait_started()
    except ValueError as exc:
        raise _field_problem(exc) from exc
    if live.run_id is None:
        raise ApiProblem(503, "Run did not start", "the run recorded no step in time; try again")
    response.headers["Location"] = f"/v1/runs/{live.run_id}"
    if wait:
        live.done.wait(STREAM_LIMIT_SECONDS)
    if live.result is not None:
        return _out(live.run_id, body.flow, live.result.status, live.result, ticket_id)
    status, _ = run_events.steps_after(db, who.tenant, live.run_id, 10**9)
    return _out(live.run_id, body.flow, status or "running", ticket_id=ticket_id)


def _ticket(db: Database, who: Principal, body: CopilotRunIn) -> str:
    """The ticket to answer: the given id, or a new ticket stored from the pasted text (audited, in the tenant)."""
    if (body.ticket_id is None) == (body.ticket_text is None):
        field = "ticket_text" if body.ticket_id is not None else "ticket_id"
        raise ApiProblem(422, "Invalid request", "give exactly one of ticket_id or ticket_text", field=field)
    if body.ticket_id is not None:
        return body.ticket_id
    try:
        pasted = PastedTicket.model_validate(
            body.model_dump(include=_PASTED, exclude_none=True) | {"text": body.ticket_text}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = {"text": "ticket_text"}.get(str(first["loc"][0]), str(first["loc"][0])) if first["loc"] else "(body)"
        raise ApiProblem(422, "Invalid request", str(first["msg"]), field=where) from exc
    try:
        with db.tenant(who.tenant) as conn:
            return create_ticket(conn, pasted, actor=f"api:{who.key_id}").ticket_id
    except ValueError as exc:
        raise _field_problem(exc) from exc


class RunSummary(BaseModel):
    run_id: str
    flow: str
    status: str
    request: dict[str, Any]
    created_at: datetime
    run_url: str


class RunPage(BaseModel):
    items: list[RunSummary]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null on the last")


RunStatus = Literal[
    "running", "awaiting_approval", "resuming", "completed", "rejected", "escalated", "failed", "cancelled"
]


@router.get("/v1/runs", response_model=RunPage, summary="The tenant's runs, newest first, a page at a time")
def list_runs(
    request: Request,
    who: Caller,
    flow: Literal["canvas", "copilot", "nba"] | None = Query(None, description="only runs of this flow"),
    status: RunStatus | None = Query(None, description="only runs in this status"),
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None, max_length=200, description="`next_cursor` of the previous page"),
) -> RunPage:
    runs_ = page_runs(
        request.app.state.db, who.tenant, flow=flow, status=status, before=decode_cursor(cursor), limit=limit + 1
    )
    page = runs_[:limit]
    items = [RunSummary(**r.model_dump(include=set(RunSummary.model_fields)), run_url=_url(r.run_id)) for r in page]
    more = len(runs_) > limit
    return RunPage(items=items, next_cursor=encode_cursor(page[-1].created_at, page[-1].run_id) if more else None)


def _url(run_id: str) -> str:
    return f"/v1/runs/{run_id}"


class CancelIn(BaseModel):
    reason: str = Field("", max_length=2000, description="why, kept in the audit trail")


@router.post("/v1/runs/{run_id}/cancel", response_model=RunSummary, summary="Cancel a run awaiting approval")
def cancel(
    run_id: RunId, request: Request, who: Reviewer, body: Annotated[CancelIn | None, Body()] = None
) -> RunSummary:
    """The run is marked `cancelled` (audited as `run_cancelled`); its approval can no longer be given
    (resume answers 409). Only a run awaiting approval can be cancelled; any other status is a 409."""
    try:
        view = cancel_run(
            request.app.state.db, who.tenant, run_id, actor=f"api:{who.key_id}", reason=body.reason if body else ""
        )
    except runs.RunStateError as exc:
        status = 404 if "not found" in str(exc) else 409
        raise ApiProblem(status, "Not found" if status == 404 else "Conflict", str(exc), field="run_id") from exc
    return RunSummary(**view.model_dump(include=set(RunSummary.model_fields)), run_url=_url(view.run_id))


@router.get("/v1/runs/{run_id}", response_model=svc.RunDetail, summary="A run with its steps, evidence and audit trail")
def get_run(run_id: RunId, request: Request, who: Caller) -> svc.RunDetail:
    try:
        return svc.run_detail(request.app.state.db, request.app.state.settings, who.tenant, run_id)
    except runs.RunStateError as exc:
        raise ApiProblem(404, "Not found", str(exc), field="run_id") from exc


@router.post(
    "/v1/runs/{run_id}/resume",
    response_model=RunOut,
    summary="Approve, edit or reject a paused run",
    responses={409: {"description": "The run is not awaiting approval (finished, resuming or cancelled)"}},
)
def resume_run(run_id: RunId, body: ResumeIn, request: Request, who: Reviewer) -> RunOut:
    """Continues the run from its checkpoint. An edit is re-validated; a refused edit answers 422 with one
    `errors[]` entry per problem (field `variants`), and the run keeps waiting for approval."""
    decision = {**body.model_dump(exclude_none=True), "reviewer": f"api:{who.key_id}"}
    try:
        result = runs.resume(request.app.state.db, who.tenant, run_id, decision)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ApiProblem(422, "Invalid request", str(first["msg"]), field=where or "variants") from exc
    except runs.RunStateError as exc:
        status = 404 if "not found" in str(exc) else 409
        raise ApiProblem(status, "Not found" if status == 404 else "Conflict", str(exc), field="run_id") from exc
    problems = (result.approval or {}).get("edit_problems") if result.status == run_events.PAUSED else None
    if body.action == "edit" and problems:
        refused = ApiProblem(
            422, "Edit refused", f"the edit was not accepted; run {run_id} still awaits approval at {_url(run_id)}"
        )
        refused.errors = [FieldError(field="variants", message=str(p)) for p in problems]
        raise refused
    return _out(run_id, result.flow, result.status, result)


def _sse(event: str, data: Any, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


@router.get(
    "/v1/runs/{run_id}/events",
    summary="Server-sent events: each step as it is recorded, then the run's end state",
    responses={200: {"content": {"text/event-stream": {}}, "description": "`step` events, then one `end`"}},
)
async def stream_run(
    run_id: RunId,
    request: Request,
    who: Caller,
    after: int = Query(0, ge=0, le=1_000_000, description="skip steps up to this number"),
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> StreamingResponse:
    """Steps come in step order with `id:` = step number, so a reconnect with Last-Event-ID resumes the stream.
    Each step is pushed as the run records it (graphs/run_events.py: the running process, here or in a worker,
    notifies; this stream listens), the earlier ones read from the run's record first.

    The stream ends with an `end` event when the run pauses for approval (carrying what is asked) or finishes.
    """
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    start = int(last_event_id) if last_event_id and last_event_id.isdigit() else after
    status, _ = await run_in_threadpool(run_events.steps_after, db, who.tenant, run_id, 10**9)
    if status is None:
        raise ApiProblem(404, "Not found", f"run {run_id!r} not found", field="run_id")
    followed = run_events.follow(
        db, who.tenant, run_id, start, recheck_s=settings.api.stream_poll_seconds, limit_s=STREAM_LIMIT_SECONDS
    )

    async def events() -> AsyncIterator[str]:
        async for kind, data in followed:
            if kind == "step":
                yield _sse("step", data, data["step_no"])
                continue
            end: dict[str, Any] = {"run_id": run_id, "status": data}
            if data == run_events.PAUSED:
                flow = (await run_in_threadpool(runs.show_run, db, who.tenant, run_id)).flow
                view = await run_in_threadpool(svc.checkpoint_view, db, settings, who.tenant, run_id, flow)
                end["approval"] = view["approval"]
            yield _sse("end", end)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
