"""The assistant over HTTP: start a conversation, send a visitor's message and stream the reply (SSE).

A widget key (publishable, embedded in the tenant's site) reaches only these routes. Every conversation is the
tenant's (RLS) and the visitor's: a message naming another visitor than the one who started it is a 404, so a
leaked conversation id does not open someone else's chat. A retried message (same ``message_id``) streams the
reply it already got and acts on nothing again.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, field_validator

from hyperjourney.api.auth import Widget, within_visitor_rate
from hyperjourney.api.problems import ApiProblem
from hyperjourney.conversations.store import UnknownConversationError
from hyperjourney.db.database import Database
from hyperjourney.graphs.assistant import AssistantDeps, TurnInput, TurnReply, run_turn
from hyperjourney.settings import Settings
from hyperjourney.tools.conversation import ConversationTools

router = APIRouter(tags=["assistant"])
VisitorId = Field(
    min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$", description="The widget's cookie id for this browser"
)
ConversationId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^conv_[a-f0-9]+$")]


def _storable(value: str | None) -> str | None:
    """Postgres text cannot hold a NUL; a blank message says nothing to answer."""
    if value is not None and "\x00" in value:
        raise ValueError("contains a NUL character (\\u0000), which cannot be stored")
    if value is not None and not value.strip():
        raise ValueError("must not be blank")
    return value


class StartConversation(BaseModel):
    visitor_id: str = VisitorId
    email: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    channel: Literal["web"] = "web"

    check_storable = field_validator("email")(_storable)


class Started(BaseModel):
    conversation_id: str
    messages_url: str


class VisitorMessage(BaseModel):
    visitor_id: str = VisitorId
    message_id: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="The widget's id for this message: a retry with the same id is not a new message",
    )
    text: str = Field(min_length=1, max_length=4000)
    email: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    check_storable = field_validator("text", "email")(_storable)


def _deps(request: Request, tenant: str) -> AssistantDeps:
    settings: Settings = request.app.state.settings
    return AssistantDeps(request.app.state.db, tenant, settings.assistant)


@router.post("/v1/conversations", status_code=201, summary="Start a conversation with the assistant")
async def start_conversation(body: StartConversation, request: Request, who: Widget) -> Started:
    within_visitor_rate(request, who, body.visitor_id)
    db: Database = request.app.state.db
    tools = ConversationTools(db, who.tenant)
    started = await run_in_threadpool(tools.start, body.visitor_id, body.channel, body.email, at=datetime.now(UTC))
    cid = started.conversation_id
    return Started(conversation_id=cid, messages_url=f"/v1/conversations/{cid}/messages")


@router.post(
    "/v1/conversations/{conversation_id}/messages",
    summary="Send the visitor's message; the reply streams back as server-sent events",
    responses={200: {"content": {"text/event-stream": {}}, "description": "`delta` events, one `reply`, `end`"}},
)
async def send_message(
    conversation_id: ConversationId, body: VisitorMessage, request: Request, who: Widget
) -> StreamingResponse:
    """`delta` events carry the reply's paragraphs as plain text (no citation markers), then one `reply` event
    carries the typed turn (citations, intent, sentiment, the question asked, actions taken, hand-off)."""
    within_visitor_rate(request, who, body.visitor_id)
    deps = _deps(request, who.tenant)
    try:
        owner = await run_in_threadpool(deps.tools.visitor_of, conversation_id)
    except UnknownConversationError as exc:
        raise ApiProblem(404, "Not found", str(exc), field="conversation_id") from exc
    if owner != body.visitor_id:
        raise ApiProblem(404, "Not found", f"conversation {conversation_id!r} not found", field="conversation_id")
    turn = TurnInput(conversation_id=conversation_id, message_id=body.message_id, text=body.text, email=body.email)
    reply: TurnReply = await run_in_threadpool(run_turn, deps, turn)

    async def events() -> AsyncIterator[str]:
        for part in reply.text.split("\n\n"):
            yield _sse("delta", {"text": part})
        yield _sse("reply", reply.model_dump(mode="json"))
        yield _sse("end", {"conversation_id": conversation_id})

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"
