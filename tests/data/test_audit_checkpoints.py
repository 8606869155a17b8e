"""Signed checkpoints: an administrator who rewrites the chain consistently is caught by `audit verify`.

Each of the four rewrites below leaves a chain that the hash links alone accept; the signed checkpoint
(key outside the database, copy in a file outside Postgres) is what catches it.
"""

from __future__ import annotations

import json
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import SecretStr

from hyperjourney.data import audit, audit_checkpoints
from hyperjourney.db.database import Database
from hyperjourney.db.urls import APP_ROLE
from hyperjourney.settings import AuditSettings, Settings

RECHAIN = """
WITH RECURSIVE chain AS (
    SELECT seq, hash FROM audit_log WHERE tenant_id = %(t)s AND seq = %(from)s - 1
    UNION ALL
    SELECT a.seq, audit_row_hash(c.hash, a.tenant_id, a.seq, a.ts, a.actor, a.action, a.entity, a.payload)
    FROM chain c JOIN audit_log a ON a.tenant_id = %(t)s AND a.seq = c.seq + 1
)
UPDATE audit_log a SET prev_hash = p.hash, hash = c.hash
FROM chain c JOIN chain p ON p.seq = c.seq - 1
WHERE a.tenant_id = %(t)s AND a.seq = c.seq
"""


@pytest.fixture
def cfg(settings: Settings, tmp_path: Path) -> Settings:
    audit_cfg = AuditSettings(key=SecretStr("k" * 32), checkpoint_path=tmp_path / "checkpoints.jsonl")
    return settings.model_copy(update={"audit": audit_cfg})


def _write(db: Database, tenant: str, n: int) -> None:
    with db.tenant(tenant) as conn:
        for i in range(n):
            audit.append(conn, actor="test", action="step", entity=f"e{i}", payload={"i": i})


def _checkpointed(db: Database, tenant: str, cfg: Settings, n: int = 5) -> None:
    _write(db, tenant, n)
    [check] = audit_checkpoints.checkpoint_all(db, cfg, tenants=[tenant])
    assert check.signed is not None and check.signed.seq == n and check.problems == []


def _problems(db: Database, tenant: str, cfg: Settings) -> list[str]:
    return audit_checkpoints.verify_tenant(db, tenant, cfg).problems


def _rewind_head(conn: object, tenant: str, seq: int) -> None:
    conn.execute(  # type: ignore[attr-defined]
        "UPDATE audit_heads h SET seq = a.seq, hash = a.hash FROM audit_log a "
        "WHERE h.tenant_id = %s AND a.tenant_id = h.tenant_id AND a.seq = %s",
        (tenant, seq),
    )


def test_a_rechained_edit_is_caught_by_the_checkpoint(db: Database, tenant: str, cfg: Settings) -> None:
    _checkpointed(db, tenant, cfg)
    with db.admin() as conn:
        conn.execute("UPDATE audit_log SET payload = '{\"i\": 99}' WHERE tenant_id = %s AND seq = 3", (tenant,))
        conn.execute(RECHAIN, {"t": tenant, "from": 3})
        _rewind_head(conn, tenant, 5)
    with db.tenant(tenant) as conn:
        assert audit.verify(conn).ok  # the hash chain alone accepts the rewrite
    assert _problems(db, tenant, cfg) == [
        "entry 5 differs from the signed checkpoint of "
        f"{audit_checkpoints.exported(cfg)[0][-1].at:%Y-%m-%d %H:%M:%S} (the chain was rewritten)"
    ]


def test_a_deleted_tail_with_the_head_rewound_is_caught(db: Database, tenant: str, cfg: Settings) -> None:
    _checkpointed(db, tenant, cfg)
    with db.admin() as conn:
        conn.execute("DELETE FROM audit_log WHERE tenant_id = %s AND seq >= 4", (tenant,))
        _rewind_head(conn, tenant, 3)
    with db.tenant(tenant) as conn:
        assert audit.verify(conn).ok
    [problem] = _problems(db, tenant, cfg)
    assert problem.startswith("entries 4..5 recorded in the signed checkpoint of") and problem.endswith("(deleted)")


