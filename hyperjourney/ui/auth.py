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
