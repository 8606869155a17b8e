"""Signed checkpoints of each tenant's audit chain head, kept where a database administrator can't rewrite them.

The hash chain alone proves nothing against someone who can write to the database: they can edit a row and
re-chain everything after it, delete the tail and rewind the head, or truncate the tables. A checkpoint is
(tenant, seq, hash, time) with an HMAC under a key that never enters the database (HYPERJOURNEY_AUDIT__KEY,
or a key file created once under the home directory). Each one is appended to a JSON-lines file outside
Postgres (and POSTed to a webhook when one is set) and copied into ``audit_checkpoints``, so `audit verify`
notices a rewritten chain from either copy and deleted entries from the file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from pydantic import BaseModel, ValidationError

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.keyfiles import key_file
from hyperjourney.settings import Settings


class CheckpointExportError(RuntimeError):
    """A checkpoint could not be exported (file or webhook); what failed and where."""


class Checkpoint(BaseModel):
    tenant: str
    seq: int
    hash: str
    at: datetime
    mac: str

    @classmethod
    def signed(cls, key: bytes, tenant: str, seq: int, hash: str, at: datetime) -> Checkpoint:
        return cls(tenant=tenant, seq=seq, hash=hash, at=at, mac=_mac(key, tenant, seq, hash, at))

    def valid(self, key: bytes) -> bool:
        return hmac.compare_digest(self.mac, _mac(key, self.tenant, self.seq, self.hash, self.at))

    def anchor(self) -> audit.Anchor:
        return audit.Anchor(self.seq, self.hash, self.at)


class TenantCheck(BaseModel):
    """What checkpointing or verifying did for one tenant."""

    tenant: str
    rows: int
    problems: list[str]
    signed: Checkpoint | None = None
    anchor_seq: int | None = None


def _mac(key: bytes, tenant: str, seq: int, hash: str, at: datetime) -> str:
    message = f"{tenant}|{seq}|{hash}|{at.astimezone(UTC).isoformat()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def audit_key(settings: Settings) -> bytes:
    """The MAC key: the setting, else a key file made once (0600) under home/secrets."""
    if settings.audit.key is not None:
        return settings.audit.key.get_secret_value().encode()
    return key_file(settings.home_dir / "secrets" / "audit.key")


def checkpoint_file(settings: Settings) -> Path:
    return settings.audit.checkpoint_path or settings.home_dir / "audit" / "checkpoints.jsonl"


def exported(settings: Settings) -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint in the file, and a problem for each line that is not one."""
    path = checkpoint_file(settings)
    if not path.exists():
        return [], []
    found: list[Checkpoint] = []
    problems: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append(Checkpoint.model_validate_json(line))
        except ValidationError:
            problems.append(f"{path} line {number} is not a checkpoint (the file was edited)")
    return found, problems


def check_in(conn: psycopg.Connection[Any], key: bytes, file_rows: list[Checkpoint]) -> TenantCheck:
    """The bound tenant's chain verified against the latest checkpoint signed by ``key`` (file or database)."""
    tenant = str(conn.execute("SELECT current_tenant()").fetchone()[0])  # type: ignore[index]
    stored = [
        Checkpoint(tenant=tenant, seq=s, hash=h, at=a, mac=m)
        for s, h, a, m in conn.execute("SELECT seq, hash, at, mac FROM audit_checkpoints")
    ]
    problems: list[str] = []
    good: list[Checkpoint] = []
    for source, found in (("file", [c for c in file_rows if c.tenant == tenant]), ("database", stored)):
        for c in found:
            if c.valid(key):
                good.append(c)
            else:
                problems.append(f"the checkpoint at entry {c.seq} in the {source} is not signed by this key (forged)")
    latest = max(good, key=lambda c: (c.seq, c.at), default=None)
    result = audit.verify(conn, latest.anchor() if latest else None)
    return TenantCheck(
        tenant=tenant,
        rows=result.rows,
        problems=problems + result.problems,
        anchor_seq=latest.seq if latest else None,
    )


def verify_tenant(db: Database, tenant: str, settings: Settings) -> TenantCheck:
    rows, file_problems = exported(settings)
    with db.tenant(tenant) as conn:
        check = check_in(conn, audit_key(settings), rows)
    check.problems = file_problems + check.problems
    return check


def checkpoint_all(
    db: Database, settings: Settings, *, tenants: list[str] | None = None, now: datetime | None = None
) -> list[TenantCheck]:
    """Verify every tenant's chain, then sign and export the heads that moved since their last checkpoint.

    A tenant whose chain fails verification is not signed: signing a rewritten chain would bless it."""
    key, at = audit_key(settings), now or datetime.now(UTC)
    file_rows, file_problems = exported(settings)
    if file_problems:
        raise CheckpointExportError("; ".join(file_problems))
    with db.admin() as conn:
        known = [r[0] for r in conn.execute("SELECT tenant_id FROM tenants ORDER BY 1")]
        heads = {t: (int(s), h) for t, s, h in conn.execute("SELECT tenant_id, seq, hash FROM audit_heads")}
    missing = sorted(set(tenants or []) - set(known))
    if missing:
        raise ValueError(f"tenant: no tenant {', '.join(map(repr, missing))}")
    checks: list[TenantCheck] = []
    for tenant in tenants or known:
        with db.tenant(tenant) as conn:
            check = check_in(conn, key, file_rows)
        head = heads.get(tenant)
        if not check.problems and head is not None and head[0] != check.anchor_seq:
            check.signed = Checkpoint.signed(key, tenant, head[0], head[1], at)
        checks.append(check)
    fresh = [c.signed for c in checks if c.signed is not None]
    if fresh:
        _append(checkpoint_file(settings), fresh)
        with db.admin() as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO audit_checkpoints (tenant_id, seq, hash, at, mac) VALUES (%s, %s, %s, %s, %s)",
                [(c.tenant, c.seq, c.hash, c.at, c.mac) for c in fresh],
            )
        if settings.audit.webhook_url:
            _post(settings.audit.webhook_url, fresh, settings.audit.timeout_s)
    return checks


def _append(path: Path, checkpoints: list[Checkpoint]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write("".join(c.model_dump_json() + "\n" for c in checkpoints))
        f.flush()
        os.fsync(f.fileno())


def _post(url: str, checkpoints: list[Checkpoint], timeout_s: float) -> None:
    body = {"checkpoints": [c.model_dump(mode="json") for c in checkpoints]}
    try:
        httpx.post(url, json=body, timeout=timeout_s).raise_for_status()
    except httpx.HTTPError as exc:
        raise CheckpointExportError(f"checkpoint webhook {url} failed: {exc}") from exc