def test_deleting_a_tenants_rows_head_and_checkpoints_is_caught_by_the_file(
    db: Database, tenant: str, cfg: Settings
) -> None:
    _checkpointed(db, tenant, cfg)
    with db.admin() as conn:
        for table in ("audit_log", "audit_heads", "audit_checkpoints"):
            conn.execute(f"DELETE FROM {table} WHERE tenant_id = %s", (tenant,))  # type: ignore[arg-type]
    [problem] = _problems(db, tenant, cfg)
    assert problem.startswith("entries 1..5 recorded in the signed checkpoint of")


def test_truncating_the_audit_tables_is_caught_by_the_file(db: Database, make_tenant: object, cfg: Settings) -> None:
    tenants = [make_tenant("trunc"), make_tenant("trunc")]  # type: ignore[operator]
    for t in tenants:
        _checkpointed(db, t, cfg, n=3)
    file_rows, _ = audit_checkpoints.exported(cfg)
    key = audit_checkpoints.audit_key(cfg)
    with db.admin() as conn:  # the truncation is rolled back: other tests share these tables
        conn.execute("TRUNCATE audit_log, audit_heads, audit_checkpoints")
        conn.execute(f"SET LOCAL ROLE {APP_ROLE}")
        for t in tenants:
            conn.execute("SELECT set_config('hyperjourney.tenant_id', %s, true)", (t,))
            check = audit_checkpoints.check_in(conn, key, file_rows)
            assert check.rows == 0 and len(check.problems) == 1
            assert check.problems[0].startswith("entries 1..3 recorded in the signed checkpoint of")
        conn.rollback()
    assert _problems(db, tenants[0], cfg) == []


def test_a_checkpoint_forged_without_the_key_is_refused(db: Database, tenant: str, cfg: Settings) -> None:
    _checkpointed(db, tenant, cfg)
    with db.admin() as conn:
        conn.execute(
            "INSERT INTO audit_checkpoints (tenant_id, seq, hash, at, mac) VALUES (%s, 9, 'x', now(), 'bad')", (tenant,)
        )
    forged = "the checkpoint at entry 9 in the database is not signed by this key (forged)"
    assert _problems(db, tenant, cfg) == [forged]


def test_a_tampered_chain_is_not_signed_again(db: Database, tenant: str, cfg: Settings) -> None:
    _checkpointed(db, tenant, cfg)
    with db.admin() as conn:
        conn.execute("DELETE FROM audit_log WHERE tenant_id = %s AND seq >= 4", (tenant,))
        _rewind_head(conn, tenant, 3)
    _write(db, tenant, 4)  # the chain grows past the old head again, with other entries
    [check] = audit_checkpoints.checkpoint_all(db, cfg, tenants=[tenant])
    assert check.signed is None and check.problems[0].startswith("entry 5 differs from the signed checkpoint")
    assert len(audit_checkpoints.exported(cfg)[0]) == 1


def test_an_unchanged_head_is_not_signed_twice_and_new_entries_are(db: Database, tenant: str, cfg: Settings) -> None:
    _checkpointed(db, tenant, cfg)
    [again] = audit_checkpoints.checkpoint_all(db, cfg, tenants=[tenant])
    assert again.signed is None and again.problems == []
    _write(db, tenant, 2)
    [moved] = audit_checkpoints.checkpoint_all(db, cfg, tenants=[tenant])
    assert moved.signed is not None and moved.signed.seq == 7
    assert [c.seq for c in audit_checkpoints.exported(cfg)[0]] == [5, 7]


def test_without_a_key_setting_a_key_file_is_made_once_owner_only(settings: Settings, tmp_path: Path) -> None:
    cfg = settings.model_copy(update={"home": tmp_path})
    first = audit_checkpoints.audit_key(cfg)
    path = tmp_path / "secrets" / "audit.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert audit_checkpoints.audit_key(cfg) == first and len(first) == 32


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/audit"
    server.shutdown()


def test_checkpoints_are_posted_to_the_webhook(db: Database, tenant: str, cfg: Settings, receiver: str) -> None:
    cfg = cfg.model_copy(update={"audit": cfg.audit.model_copy(update={"webhook_url": receiver})})
    _checkpointed(db, tenant, cfg, n=2)
    [body] = _Receiver.received[-1:]
    [sent] = body["checkpoints"]  # type: ignore[misc]
    assert sent["tenant"] == tenant and sent["seq"] == 2
    assert audit_checkpoints.Checkpoint.model_validate(sent).valid(audit_checkpoints.audit_key(cfg))
