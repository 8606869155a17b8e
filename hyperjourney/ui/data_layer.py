"""Chainlit's data layer on our Postgres: conversation history survives reloads and restarts, bound to one tenant.

Chainlit hands over its own step/element dicts; they are kept whole as jsonb (the schema is chainlit's,
not ours), in tables under the tenant's row-level security. Calls run the sync pool in a worker thread.

Chainlit fires each write as its own task (``asyncio.create_task(create_step(...))``), so without care
they reach the database in any order: a step's ``update`` could land before its ``create`` (and be
overwritten by the empty first version), and a child could be stored before its parent. The browser
nests a reloaded history by ``parentId`` and silently drops a step whose parent it has not seen yet,
which dropped every agent step and the plan card (children of chainlit's ``on_message`` run step)
whenever that run step was stored before the user's message. So writes for one thread are applied in
the order chainlit issued them, and a thread is read back in chainlit's own creation order, parents first.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from chainlit.data.base import BaseDataLayer
from chainlit.element import Element, ElementDict
from chainlit.step import StepDict
from chainlit.types import Feedback, PageInfo, PaginatedResponse, Pagination, ThreadDict, ThreadFilter
from chainlit.user import PersistedUser, User
from psycopg.types.json import Jsonb

from hyperjourney.db.database import Database
from hyperjourney.guardrails.redaction import redact
from hyperjourney.guardrails.redaction_keys import tenant_key_in

T = TypeVar("T")
# What a person typed or pasted (a ticket with a card number, an IBAN, a password) reaches these fields; they
# are stored with personal data replaced by the tenant's tokens, like agent steps and checkpoints.
_TEXT_FIELDS = ("input", "output", "name")
# chainlit's own creation time of a step (ISO text), falling back to when the row was stored
_CREATED = (
    "CASE WHEN body->>'createdAt' ~ '^\\d{4}-\\d\\d-\\d\\dT' THEN (body->>'createdAt')::timestamptz ELSE created_at END"
)
_THREAD_COLUMNS = "thread_id, created_at, name, user_id, user_identifier, tags, metadata"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class PostgresDataLayer(BaseDataLayer):
    def __init__(self, db: Database, tenant: str) -> None:
        self.db = db
        self.tenant = tenant
        self._order = asyncio.Lock()

    async def _run(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        def in_tenant() -> T:
            with self.db.tenant(self.tenant) as conn:
                return work(conn)

        return await asyncio.to_thread(in_tenant)

    async def _write(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Apply writes one at a time in call order (asyncio.Lock wakes its waiters first come, first served)."""
        async with self._order:
            return await self._run(work)

    # users -------------------------------------------------------------------------------------------------
    async def get_user(self, identifier: str) -> PersistedUser | None:
        row = await self._run(
            lambda c: c.execute(
                "SELECT user_id, identifier, metadata, created_at FROM ui_users WHERE identifier = %s", (identifier,)
            ).fetchone()
        )
        if row is None:
            return None
        return PersistedUser(id=row[0], identifier=row[1], metadata=row[2], createdAt=_iso(row[3]))

    async def create_user(self, user: User) -> PersistedUser | None:
        await self._run(
            lambda c: c.execute(
                "INSERT INTO ui_users (user_id, identifier, metadata) VALUES (%s, %s, %s) "
                "ON CONFLICT (tenant_id, identifier) DO UPDATE SET metadata = EXCLUDED.metadata",
                (str(uuid.uuid4()), user.identifier, Jsonb(user.metadata)),
            )
        )
        return await self.get_user(user.identifier)

    # feedback ----------------------------------------------------------------------------------------------
    async def upsert_feedback(self, feedback: Feedback) -> str:
        feedback_id = feedback.id or str(uuid.uuid4())
        await self._run(
            lambda c: c.execute(
                "INSERT INTO ui_feedback (feedback_id, step_id, value, comment) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (tenant_id, feedback_id) DO UPDATE SET value = EXCLUDED.value, "
                "comment = EXCLUDED.comment",
                (feedback_id, feedback.forId, int(feedback.value), feedback.comment),
            )
        )
        return feedback_id

    async def delete_feedback(self, feedback_id: str) -> bool:
        cur = await self._run(lambda c: c.execute("DELETE FROM ui_feedback WHERE feedback_id = %s", (feedback_id,)))
        return cur.rowcount > 0

    # elements ----------------------------------------------------------------------------------------------
    async def create_element(self, element: Element) -> None:
        if not element.thread_id:
            return
        body: dict[str, Any] = dict(element.to_dict())
        body["url"] = body.get("url") or _data_url(element)
        await self._write(
            lambda c: _in_thread(
                c,
                element.thread_id,
                "INSERT INTO ui_elements (element_id, thread_id, body) VALUES (%s, %s, %s) "
                "ON CONFLICT (tenant_id, element_id) DO UPDATE SET body = EXCLUDED.body",
                (element.id, element.thread_id, Jsonb(body)),
            )
        )

    async def get_element(self, thread_id: str, element_id: str) -> ElementDict | None:
        row = await self._run(
            lambda c: c.execute(
                "SELECT body FROM ui_elements WHERE thread_id = %s AND element_id = %s", (thread_id, element_id)
            ).fetchone()
        )
        return None if row is None else row[0]

    async def delete_element(self, element_id: str, thread_id: str | None = None) -> None:
        await self._write(lambda c: c.execute("DELETE FROM ui_elements WHERE element_id = %s", (element_id,)))

    # steps -------------------------------------------------------------------------------------------------
    async def create_step(self, step_dict: StepDict) -> None:
        await self._upsert_step(step_dict)

    async def update_step(self, step_dict: StepDict) -> None:
        await self._upsert_step(step_dict)

    async def _upsert_step(self, step_dict: StepDict) -> None:
        thread_id = step_dict.get("threadId")
        if not thread_id or not step_dict.get("id"):
            return
        body: dict[str, Any] = dict(step_dict)

        def store(c: psycopg.Connection[Any]) -> None:
            key = tenant_key_in(c)
            for field in _TEXT_FIELDS:
                value = body.get(field)
                if isinstance(value, str):
                    body[field] = redact(value, key).text
            _in_thread(
                c,
                thread_id,
                "INSERT INTO ui_steps (step_id, thread_id, body) VALUES (%s, %s, %s) "
                "ON CONFLICT (tenant_id, step_id) DO UPDATE SET body = ui_steps.body || EXCLUDED.body",
                (body["id"], thread_id, Jsonb(body)),
            )

        await self._write(store)

    async def delete_step(self, step_id: str) -> None:
        await self._write(lambda c: c.execute("DELETE FROM ui_steps WHERE step_id = %s", (step_id,)))

    async def get_favorite_steps(self, user_id: str) -> list[StepDict]:
        rows = await self._run(
            lambda c: c.execute(
                "SELECT s.body FROM ui_steps s JOIN ui_threads t USING (tenant_id, thread_id) "
                "WHERE t.user_id = %s AND (s.body->'metadata'->>'favorite')::boolean",
                (user_id,),
            ).fetchall()
        )
        return [r[0] for r in rows]

    # threads -----------------------------------------------------------------------------------------------
    async def get_thread_author(self, thread_id: str) -> str:
        row = await self._run(
            lambda c: c.execute("SELECT user_identifier FROM ui_threads WHERE thread_id = %s", (thread_id,)).fetchone()
        )
        return (row[0] or "") if row else ""

    async def delete_thread(self, thread_id: str) -> None:
        await self._write(lambda c: c.execute("DELETE FROM ui_threads WHERE thread_id = %s", (thread_id,)))

    async def list_threads(self, pagination: Pagination, filters: ThreadFilter) -> PaginatedResponse[ThreadDict]:
        def query(c: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
            where, params = ["true"], []
            if filters.userId:
                where.append("user_id = %s")
                params.append(filters.userId)
            if filters.search:
                where.append("name ILIKE %s")
                params.append(f"%{filters.search}%")
            if pagination.cursor:
                where.append("created_at < (SELECT created_at FROM ui_threads WHERE thread_id = %s)")
                params.append(pagination.cursor)
            return c.execute(
                f"SELECT {_THREAD_COLUMNS} FROM ui_threads WHERE {' AND '.join(where)} "
                f"ORDER BY created_at DESC LIMIT {int(pagination.first) + 1}",
                params,
            ).fetchall()

        rows = await self._run(query)
        page = rows[: pagination.first]
        threads = [_thread(r, [], []) for r in page]
        return PaginatedResponse(
            pageInfo=PageInfo(
                hasNextPage=len(rows) > pagination.first,
                startCursor=threads[0]["id"] if threads else None,
                endCursor=threads[-1]["id"] if threads else None,
            ),
            data=threads,
        )

    async def get_thread(self, thread_id: str) -> ThreadDict | None:
        def query(c: psycopg.Connection[Any]) -> ThreadDict | None:
            row = c.execute(f"SELECT {_THREAD_COLUMNS} FROM ui_threads WHERE thread_id = %s", (thread_id,)).fetchone()
            if row is None:
                return None
            steps = _parents_first(
                [
                    r[0]
                    for r in c.execute(
                        f"SELECT body FROM ui_steps WHERE thread_id = %s ORDER BY {_CREATED}, created_at",
                        (thread_id,),
                    )
                ]
            )
            elements = [r[0] for r in c.execute("SELECT body FROM ui_elements WHERE thread_id = %s", (thread_id,))]
            return _thread(row, steps, elements)

        return await self._run(query)

    async def update_thread(
        self,
        thread_id: str,
        name: str | None = None,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
    ) -> None:
        def update(c: psycopg.Connection[Any]) -> None:
            safe_name = None if name is None else redact(name, tenant_key_in(c)).text
            identifier = None
            if user_id:
                found = c.execute("SELECT identifier FROM ui_users WHERE user_id = %s", (user_id,)).fetchone()
                identifier = found[0] if found else None
            c.execute(
                "INSERT INTO ui_threads (thread_id, name, user_id, user_identifier, tags, metadata) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (tenant_id, thread_id) DO UPDATE SET "
                "name = COALESCE(EXCLUDED.name, ui_threads.name), "
                "user_id = COALESCE(EXCLUDED.user_id, ui_threads.user_id), "
                "user_identifier = COALESCE(EXCLUDED.user_identifier, ui_threads.user_identifier), "
                "tags = CASE WHEN %s THEN EXCLUDED.tags ELSE ui_threads.tags END, "
                "metadata = ui_threads.metadata || EXCLUDED.metadata",
                (thread_id, safe_name, user_id, identifier, Jsonb(tags or []), Jsonb(metadata or {}), tags is not None),
            )

        await self._write(update)

    async def build_debug_url(self) -> str:
        return ""

    async def close(self) -> None:
        return None


def _in_thread(c: psycopg.Connection[Any], thread_id: str, sql: str, params: tuple[Any, ...]) -> None:
    """Write a row that belongs to a thread, creating the thread first: chainlit may send a step before it."""
    c.execute("INSERT INTO ui_threads (thread_id) VALUES (%s) ON CONFLICT DO NOTHING", (thread_id,))
    c.execute(sql, params)


def _data_url(element: Element) -> str | None:
    """The element's content inline, so it still shows after a reload (chainlit's own copy lives only as long as the
    websocket session); nothing is fetched from anywhere else."""
    content = element.content
    if content is None and element.path:
        content = Path(element.path).read_bytes()
    if content is None:
        return None
    raw = content.encode() if isinstance(content, str) else bytes(content)
    mime = element.mime or ("text/plain" if isinstance(content, str) else "application/octet-stream")
    charset = ";charset=utf-8" if mime.startswith("text/") or isinstance(content, str) else ""
    return f"data:{mime}{charset};base64,{base64.b64encode(raw).decode()}"


def _parents_first(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the given order but hold back a step until its parent has come (the page drops orphans it meets)."""
    present = {s["id"] for s in steps}
    placed: set[str] = set()
    waiting: dict[str, list[dict[str, Any]]] = {}
    ordered: list[dict[str, Any]] = []

    def place(step: dict[str, Any]) -> None:
        ordered.append(step)
        placed.add(step["id"])
        for child in waiting.pop(step["id"], []):
            place(child)

    for step in steps:
        parent = step.get("parentId")
        if parent and parent in present and parent not in placed:
            waiting.setdefault(parent, []).append(step)
        else:
            place(step)
    return ordered


def _thread(row: tuple[Any, ...], steps: list[Any], elements: list[Any]) -> ThreadDict:
    return ThreadDict(
        id=row[0],
        createdAt=_iso(row[1]),
        name=row[2],
        userId=row[3],
        userIdentifier=row[4],
        tags=row[5],
        metadata=row[6],
        steps=steps,
        elements=elements,
    )
