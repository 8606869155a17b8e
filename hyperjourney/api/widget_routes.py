"""The embeddable chat widget: one script any site loads with its publishable widget key, and the CORS the
assistant's routes need to be called from that site (a bearer key is no ambient credential: no cookies)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

router = APIRouter(tags=["assistant"])
CORS_PATHS = "/v1/conversations"
_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-headers", b"authorization, content-type"),
    (b"access-control-allow-methods", b"POST, OPTIONS"),
    (b"access-control-max-age", b"600"),
]


@router.get("/widget.js", include_in_schema=False)
def widget_script() -> Response:
    script = (resources.files("hyperjourney.api") / "public" / "widget.js").read_text(encoding="utf-8")
    return Response(script, media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"})


class AssistantCors:
    """Cross-origin calls to the assistant's routes only: preflights answered here, responses marked allowed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(CORS_PATHS):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": _HEADERS})
            await send({"type": "http.response.body", "body": b""})
            return

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        await self.app(scope, receive, marked)
