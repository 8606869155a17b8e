"""A Segment / RudderStack-compatible HTTP source: point an SDK's host (dataPlaneUrl) at ``/segment``.

``POST /segment/v1/{identify,track,page,screen,group,alias,batch}`` take the spec's messages. The write
key is a project API key (reviewer role), sent as the SDKs do (HTTP Basic, key as the user name) or as
``Authorization: Bearer``. A request is all or nothing: any bad message is a 422 problem naming the
field (``batch[3].timestamp``) and nothing of the request is stored.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import TypeAdapter, ValidationError

from hyperjourney.api.auth import principal, reviewer
from hyperjourney.api.body_limit import LimitedBodyRoute
from hyperjourney.api.keys import Principal
from hyperjourney.api.problems import PROBLEM_JSON, PROBLEM_RESPONSES, FieldError, Problem, problem_response
from hyperjourney.data.ingest.rows import Validation
from hyperjourney.data.ingest.segment import SegmentResult, plan, write
from hyperjourney.data.ingest.segment_messages import Batch, FieldProblem, Message, SegmentError
from hyperjourney.db.database import Database
from hyperjourney.settings import Settings

router = APIRouter(
    prefix="/segment/v1",
    tags=["segment"],
    route_class=LimitedBodyRoute,
    responses={
        **PROBLEM_RESPONSES,
        413: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Body over the ingest limit"},
    },
)

_MESSAGE: TypeAdapter[Message] = TypeAdapter(Message)


def write_key(request: Request) -> Principal:
    """The SDKs' HTTP Basic (write key as user name, empty password) or a Bearer key; then the usual checks."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    token = value.strip()
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(token, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user = password = ""
        token = user or password
    elif scheme.lower() != "bearer":
        token = ""
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token) if token else None
    return reviewer(principal(request, credentials))  # a missing or unknown key: 401, rate-limited by address


WriteKey = Annotated[Principal, Depends(write_key)]
MessageBody = Annotated[dict[str, Any], Body(description="One message of the Segment spec")]


@router.post("/batch", response_model=SegmentResult, summary="A batch of Segment messages, all or nothing")
def batch(
    body: Annotated[dict[str, Any], Body(description="{batch: [messages]}")], request: Request, who: WriteKey
) -> Any:
    try:
        parsed = Batch.model_validate(body)
    except ValidationError as exc:
        return _invalid(_problems(exc))
    paths = [f"batch[{i}]" for i in range(len(parsed.batch))]
    return _store(request, who, list(parsed.batch), paths)


def _single(body: dict[str, Any], request: Request, who: Principal, kind: str) -> Any:
    try:
        message = _MESSAGE.validate_python({**body, "type": kind})
    except ValidationError as exc:
        return _invalid(_problems(exc))
    return _store(request, who, [message], [""])


@router.post("/identify", response_model=SegmentResult, summary="identify: traits onto the customer")
def identify(body: MessageBody, request: Request, who: WriteKey) -> Any:
    return _single(body, request, who, "identify")


@router.post("/track", response_model=SegmentResult, summary="track: one event")
def track(body: MessageBody, request: Request, who: WriteKey) -> Any:
    return _single(body, request, who, "track")


@router.post("/page", response_model=SegmentResult, summary="page: a page_view event")
def page(body: MessageBody, request: Request, who: WriteKey) -> Any:
    return _single(body, request, who, "page")


@router.post("/screen", response_model=SegmentResult, summary="screen: a screen_view event")
def screen(body: MessageBody, request: Request, who: WriteKey) -> Any:
    return _single(body, request, who, "screen")


@router.post("/group", response_model=SegmentResult, summary="group: the customer's account")
def group(body: MessageBody, request: Request, who: WriteKey) -> Any:
    return _single(body, request, who, "group")


@router.post("/alias", response_model=SegmentResult, summary="alias: link a previous id to a user")
def alias(body: MessageBody, request: Request, who: WriteKey) -> Any:
    return _single(body, request, who, "alias")


class _Refused(Exception):
    def __init__(self, error: SegmentError) -> None:
        super().__init__(str(error))
        self.error = error


def _store(request: Request, who: Principal, messages: list[Message], paths: list[str]) -> Any:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    options = Validation.from_settings(settings.ingest)
    try:
        batch_plan = plan(messages, paths, datetime.now(UTC), options)
        with db.tenant(who.tenant) as conn:
            try:
                return write(conn, batch_plan, options, actor=f"api:{who.key_id}")
            except SegmentError as exc:
                raise _Refused(exc) from exc  # leaves the transaction by an exception: nothing is stored
    except SegmentError as exc:
        return _invalid(exc.problems)
    except _Refused as refused:
        return _invalid(refused.error.problems)


def _invalid(problems: list[FieldProblem]) -> Any:
    errors = [FieldError(field=p.field.lstrip("."), message=p.message) for p in problems]
    return problem_response(
        Problem(
            title="Invalid Segment payload", status=422, detail=f"{errors[0].field}: {errors[0].message}", errors=errors
        )
    )


_TAGS = {"identify", "track", "page", "screen", "group", "alias"}
_TAG_ERRORS = {"union_tag_invalid", "union_tag_not_found"}


def _problems(exc: ValidationError) -> list[FieldProblem]:
    """Pydantic's errors with the spec's paths: ('batch', 3, 'track', 'timestamp') -> 'batch[3].timestamp'."""
    found = []
    for err in exc.errors():
        loc = tuple(err["loc"]) + (("type",) if err["type"] in _TAG_ERRORS else ())
        out = ""
        for i, part in enumerate(loc):
            if isinstance(part, int):
                out += f"[{part}]"
            elif part in _TAGS and (i == 0 or isinstance(loc[i - 1], int)):
                continue
            else:
                out += f".{part}" if out else str(part)
        found.append(FieldProblem(out or "(body)", str(err["msg"])))
    return found
