"""Row-level security: a connection bound to one tenant sees none of another's rows, even with SELECT *."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from hyperjourney.db.database import Database
from hyperjourney.db.errors import UnknownTenantError

TENANT_TABLES = [
    "tenants",
    "customers",
    "identities",
    "identity_merges",
    "consents",
    "events",
    "products",
    "orders",
    "order_lines",
    "returns",
    "tickets",
    "messages",
    "documents",
    "audit_log",
    "audit_heads",
]


def _fill(db: Database, tenant: str) -> None:
    with db.tenant(tenant) as conn:
        conn.execute("INSERT INTO customers (tenant_id, customer_id) VALUES (%s, 'c1')", (tenant,))
        conn.execute(
            "INSERT INTO identities (tenant_id, customer_id, kind, value, raw_value) "
            "VALUES (%s, 'c1', 'email', 'a@example.com', 'a@example.com')",
            (tenant,),
        )
        conn.execute(
            "INSERT INTO events (tenant_id, event_id, customer_id, type, ts) VALUES (%s, 'e1', 'c1', 'x', now())",
            (tenant,),
        )
        conn.execute(
            "INSERT INTO consents (tenant_id, customer_id, channel, purpose, status, source, captured_at) "
            "VALUES (%s, 'c1', 'email', 'marketing', 'granted', 'test', now())",
            (tenant,),
        )
        conn.execute("INSERT INTO audit_log (tenant_id, actor, action) VALUES (%s, 'test', 'fill')", (tenant,))


def test_tenants_see_only_their_own_rows(db: Database, make_tenant: Callable[[str], str]) -> None:
    a, b = make_tenant("a"), make_tenant("b")
    _fill(db, a)
    _fill(db, b)
    for tenant, other in ((a, b), (b, a)):
        with db.tenant(tenant) as conn:
            for table in TENANT_TABLES:
                rows = conn.execute(f"SELECT tenant_id FROM {table}").fetchall()
                assert {r[0] for r in rows} <= {tenant}, table
                assert other not in {r[0] for r in rows}
            assert conn.execute("SELECT count(*) FROM customers").fetchone() == (1,)
            assert conn.execute("SELECT count(*) FROM current_consents").fetchone() == (1,)


def test_unbound_connection_sees_nothing(db: Database, tenant: str) -> None:
    _fill(db, tenant)
    with db.unbound() as conn:
        for table in TENANT_TABLES:
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_app_role_cannot_bypass_rls(db: Database) -> None:
    with db.unbound() as conn:
        row = conn.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").fetchone()
    assert row == (False, False)


def test_cannot_write_into_another_tenant(db: Database, make_tenant: Callable[[str], str]) -> None:
    a, b = make_tenant("a"), make_tenant("b")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"), db.tenant(a) as conn:
        conn.execute("INSERT INTO customers (tenant_id, customer_id) VALUES (%s, 'x')", (b,))
    _fill(db, b)
    with db.tenant(a) as conn:
        assert conn.execute("UPDATE customers SET first_name = 'hacked'").rowcount == 0
        assert conn.execute("DELETE FROM events").rowcount == 0
    with db.tenant(b) as conn:
        assert conn.execute("SELECT first_name FROM customers").fetchone() == (None,)


def test_unknown_tenant_is_a_clear_error(db: Database) -> None:
    with pytest.raises(UnknownTenantError, match="does not exist"), db.tenant("no-such-tenant"):
        pass
