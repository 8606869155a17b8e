"""Per-tenant API keys: shown once at creation, stored only as a hash, revocable.

A key looks like ``hj_<key id>_<secret>``; the database keeps its SHA-256 (the secret has 256 bits of
entropy, so a slow hash adds nothing) and maps a presented key to its tenant through ``api_key_lookup``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import psycopg
from pydantic import BaseModel

from hyperjourney.data import audit
from hyperjourney.db.database import Database

Role = Literal["reviewer", "viewer", "widget"]  # widget: publishable, the assistant's routes only


class ApiKeyInfo(BaseModel):
    key_id: str
    name: str
    role: Role
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None = None


class KeyExpiredError(Exception):
    """A known, unrevoked key past its expiry: the caller is told so, not just 'unknown'."""

    def __init__(self, key_id: str, expired_at: datetime) -> None:
        super().__init__(f"API key {key_id} expired at {expired_at:%Y-%m-%d %H:%M:%S %Z}")
        self.key_id, self.expired_at = key_id, expired_at


class CreatedKey(BaseModel):
    info: ApiKeyInfo
    token: str


class Principal(BaseModel):
    """Who is calling: the tenant every query is bound to, and what the key may do."""

    tenant: str
    key_id: str
    role: Role


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_COLUMNS = "key_id, name, role, prefix, created_at, last_used_at, revoked_at, expires_at"


def _info(row: tuple[Any, ...]) -> ApiKeyInfo:
    return ApiKeyInfo(**dict(zip(_COLUMNS.split(", "), row, strict=True)))


def create_key(
    db: Database,
    tenant: str,
    name: str,
    role: Role = "reviewer",
    *,
    actor: str = "cli",
    expires_in: timedelta | None = None,
) -> CreatedKey:
    """A new key; with ``expires_in`` it answers 401 (saying it expired) from then on."""
    if expires_in is not None and expires_in <= timedelta(0):
        raise ValueError("expires_in: must be positive")
    key_id = secrets.token_hex(6)
    token = f"hj_{key_id}_{secrets.token_urlsafe(32)}"
    expires_at = datetime.now(UTC) + expires_in if expires_in is not None else None
    with db.tenant(tenant) as conn:
        row = conn.execute(
            f"INSERT INTO api_keys (key_id, name, role, key_hash, prefix, expires_at) VALUES (%s, %s, %s, %s, %s, %s) "
            f"RETURNING {_COLUMNS}",
            (key_id, name, role, hash_token(token), token[:12], expires_at),
        ).fetchone()
        assert row is not None
        payload = {"name": name, "role": role, "expires_at": expires_at.isoformat() if expires_at else None}
        audit.append(conn, actor=actor, action="apikey_create", entity=key_id, payload=payload)
    return CreatedKey(info=_info(row), token=token)


def list_keys(db: Database, tenant: str) -> list[ApiKeyInfo]:
    with db.tenant(tenant) as conn:
        return [_info(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM api_keys ORDER BY created_at, key_id")]


def revoke_key(db: Database, tenant: str, key_id: str, *, actor: str = "cli") -> bool:
    """Revoke a live key; False when the tenant has no such live key."""
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "UPDATE api_keys SET revoked_at = now() WHERE key_id = %s AND revoked_at IS NULL RETURNING 1", (key_id,)
        ).fetchone()
        if row is not None:
            audit.append(conn, actor=actor, action="apikey_revoke", entity=key_id)
    return row is not None


def authenticate(db: Database, token: str) -> Principal | None:
    """The principal a presented token stands for, or None for an unknown or revoked key; raises
    ``KeyExpiredError`` for a key past its expiry."""
    if not token.startswith("hj_") or len(token) > 200:
        return None
    with db.unbound() as conn:
        row = conn.execute(
            "SELECT tenant_id, key_id, role, expires_at, expires_at <= now() FROM api_key_lookup(%s)",
            (hash_token(token),),
        ).fetchone()
    if row is None:
        return None
    if row[4]:
        raise KeyExpiredError(row[1], row[3])
    principal = Principal(tenant=row[0], key_id=row[1], role=row[2])
    with db.tenant(principal.tenant) as conn:
        _touch(conn, principal.key_id)
    return principal


def _touch(conn: psycopg.Connection[Any], key_id: str) -> None:
    conn.execute(
        "UPDATE api_keys SET last_used_at = now() WHERE key_id = %s "
        "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
        (key_id,),
    )
