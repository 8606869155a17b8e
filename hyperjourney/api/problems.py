"""Every error as RFC 9457 problem+json, naming the field at fault where there is one."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] = []


class ApiProblem(Exception):
    """Raised by handlers for an expected failure with a status and, where it applies, the field."""

    def __init__(self, status: int, title: str, detail: str = "", *, field: str | None = None) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.field = status, title, detail, field
        self.headers: dict[str, str] = {}
        self.errors: list[FieldError] = []


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(exclude_defaults=False), status_code=problem.status, headers=headers, media_type=PROBLEM_JSON
    )


JSON_HINT = "send the body as JSON with the header `Content-Type: application/json`"


def field_path(error: Any, body: Any = None) -> str:
    """The field as the request names it: a JSON path in the body (``events[0].ts``, ``goal``), a query or
    path parameter's own name (``region``), or ``body`` for the body as a whole; the union tag pydantic adds
    (``copilot.ticket_id``) is not part of the request and is dropped."""
    if str(error.get("type", "")).startswith("union_tag_"):
        return str(error.get("ctx", {}).get("discriminator", "body")).strip("'\"")
    parts = list(error.get("loc", ()))
    where = parts.pop(0) if parts else "body"
    if where == "body" and error.get("type") == "json_invalid":
        return "body"
    if where == "body" and parts and isinstance(body, dict) and parts[0] not in body and parts[0] in body.values():
        parts.pop(0)  # the discriminated union's tag
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or ("body" if where == "body" else str(where))


def _message(error: Any, request: Request) -> str:
    """pydantic's message, with the fix where the cause is the request's framing rather than a value."""
    message = str(error.get("msg", "invalid"))
    if error.get("type") == "json_invalid":
        return f"{message}: {error.get('ctx', {}).get('error', '')}; the body must be valid JSON"
    if tuple(error.get("loc", ())) == ("body",) and "json" not in request.headers.get("content-type", ""):
        return f"{message}; {JSON_HINT}"
    return message


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": text}
    for status, text in {
        401: "Missing, unknown or revoked API key",
        403: "The key's role may not do this",
        404: "Not found in this tenant",
        422: "Invalid request; `errors` names each field at fault",
        429: "Rate limit exceeded; retry after the Retry-After header's seconds",
    }.items()
}


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [FieldError(field=field_path(e, exc.body), message=_message(e, request)) for e in exc.errors()]
        first = errors[0] if errors else FieldError(field="body", message="invalid request")
        return problem_response(
            Problem(
                title="Invalid request",
                status=422,
                detail=f"{first.field}: {first.message}",
                errors=errors,
            )
        )

    @app.exception_handler(ApiProblem)
    async def _api_problem(_: Request, exc: ApiProblem) -> JSONResponse:
        errors = exc.errors or ([FieldError(field=exc.field, message=exc.detail or exc.title)] if exc.field else [])
        return problem_response(
            Problem(title=exc.title, status=exc.status, detail=exc.detail, errors=errors), headers=exc.headers
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        title = str(exc.detail) if exc.detail else "HTTP error"
        return problem_response(Problem(title=title, status=exc.status_code), headers=dict(exc.headers or {}))

    app.add_middleware(UnhandledErrors)


class UnhandledErrors:
    """A bug answers 500 problem+json and the connection stays usable.

    Starlette's own catch-all answers and then re-raises, so uvicorn closed the keep-alive connection and
    the client's next request on it failed with ReadError; this middleware answers and does not re-raise.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:  # half a response is out: only closing the connection can tell the client
                raise
            problem = Problem(title="Internal error", status=500, detail=type(exc).__name__)
            await problem_response(problem)(scope, receive, send)
