"""Secret keys for redaction tokens: one per tenant in Postgres, one per installation for process logs.

Tokens are HMACs under these keys, so a guessed value (a phone number) cannot be checked against a token
without the key. A tenant's key is created on first use (32 random bytes, tenant_secrets under RLS; the
application may create it but never change or delete it) and is never logged or returned by any API.
Logs outside a tenant use the installation key: HYPERJOURNEY_REDACTION_KEY, or a file created once with
owner-only permissions under the home directory, or, where the home cannot be written (a read-only
container), one kept in Postgres that every instance shares.
"""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING, Any

from hyperjourney.db.errors import DatabaseError
from hyperjourney.db.secrets import installation_secret
from hyperjourney.keyfiles import key_file
from hyperjourney.settings import Settings, get_settings

if TYPE_CHECKING:  # the CLI installs log redaction for every command, so the driver loads only when a key needs it
    import psycopg

    from hyperjourney.db.database import Database

KEY_NAME = "redaction"
_tenant_keys: dict[str, bytes] = {}
_lock = threading.Lock()
_install_key: bytes | None = None


def tenant_key_in(conn: psycopg.Connection[Any]) -> bytes:
    """The bound tenant's key, created in this transaction if it has none yet.

    Only a key read back from a committed row is cached: a key created here is used for tokens written
    in the same transaction, so if that transaction rolls back, key and tokens vanish together."""
    row = conn.execute("SELECT current_setting('hyperjourney.tenant_id', true)").fetchone()
    tenant = str(row[0]) if row and row[0] else ""
    if not tenant:  # an admin connection sees every tenant's secrets: never pick one by accident
        raise ValueError("tenant redaction keys need a tenant-bound connection (db.tenant)")
    if tenant in _tenant_keys:
        return _tenant_keys[tenant]
    found = conn.execute("SELECT secret FROM tenant_secrets WHERE name = %s", (KEY_NAME,)).fetchone()
    if found is not None:
        key = bytes(found[0])
        with _lock:
            _tenant_keys[tenant] = key
        return key
    conn.execute(
        "INSERT INTO tenant_secrets (name, secret) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (KEY_NAME, secrets.token_bytes(32)),
    )
    made = conn.execute("SELECT secret FROM tenant_secrets WHERE name = %s", (KEY_NAME,)).fetchone()
    assert made is not None
    return bytes(made[0])


def tenant_key(db: Database, tenant: str) -> bytes:
    """The tenant's key from its own committed transaction (for callers that hold no connection)."""
    if tenant in _tenant_keys:
        return _tenant_keys[tenant]
    with db.tenant(tenant) as conn:
        key = tenant_key_in(conn)
    with _lock:
        _tenant_keys[tenant] = key
    return key


def install_key() -> bytes:
    """The installation's key for log lines that belong to no tenant."""
    global _install_key
    if _install_key is not None:
        return _install_key
    with _lock:
        if _install_key is None:
            settings = get_settings()
            if settings.redaction_key is not None:
                _install_key = settings.redaction_key.get_secret_value().encode()
            else:
                try:
                    _install_key = key_file(settings.home_dir / "secrets" / "redaction.key")
                except (OSError, ValueError):  # no writable home: the installation's key in Postgres
                    _install_key = _from_database(settings)
    return _install_key


def _from_database(settings: Settings) -> bytes:
    import psycopg

    try:
        return installation_secret(settings, KEY_NAME)
    except (psycopg.Error, DatabaseError):  # no database either: a key for this process (logging must not fail)
        return secrets.token_bytes(32)


def forget_cached_keys() -> None:
    """Drop cached keys (tests; a process that must re-read its keys)."""
    global _install_key
    with _lock:
        _tenant_keys.clear()
        _install_key = None
