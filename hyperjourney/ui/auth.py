"""Password logins from settings, each with a role: reviewers may approve, viewers may only look."""

from __future__ import annotations

import hmac
from typing import Literal

from pydantic import BaseModel

from hyperjourney.settings import Settings

Role = Literal["reviewer", "viewer"]


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


def can_approve(role: str | None) -> bool:
    return role == "reviewer"
