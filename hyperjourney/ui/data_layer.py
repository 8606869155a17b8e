"""Chainlit's data layer on our Postgres: conversation history survives reloads and restarts, bound to one tenant.

Chainlit hands over its own step/element dicts; they are kept whole as jsonb (the schema is chainlit's,
not ours), in tables under the tenant's row-level security. Calls run the sync pool in a worker thread.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg
from chainlit.data.base import BaseDataLayer
from chainlit.element import Element, ElementDict
from chainlit.step import StepDict
from chainlit.types import Feedback, PageInfo, PaginatedResponse, Pagination, ThreadDict, ThreadFilter
from chainlit.user import PersistedUser, User
from psycopg.types.json import Jsonb

from hyperjourney.db.database import Database

T = TypeVar("T")
_THREAD_COLUMNS = "thread_id, created_at, name, user_id, user_identifier, tags, metadata"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class PostgresDataLayer(BaseDataLayer):
    def __init__(self, db: Database, tenant: str) -> None:
        self.db = db
        self.tenant = tenant

    async def _run(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        def in_tenant() -> T:
            with self.db.tenant(self.tenant) as conn:
                return work(conn)

        return await asyncio.to_thread(in_tenant)

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
        body: dict[str, Any] = dict(element.to_dict())
        if not element.thread_id:
            return
        await self._run(
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
        await self._run(lambda c: c.execute("DELETE FROM ui_elements WHERE element_id = %s", (element_id,)))

    # steps -------------------------------------------------------------------------------------------------
    async def create_step(self, step_dict: StepDict) -> None:
        await self._upsert_step(step_dict)

    async def update_step(self, step_dict: StepDict) -> None:
        await self._upsert_step(step_dict)

    async def _upsert_step(self, step_dict: StepDict) -> None:
        thread_id = step_dict.get("threadId")
        if not thread_id or not step_dict.get("id"):
            return
        body = dict(step_dict)
        await self._run(
            lambda c: _in_thread(
                c,
                thread_id,
                "INSERT INTO ui_steps (step_id, thread_id, body) VALUES (%s, %s, %s) "
                "ON CONFLICT (tenant_id, step_id) DO UPDATE SET body = ui_steps.body || EXCLUDED.body",
                (body["id"], thread_id, Jsonb(body)),
            )
        )

    async def delete_step(self, step_id: str) -> None:
        await self._run(lambda c: c.execute("DELETE FROM ui_steps WHERE step_id = %s", (step_id,)))

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
        await self._run(lambda c: c.execute("DELETE FROM ui_threads WHERE thread_id = %s", (thread_id,)))

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
            steps = [
                r[0]
                for r in c.execute("SELECT body FROM ui_steps WHERE thread_id = %s ORDER BY created_at", (thread_id,))
            ]
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
                (thread_id, name, user_id, identifier, Jsonb(tags or []), Jsonb(metadata or {}), tags is not None),
            )

        await self._run(update)

    async def build_debug_url(self) -> str:
        return ""

    async def close(self) -> None:
        return None


def _in_thread(c: psycopg.Connection[Any], thread_id: str, sql: str, params: tuple[Any, ...]) -> None:
    """Write a row that belongs to a thread, creating the thread first: chainlit may send a step before it."""
    c.execute("INSERT INTO ui_threads (thread_id) VALUES (%s) ON CONFLICT DO NOTHING", (thread_id,))
    c.execute(sql, params)


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
