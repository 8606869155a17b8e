"""New events and outbox actions queue their tenant's journey tick and dispatch in the writing transaction."""

from __future__ import annotations

import psycopg

from hyperjourney.channels import outbox
from hyperjourney.channels.models import Message, OutboundAction
from hyperjourney.db.database import Database
from hyperjourney.workers.tasks import DISPATCH, TICK, defer_for_every_tenant
from tests.actions_fixtures import T0, add_customers, add_event


def waiting(db: Database, tenant: str) -> list[tuple[str, str, dict[str, str]]]:
    with db.admin() as conn:
        rows = conn.execute(
            "SELECT task_name, queue_name, args FROM procrastinate_jobs WHERE status = 'todo' "
            "AND args->>'tenant' = %s ORDER BY id",
            (tenant,),
        ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def test_writes_queue_one_waiting_job_per_tenant_and_kind(db: Database, tenant: str) -> None:
    add_customers(db, tenant, ["c1"])
    with db.tenant(tenant) as conn:  # rolled back: a write that never commits wakes nobody
        conn.execute(
            "INSERT INTO events (tenant_id, event_id, customer_id, type, ts) "
            "VALUES (current_tenant(), 'gone', 'c1', 'x', now())"
        )
        raise psycopg.Rollback()
    assert waiting(db, tenant) == []
    add_event(db, tenant, "e1", "c1", "signed_up", T0)
    add_event(db, tenant, "e2", "c1", "signed_up", T0)  # the waiting tick will read this one too
    assert waiting(db, tenant) == [(TICK, "journeys", {"tenant": tenant})]
    action = OutboundAction(
        idempotency_key="k1", customer_id="c1", channel="email", purpose="marketing",
        message=Message(to="c1@example.com", subject="s", body="b", why="w"),
    )  # fmt: skip
    with db.tenant(tenant) as conn:
        outbox.enqueue(conn, action)
    assert [t for t, _, _ in waiting(db, tenant)] == [TICK, DISPATCH]
    assert defer_for_every_tenant(db, TICK) >= 1  # the sweep adds nothing where one is waiting
    assert [t for t, _, _ in waiting(db, tenant)] == [TICK, DISPATCH]


def test_an_open_ingest_does_not_hold_other_writers_of_its_tenant(db: Database, tenant: str) -> None:
    add_customers(db, tenant, ["c1"])
    with db.dedicated(tenant) as long_ingest:  # a file ingest whose wake-up job is not committed yet
        long_ingest.execute(
            "INSERT INTO events (tenant_id, event_id, customer_id, type, ts) "
            "VALUES (current_tenant(), 'file-1', 'c1', 'x', now())"
        )
        with db.tenant(tenant) as conn:
            conn.execute("SET LOCAL lock_timeout = '5s'")  # waiting on the open ingest fails instead of hanging
            conn.execute(
                "INSERT INTO events (tenant_id, event_id, customer_id, type, ts) "
                "VALUES (current_tenant(), 'api-1', 'c1', 'x', now())"
            )
    assert [t for t, _, _ in waiting(db, tenant)] == [TICK, TICK]  # one each; the second tick finds nothing
