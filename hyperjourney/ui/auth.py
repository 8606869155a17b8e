"""Password logins from settings, each with a role (what a role may do: hyperjourney.review.roles)."""

from __future__ import annotations

import hmac

from pydantic import BaseModel

from hyperjourney.review.roles import Role
from hyperjourney.settings import Settings


class Login(BaseModel):
    identifier: str
    role: Role


def check_password(settings: Settings, username: str, password: str) -> Login | None:
    """The login for these credentials, or None; compares in constant time so timing leaks nothing."""
    user = settings.ui.users.get(username)
    expected = user.password.get_secret_value() if user else ""
    matches = hmac.compare_digest(password.encode(), expected.encode())
    if user is None or not expected or not matches:
        return None
    return Login(identifier=username, role=user.role)


def install_login_message(wrong_login: str) -> None:
    """Chainlit answers a failed sign-in with the code ``credentialssignin``, which its page shows raw in a toast
    ("Unauthorized: credentialssignin"); answer with a sentence a person can act on instead."""
    from chainlit.server import app
    from fastapi import HTTPException, Request
    from fastapi.exception_handlers import http_exception_handler
    from starlette.responses import Response

    async def friendly(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.detail == "credentialssignin":
            exc = HTTPException(status_code=exc.status_code, detail=wrong_login, headers=exc.headers)
        return await http_exception_handler(request, exc)

    app.add_exception_handler(HTTPException, friendly)
