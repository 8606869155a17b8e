"""Per-tenant policies: versioned rows in tenant_policies, the demo policy shipped as YAML in the package.

A tenant without a stored policy gets the packaged demo policy, so no tenant ever runs without one.
Storing validates first; a bad document never replaces the active one.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.policy.schema import Policy, PolicyError, parse_policy, parse_policy_yaml

DEMO_POLICY_FILE = "demo_policy.yaml"


def demo_policy() -> Policy:
    text = (resources.files("hyperjourney.policy") / DEMO_POLICY_FILE).read_text(encoding="utf-8")
    return parse_policy_yaml(text, source=DEMO_POLICY_FILE)


def active_policy(conn: psycopg.Connection[Any]) -> Policy:
    """The bound tenant's active policy (the packaged default when none is stored)."""
    row = conn.execute("SELECT version, document FROM tenant_policies WHERE active").fetchone()
    if row is None:
        return demo_policy()
    return parse_policy(row[1], source=f"stored policy {row[0]}")


def load_policy(db: Database, tenant: str) -> Policy:
    with db.tenant(tenant) as conn:
        return active_policy(conn)


def store_policy(db: Database, tenant: str, yaml_text: str, *, source: str, actor: str = "cli") -> Policy:
    """Validate and activate a new policy version; the previous version stays, inactive, for replay."""
    policy = parse_policy_yaml(yaml_text, source=source)
    with db.tenant(tenant) as conn:
        exists = conn.execute("SELECT 1 FROM tenant_policies WHERE version = %s", (policy.version,)).fetchone()
        if exists is not None:
            raise PolicyError(f"{source}: version {policy.version!r} already exists; bump `version` for a change")
        conn.execute("UPDATE tenant_policies SET active = false WHERE active")
        conn.execute(
            "INSERT INTO tenant_policies (version, document, source) VALUES (%s, %s, %s)",
            (policy.version, Jsonb(policy.model_dump(mode="json")), source),
        )
        audit.append(conn, actor=actor, action="policy_activate", entity=policy.version, payload={"source": source})
    return policy
