"""Versioned model artifacts in Postgres: one active version per model name, loaded by the scoring path."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from hyperjourney.data import audit


class ModelVersion(BaseModel):
    name: str
    version: int
    kind: str
    trained_at: datetime
    training_window: dict[str, Any]
    feature_versions: dict[str, Any]
    metrics: dict[str, Any]
    active: bool
    artifact: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        return f"{self.name}@v{self.version}"


def save(
    conn: psycopg.Connection[Any],
    *,
    name: str,
    kind: str,
    artifact: dict[str, Any],
    metrics: dict[str, Any],
    training_window: dict[str, Any],
    feature_versions: dict[str, Any],
    activate: bool = True,
) -> int:
    """Store a new version (next number for the name); activating it retires the previous active one.

    NaN and infinities (a metric on an empty window) are stored as null: JSON has no NaN.
    """
    artifact, metrics, training_window = finite(artifact), finite(metrics), finite(training_window)
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('models:' || current_tenant() || ':' || %s))", (name,))
    row = conn.execute("SELECT coalesce(max(version), 0) + 1 FROM model_versions WHERE name = %s", (name,)).fetchone()
    assert row is not None
    version = int(row[0])
    if activate:
        conn.execute("UPDATE model_versions SET active = false WHERE name = %s AND active", (name,))
    conn.execute(
        "INSERT INTO model_versions "
        "(name, version, kind, training_window, feature_versions, metrics, artifact, active) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            name,
            version,
            kind,
            Jsonb(training_window),
            Jsonb(feature_versions),
            Jsonb(metrics),
            Jsonb(artifact),
            activate,
        ),
    )
    audit.append(
        conn,
        actor="scoring",
        action="model_trained",
        entity=f"{name}@v{version}",
        payload={"active": activate, "window": training_window},
    )
    return version


def finite(value: Any) -> Any:
    """The same structure with every non-finite float replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


_COLUMNS = "name, version, kind, trained_at, training_window, feature_versions, metrics, active"


def list_versions(conn: psycopg.Connection[Any]) -> list[ModelVersion]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(f"SELECT {_COLUMNS} FROM model_versions ORDER BY name, version DESC").fetchall()
    return [ModelVersion(**r) for r in rows]


def get(conn: psycopg.Connection[Any], name: str, version: int | None = None) -> ModelVersion | None:
    """One version with its artifact; without a version number, the active one."""
    where = "name = %s AND version = %s" if version is not None else "name = %s AND active"
    params: tuple[Any, ...] = (name, version) if version is not None else (name,)
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"SELECT {_COLUMNS}, artifact FROM model_versions WHERE {where}", params).fetchone()
    return None if row is None else ModelVersion(**row)


def active_versions(conn: psycopg.Connection[Any]) -> dict[str, int]:
    return {name: int(v) for name, v in conn.execute("SELECT name, version FROM model_versions WHERE active")}


def activate(conn: psycopg.Connection[Any], name: str, version: int) -> None:
    """Make one stored version the active one (roll back or forward)."""
    if get(conn, name, version) is None:
        raise ValueError(f"model {name!r} has no version {version}")
    conn.execute("UPDATE model_versions SET active = false WHERE name = %s AND active", (name,))
    conn.execute("UPDATE model_versions SET active = true WHERE name = %s AND version = %s", (name, version))
    audit.append(conn, actor="scoring", action="model_activated", entity=f"{name}@v{version}")
