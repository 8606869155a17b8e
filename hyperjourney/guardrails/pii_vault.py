"""Where redacted PII may be recovered: only in tenants that switched it on, under RLS.

`audit_redacted` is the audit append the guard, policy and review code use: the payload is redacted under
the tenant's key before it enters the hash chain; the mapping goes to pii_vault only if the tenant keeps it.
Tokens written before keyed redaction (8 hex digits, unkeyed) stay in the vault and are still revealed.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg

from hyperjourney.data import audit
from hyperjourney.guardrails.redaction import TOKEN_BODY, redact_payload
from hyperjourney.guardrails.redaction_keys import tenant_key_in

_TOKEN = re.compile(r"\[[A-Z]+_" + TOKEN_BODY + r"\]")


def keeps_mapping(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT keep_redaction_map FROM tenant_privacy").fetchone()
    return bool(row and row[0])


def set_keep_mapping(conn: psycopg.Connection[Any], keep: bool, *, actor: str) -> None:
    """Switch the vault on or off; switching off also deletes what was kept."""
    conn.execute(
        "INSERT INTO tenant_privacy (keep_redaction_map) VALUES (%s) "
        "ON CONFLICT (tenant_id) DO UPDATE SET keep_redaction_map = EXCLUDED.keep_redaction_map, updated_at = now()",
        (keep,),
    )
    if not keep:
        conn.execute("DELETE FROM pii_vault")
    audit.append(conn, actor=actor, action="privacy_redaction_map", payload={"keep": keep})


def store_mapping(conn: psycopg.Connection[Any], mapping: dict[str, str]) -> int:
    """Keep the mapping if the tenant allows it; returns how many tokens were stored."""
    if not mapping or not keeps_mapping(conn):
        return 0
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO pii_vault (token, original, kind) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [(t, v, t[1:].split("_", 1)[0].lower()) for t, v in mapping.items()],
        )
    return len(mapping)


def reveal(conn: psycopg.Connection[Any], text: str) -> str:
    """Put the originals back where this tenant kept them; unknown tokens stay redacted."""
    tokens = sorted(set(_TOKEN.findall(text)))
    if not tokens:
        return text
    found = dict(conn.execute("SELECT token, original FROM pii_vault WHERE token = ANY(%s)", (tokens,)).fetchall())
    return _TOKEN.sub(lambda m: found.get(m.group(), m.group()), text)


def audit_redacted(
    conn: psycopg.Connection[Any], *, actor: str, action: str, entity: str = "", payload: dict[str, Any] | None = None
) -> int:
    mapping: dict[str, str] = {}
    clean = redact_payload(payload or {}, mapping, key=tenant_key_in(conn))
    store_mapping(conn, mapping)
    return audit.append(conn, actor=actor, action=action, entity=entity, payload=clean)
