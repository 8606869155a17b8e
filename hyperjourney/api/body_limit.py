"""A route class that refuses a request body over the ingest limit with 413 before anything parses it."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from hyperjourney.api.problems import ApiProblem
from hyperjourney.settings import Settings


class LimitedBodyRoute(APIRoute):
    """Reads at most ``settings.ingest.max_body_bytes`` (declared length first, then as it streams)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            settings: Settings = request.app.state.settings
            limit = settings.ingest.max_body_bytes
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise _too_large(int(declared), limit)
            body = bytearray()
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise _too_large(len(body), limit)
            request._body = bytes(body)  # what FastAPI parses next; the stream is spent
            return await handler(request)

        return limited


def _too_large(size: int, limit: int) -> ApiProblem:
    return ApiProblem(
        413,
        "Request body too large",
        f"the body has at least {size:,} bytes; the limit is {limit:,} (HYPERJOURNEY_INGEST__MAX_BODY_BYTES)",
        field="(body)",
    )
