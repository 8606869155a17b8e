"""Chainlit's history in our Postgres: threads come back whole after a reload, and only in their tenant."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from chainlit.types import Pagination, ThreadFilter
from chainlit.user import User

from hyperjourney.db.database import Database
from hyperjourney.ui.data_layer import PostgresDataLayer


def test_a_thread_round_trips_and_pages(db: Database, make_tenant: Callable[[str], str]) -> None:
    tenant, other = make_tenant("ui"), make_tenant("ui")
    layer, foreign = PostgresDataLayer(db, tenant), PostgresDataLayer(db, other)

    async def scenario() -> None:
        user = await layer.create_user(User(identifier="rita", metadata={"role": "reviewer"}))
        assert user is not None and user.metadata["role"] == "reviewer"
        assert (await layer.get_user("rita")) is not None and (await foreign.get_user("rita")) is None
        for n in range(3):
            await layer.update_thread(f"th-{n}", name=f"goal {n}", user_id=user.id, metadata={"run_id": f"r{n}"})
        await layer.create_step({"id": "s1", "threadId": "th-0", "type": "user_message", "output": "Lift LTV"})
        await layer.create_step({"id": "s2", "threadId": "th-0", "type": "run", "name": "researcher", "output": ""})
        await layer.update_step({"id": "s2", "threadId": "th-0", "output": "segment: fintech SMBs"})
        await layer.update_thread("th-0", metadata={"status": "awaiting_approval"}, tags=["Canvas"])

        thread = await layer.get_thread("th-0")
        assert thread is not None
        assert [s["id"] for s in thread["steps"]] == ["s1", "s2"]
        assert thread["steps"][1]["name"] == "researcher" and thread["steps"][1]["output"] == "segment: fintech SMBs"
        assert thread["metadata"] == {"run_id": "r0", "status": "awaiting_approval"}
        assert thread["tags"] == ["Canvas"] and thread["userIdentifier"] == "rita"
        assert await layer.get_thread_author("th-0") == "rita"

        assert await foreign.get_thread("th-0") is None
        assert await foreign.get_thread_author("th-0") == ""

        first = await layer.list_threads(Pagination(first=2), ThreadFilter(userId=user.id))
        assert [t["id"] for t in first.data] == ["th-2", "th-1"] and first.pageInfo.hasNextPage
        rest = await layer.list_threads(Pagination(first=2, cursor=first.pageInfo.endCursor), ThreadFilter())
        assert [t["id"] for t in rest.data] == ["th-0"] and not rest.pageInfo.hasNextPage
        found = await layer.list_threads(Pagination(first=5), ThreadFilter(search="goal 1"))
        assert [t["id"] for t in found.data] == ["th-1"]

        await layer.delete_thread("th-0")
        assert await layer.get_thread("th-0") is None

    asyncio.run(scenario())
