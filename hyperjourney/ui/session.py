"""Who is asking and where: the UI's database, tenant and the logged-in person's role (one role table with the
API: hyperjourney.review.roles). Shared by the app's callback modules."""

from __future__ import annotations

import os
from functools import lru_cache

import chainlit as cl

from hyperjourney.db.database import Database
from hyperjourney.review.roles import Action, can
from hyperjourney.settings import get_settings
from hyperjourney.ui.server import TENANT_ENV


@lru_cache(maxsize=1)
def database() -> Database:
    return Database.from_settings(get_settings())


def tenant() -> str:
    return os.environ.get(TENANT_ENV) or get_settings().tenant


def role() -> str:
    user = cl.user_session.get("user")
    return str(user.metadata.get("role", "viewer")) if user else "viewer"


def may(action: Action) -> bool:
    """The one role check the API uses too (hyperjourney.review.roles)."""
    return can(role(), action)


def who() -> str:
    user = cl.user_session.get("user")
    return f"ui:{user.identifier}" if user else "ui:anonymous"


async def retire_actions(key: str) -> None:
    """Remove the buttons last shown under ``key``: chainlit keeps a button until it is removed, and a click on
    one shown for an earlier state would act on state that has moved on."""
    for shown in cl.user_session.get(key) or []:
        await cl.Action.from_dict(shown).remove()
    cl.user_session.set(key, [])


def keep_actions(key: str, actions: list[cl.Action]) -> None:
    """Remember the buttons just shown under ``key`` (after they were sent, so each knows its message)."""
    cl.user_session.set(key, [a.to_dict() for a in actions])


async def close_form(key: str) -> None:
    """Remove the form message whose id is kept under ``key`` (saved, cancelled or replaced)."""
    form_id = cl.user_session.get(key)
    if form_id:
        await cl.Message(content="", id=str(form_id)).remove()
        cl.user_session.set(key, None)
