"""The nesting guard: a thread holding a pooled connection that asks for another is told where, at once."""

from __future__ import annotations

import threading

import pytest

from hyperjourney.db.database import Database
from hyperjourney.db.errors import NestedConnectionError


def test_a_nested_pooled_connection_raises_naming_both_call_sites(db: Database, tenant: str) -> None:
    assert db.guard_nested  # tests/conftest.py turns it on for every test
    with db.tenant(tenant), pytest.raises(NestedConnectionError) as caught, db.unbound():
        pass
    message = str(caught.value)
    assert message.count("tests/db/test_pool_guard.py:") == 2 and "holds one" in message
    with db.tenant(tenant) as conn:  # the failed request left nothing held
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_threads_each_holding_one_connection_are_fine(db: Database, tenant: str) -> None:
    both_hold = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with db.tenant(tenant):
                both_hold.wait()
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []


def test_a_dedicated_connection_is_outside_the_pool_and_bound_to_its_tenant(db: Database, make_tenant: object) -> None:
    mine, other = make_tenant("ded"), make_tenant("ded")  # type: ignore[operator]
    with db.dedicated(mine) as held, db.tenant(mine) as pooled:  # no NestedConnectionError
        assert held.execute("SELECT tenant_id FROM tenants").fetchall() == [(mine,)]
        assert pooled.execute("SELECT count(*) FROM tenants WHERE tenant_id = %s", (other,)).fetchone() == (0,)
