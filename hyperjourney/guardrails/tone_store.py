"""A tenant's versioned tone policy in Postgres: each save is a new version, exactly one is active.

Read by the Tone agent (through its toolbox) and by the copilot eval, so both use the same version; a tenant that
stored none gets the packaged default (`tone_policy.DEFAULT`).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from pydantic import ValidationError

from hyperjourney.data import audit
from hyperjourney.guardrails.tone_policy import DEFAULT, TonePolicy


class TonePolicyError(ValueError):
    """A tone policy document that cannot be stored; names the field that is wrong."""


def active_tone_policy(conn: psycopg.Connection[Any]) -> TonePolicy:
    row = conn.execute("SELECT version, document FROM tone_policies WHERE active").fetchone()
    if row is None:
        return DEFAULT
    return TonePolicy.model_validate(dict(row[1]) | {"version": int(row[0])})


def save_tone_policy(conn: psycopg.Connection[Any], document: dict[str, Any], *, actor: str) -> TonePolicy:
    """Validate, then store as the next version and make it the active one, in the caller's transaction."""
    latest = conn.execute("SELECT coalesce(max(version), 0) FROM tone_policies").fetchone()
    version = max(int(latest[0]) if latest else 0, DEFAULT.version) + 1
    try:
        policy = TonePolicy.model_validate({k: v for k, v in document.items() if k != "version"} | {"version": version})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise TonePolicyError(f"tone policy: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from exc
    conn.execute("UPDATE tone_policies SET active = false WHERE active")
    conn.execute(
        "INSERT INTO tone_policies (version, document) VALUES (%s, %s)",
        (version, Jsonb(policy.model_dump(mode="json", exclude={"version"}))),
    )
    audit.append(conn, actor=actor, action="tone_policy_saved", entity=f"tone_policy:{version}", payload={})
    return policy
