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


def test_a_reload_gets_parents_before_children_in_chainlit_order(db: Database, tenant: str) -> None:
    """The page drops a step whose parent it has not met yet: a stored-early child must still come after its parent."""
    layer = PostgresDataLayer(db, tenant)

    def step(sid: str, at: str, parent: str | None = None, **extra: object) -> dict[str, object]:
        return {"id": sid, "threadId": "th", "parentId": parent, "createdAt": f"2026-01-01T10:00:{at}Z", **extra}

    async def scenario() -> None:
        await layer.create_step(step("run", "01.000100", "goal", type="run", name="on_message"))  # type: ignore[arg-type]
        await layer.create_step(step("card", "05.000000", "run", type="assistant_message"))  # type: ignore[arg-type]
        await layer.create_step(step("goal", "01.000000", type="user_message", output="Lift LTV"))  # type: ignore[arg-type]
        await layer.create_step(step("agent", "03", "run", type="tool", name="researcher"))  # type: ignore[arg-type]
        await layer.create_step(step("late", "00.500000", "card", type="tool"))  # type: ignore[arg-type]
        thread = await layer.get_thread("th")
        assert thread is not None
        assert [s["id"] for s in thread["steps"]] == ["goal", "run", "agent", "card", "late"]

    asyncio.run(scenario())


def test_writes_land_in_the_order_chainlit_fired_them(db: Database, tenant: str) -> None:
    """Chainlit fires create and update as separate tasks; the update (the finished step) must win every time."""
    layer = PostgresDataLayer(db, tenant)

    async def scenario() -> None:
        fired = []
        for n in range(30):
            sid = f"s{n}"
            fired.append(asyncio.create_task(layer.create_step({"id": sid, "threadId": "th", "output": ""})))
            fired.append(asyncio.create_task(layer.update_step({"id": sid, "threadId": "th", "output": f"done {n}"})))
        await asyncio.gather(*fired)
        thread = await layer.get_thread("th")
        assert thread is not None
        assert [s["output"] for s in thread["steps"]] == [f"done {n}" for n in range(30)]

    asyncio.run(scenario())


def test_an_element_keeps_its_content_for_a_reload(db: Database, tenant: str) -> None:
    """Chainlit keeps an element's content only as long as the websocket session; the stored one inlines it."""
    import base64

    from chainlit.element import Image, Text

    layer = PostgresDataLayer(db, tenant)

    async def scenario() -> None:
        text = Text(name="kb-doc#2", content="**Spend controls**\n\nCard policy templates.", thread_id="th")
        chart = Image(
            name="lift", content=b"<svg xmlns='http://www.w3.org/2000/svg'/>", mime="image/svg+xml", thread_id="th"
        )
        text.for_id = chart.for_id = "card"
        await layer.create_element(text)
        await layer.create_element(chart)
        thread = await layer.get_thread("th")
        assert thread is not None
        urls = {e["name"]: e["url"] for e in thread["elements"]}
        head, _, data = urls["kb-doc#2"].partition(";base64,")
        assert head == "data:text/plain;charset=utf-8"
        assert base64.b64decode(data).decode() == "**Spend controls**\n\nCard policy templates."
        assert urls["lift"].startswith("data:image/svg+xml;base64,")
        assert {e["forId"] for e in thread["elements"]} == {"card"}

    asyncio.run(scenario())


def test_a_pasted_ticket_is_stored_with_personal_data_tokenised(
    db: Database, make_tenant: Callable[[str], str]
) -> None:
    """A reviewer's paste is chainlit's own user message: it once sat in ui_steps in clear (issue 20.15)."""
    tenant = make_tenant("ui")
    layer = PostgresDataLayer(db, tenant)
    card, email = "4111 1111 1111 1111", "rita.moreno@example.org"
    paste = f"Subject: double charge\nMy card {card} was charged twice, write to {email}"

    async def scenario() -> None:
        await layer.update_thread("th", name=f"charged twice, {email}")
        await layer.create_step({"id": "m1", "threadId": "th", "type": "user_message", "output": paste})  # type: ignore[typeddict-item]
        thread = await layer.get_thread("th")
        assert thread is not None
        shown = thread["steps"][0]["output"]
        assert "charged twice" in shown and "[CARD_" in shown and "[EMAIL_" in shown
        assert thread["name"] is not None and "[EMAIL_" in thread["name"]

    asyncio.run(scenario())
    with db.admin() as conn:
        stored = conn.execute(
            "SELECT string_agg(body::text, ' ') FROM ui_steps WHERE tenant_id = %s", (tenant,)
        ).fetchone()
        names = conn.execute("SELECT string_agg(name, ' ') FROM ui_threads WHERE tenant_id = %s", (tenant,)).fetchone()
    assert stored is not None and names is not None
    for raw in (card, card.replace(" ", ""), email):
        assert raw not in stored[0] and raw not in names[0]
