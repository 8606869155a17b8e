"""The command line, driven through typer's runner against the session's real database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hyperjourney.cli.main import commands
from hyperjourney.db.database import Database
from hyperjourney.settings import get_settings
from tests.cli_runner import invoke


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, cmd in getattr(group, "commands", {}).items():
        yield (*prefix, name)
        yield from _commands(cmd, (*prefix, name))


def test_every_command_has_help() -> None:
    paths = [(name,) for name in commands()] + [
        (name, *sub) for name, cmd in commands().items() for sub in _commands(cmd)
    ]
    assert {("demo",), ("ingest",), ("seed",), ("db", "reset"), ("audit", "verify")} <= set(paths)
    for path in paths:
        code, out = invoke(*path, "--help")
        assert code == 0, path
        assert "Usage:" in out


def test_config_show_masks_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYPERJOURNEY_LLM_SMALL__API_KEY", "sk-very-secret")
    monkeypatch.setenv("HYPERJOURNEY_LLM_SMALL__MODEL", "small-model")
    get_settings.cache_clear()
    try:
        code, out = invoke("config", "show")
    finally:
        get_settings.cache_clear()
    assert code == 0
    assert "sk-very-secret" not in out
    assert '"api_key": "****"' in out
    assert "small-model" in out


def test_db_commands(db: Database) -> None:
    code, out = invoke("db", "status")
    assert code == 0 and "running" in out and "pending: 0" in out
    code, out = invoke("db", "migrate")
    assert code == 0 and "up to date" in out
    code, out = invoke("db", "url", "--app")
    assert code == 0 and "hyperjourney_app" in out


def test_ingest_reports_rejects_and_strict_writes_nothing(db: Database, tenant: str, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,email,created_at\nc1,a@example.com,2026-01-01T00:00:00Z\nc2,bad,2026-01-01T00:00:00\n")
    code, out = invoke("ingest", "customers", str(path), "--tenant", tenant, "--strict")
    assert code == 1
    assert "line 3" in out and "nothing was written" in out
    rejects = path.with_name("customers.csv.rejects.jsonl").read_text().splitlines()
    assert len(rejects) == 2 and all('"line": 3' in r for r in rejects)
    path.with_name("customers.csv.rejects.jsonl").unlink()
    code, out = invoke("ingest", "customers", str(path), "--tenant", tenant)
    assert code == 1  # some rows were rejected
    assert "line 3" in out and "email" in out and "rejects by reason" in out
    rejects = path.with_name("customers.csv.rejects.jsonl").read_text().splitlines()
    assert len(rejects) == 2 and all('"line": 3' in r for r in rejects)
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT customer_id FROM customers").fetchall() == [("c1",)]
    code, out = invoke("ingest", "customers", str(tmp_path / "nope.csv"), "--tenant", tenant)
    assert code == 1 and "no such file" in out
    good = tmp_path / "good.csv"
    good.write_text("customer_id,created_at\nc9,2026-01-01\n")
    code, out = invoke("ingest", "customers", str(good), "--tenant", tenant)
    assert code == 0 and "date without time" in out


def test_seed_resolve_and_audit_verify(db: Database) -> None:
    tenant = f"cli-{uuid.uuid4().hex[:8]}"
    code, out = invoke(
        "seed", "--tenant", tenant, "--customers", "300", "--events", "3000", "--tickets", "30", "--seed", "3"
    )
    assert code == 0, out
    assert "duplicate profiles merged" in out
    with db.tenant(tenant) as conn:
        merged = conn.execute("SELECT count(*) FROM customers WHERE merged_into IS NOT NULL").fetchone()
        assert merged is not None and merged[0] > 0
    code, out = invoke("seed", "--tenant", tenant, "--customers", "300", "--events", "3000", "--tickets", "30")
    assert code == 0 and "already has data" in out
    code, out = invoke("identities", "resolve", "--tenant", tenant)
    assert code == 0 and "0 merged now" in out
    code, out = invoke("audit", "verify", "--tenant", tenant)
    assert code == 0 and "intact" in out
    with db.admin() as conn:
        conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE tenant_id = %s AND seq = 1", (tenant,))
    code, out = invoke("audit", "verify", "--tenant", tenant)
    assert code == 1 and "entry 1 was modified" in out


def test_demo_summarizes_the_demo_tenant(db: Database) -> None:
    code, out = invoke("seed", "--customers", "300", "--events", "3000", "--tickets", "30")
    assert code == 0, out
    code, out = invoke("demo", "--no-live")  # the live step runs in tests/offline/test_no_phone_home.py
    assert code == 0, out
    assert "a journey advancing on its own" not in out
    for expected in ("tenant demo", "customers", "marketing consent coverage", "freshness", "audit chain"):
        assert expected in out
    assert "intact" in out
    assert "knowledge base:" in out
