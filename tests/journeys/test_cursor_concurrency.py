"""The journey cursor under concurrent ingests: a long transaction's events are read once it commits.

Events are stamped with the ingest transaction, and the runner reads only below the oldest transaction
still running, so a shorter ingest that commits first cannot move the cursor past a longer one's rows.
"""

from __future__ import annotations

import json

from hyperjourney.db.database import Database
from tests.actions_fixtures import T0, add_customers, add_event
from tests.journeys.test_runner import launch_cart, treatment_ids


def enrolled(db: Database, tenant: str) -> set[str]:
    with db.tenant(tenant) as conn:
        return {r[0] for r in conn.execute("SELECT customer_id FROM journey_enrollments")}


def test_a_long_ingest_committed_after_a_short_one_is_not_skipped(db: Database, tenant: str) -> None:
    file_customer, api_customer = treatment_ids(2)
    add_customers(db, tenant, [file_customer, api_customer])
    run = launch_cart(db, tenant)
    with db.dedicated(tenant) as long_ingest:  # a file ingest: its transaction starts first and stays open
        long_ingest.execute(
            "INSERT INTO events (tenant_id, event_id, customer_id, type, ts, properties) "
            "VALUES (current_tenant(), 'file-1', %s, 'added_to_cart', %s, %s)",
            (file_customer, T0, json.dumps({"cart_id": "cartF"})),
        )
        add_event(db, tenant, "api-1", api_customer, "added_to_cart", T0, cart_id="cartA")  # commits now
        first = run.tick(T0)
        assert first.events == 0  # the API event waits behind the open ingest instead of passing it
    second = run.tick(T0)  # the long ingest has committed
    assert second.events == 2
    assert enrolled(db, tenant) == {file_customer, api_customer}
    assert run.tick(T0).events == 0  # and nothing is read twice
