"""The audit chain: intact chains verify; edits, deletions and a truncated tail are detected."""

from __future__ import annotations

import threading

import psycopg
import pytest

from hyperjourney.data import audit
from hyperjourney.db.database import Database


def _write(db: Database, tenant: str, n: int) -> None:
    with db.tenant(tenant) as conn:
        for i in range(n):
            audit.append(conn, actor="test", action="step", entity=f"e{i}", payload={"i": i, "note": "ü"})


def _verify(db: Database, tenant: str) -> audit.VerifyResult:
    with db.tenant(tenant) as conn:
        return audit.verify(conn)


def _as_owner(db: Database, sql: str, tenant: str) -> None:
    with db.admin() as conn:
        conn.execute(sql, (tenant,))  # type: ignore[arg-type]


def test_intact_chain_verifies(db: Database, tenant: str) -> None:
    _write(db, tenant, 5)
    result = _verify(db, tenant)
    assert result.ok and result.rows == 5


def test_edited_row_is_detected(db: Database, tenant: str) -> None:
    _write(db, tenant, 5)
    _as_owner(db, "UPDATE audit_log SET payload = '{\"i\": 99}' WHERE tenant_id = %s AND seq = 3", tenant)
    assert _verify(db, tenant).problems == ["entry 3 was modified after it was written (hash mismatch)"]


def test_deleted_row_is_detected(db: Database, tenant: str) -> None:
    _write(db, tenant, 5)
    _as_owner(db, "DELETE FROM audit_log WHERE tenant_id = %s AND seq = 2", tenant)
    assert _verify(db, tenant).problems == ["entries 2..2 are missing (deleted)"]


def test_truncated_tail_is_detected(db: Database, tenant: str) -> None:
    _write(db, tenant, 5)
    _as_owner(db, "DELETE FROM audit_log WHERE tenant_id = %s AND seq >= 4", tenant)
    assert _verify(db, tenant).problems == ["entries 4..5 at the end are missing (deleted)"]


def test_application_role_cannot_edit_or_delete(db: Database, tenant: str) -> None:
    _write(db, tenant, 1)
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "UPDATE audit_heads SET seq = 0"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), db.tenant(tenant) as conn:
            conn.execute(sql)  # type: ignore[arg-type]
    assert _verify(db, tenant).ok


def test_a_long_audited_transaction_does_not_hold_up_another_writer(db: Database, tenant: str) -> None:
    """A launch's transaction stays open; another audited write of the tenant commits meanwhile (issue 20.20)."""
    launch_wrote, other_committed = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def launch() -> None:
        with db.tenant(tenant) as conn:
            audit.append(conn, actor="canvas", action="journey_launch")
            launch_wrote.set()
            seen["other committed before the launch"] = other_committed.wait(timeout=10)

    thread = threading.Thread(target=launch)
    thread.start()
    assert launch_wrote.wait(timeout=10)
    _write(db, tenant, 1)  # waited for the launch to commit before chaining happened at commit
    other_committed.set()
    thread.join(timeout=30)
    assert seen == {"other committed before the launch": True}
    with db.tenant(tenant) as conn:
        order = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
        assert order == ["step", "journey_launch"]  # chained in commit order
        assert audit.verify(conn).ok


def test_entries_get_their_place_in_the_chain_at_commit_and_a_rollback_leaves_no_gap(db: Database, tenant: str) -> None:
    with db.tenant(tenant) as conn:
        audit.append(conn, actor="test", action="pending", payload={"seq": 7, "hash": "forged"})
        assert conn.execute("SELECT seq, hash FROM audit_log").fetchall() == [(None, None)]
    with pytest.raises(RuntimeError), db.tenant(tenant) as conn:
        audit.append(conn, actor="test", action="rolled_back")
        raise RuntimeError("abort")
    _write(db, tenant, 1)
    result = _verify(db, tenant)
    assert result.ok and result.rows == 2
