"""Every error as RFC 9457 problem+json, naming the field at fault where there is one."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

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


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(exclude_defaults=False), status_code=problem.status, headers=headers, media_type=PROBLEM_JSON
    )


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'events', 0, 'ts') -> 'events[0].ts'; the request part is dropped except for query/path/header."""
    parts = list(loc)
    prefix = ""
    if parts and parts[0] in {"query", "path", "header", "cookie"}:
        prefix = f"{parts.pop(0)}:"
    elif parts and parts[0] == "body":
        parts.pop(0)
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return prefix + (out or "(body)")


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
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(field=field_path(e.get("loc", ())), message=str(e.get("msg", "invalid"))) for e in exc.errors()
        ]
        first = errors[0] if errors else FieldError(field="(body)", message="invalid request")
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
        errors = [FieldError(field=exc.field, message=exc.detail or exc.title)] if exc.field else []
        return problem_response(
            Problem(title=exc.title, status=exc.status, detail=exc.detail, errors=errors), headers=exc.headers
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        title = str(exc.detail) if exc.detail else "HTTP error"
        return problem_response(Problem(title=title, status=exc.status_code), headers=dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(Problem(title="Internal error", status=500, detail=type(exc).__name__))
