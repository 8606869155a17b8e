"""CRM lead records: one JSON-schema'd record per customer, validated before it is written, revised on update.

The schema is the contract with the CRM webhook that receives the same record; a record that breaks it is
refused with the failing field named, and nothing is written."""

from __future__ import annotations

from typing import Any

import psycopg
from jsonschema import Draft202012Validator
from psycopg.types.json import Jsonb

from hyperjourney.conversations.models import Lead

SCHEMA_VERSION = 1
LEAD_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "hyperjourney lead v1",
    "type": "object",
    "required": ["customer_id", "stage", "source"],
    "additionalProperties": False,
    "properties": {
        "customer_id": {"type": "string", "minLength": 1},
        "email": {"type": ["string", "null"], "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"},
        "stage": {"enum": ["new", "qualified", "meeting_booked", "trial", "customer"]},
        "intent": {"type": ["string", "null"]},
        "traits": {"type": "object", "additionalProperties": {"type": "string"}},
        "source": {"const": "assistant"},
        "conversation_id": {"type": ["string", "null"]},
        "meeting_id": {"type": ["string", "null"]},
    },
}
_VALIDATOR = Draft202012Validator(LEAD_SCHEMA)


class LeadSchemaError(ValueError):
    """The record breaks the lead schema; the message names the field."""


def validate_lead(record: dict[str, Any]) -> None:
    errors = sorted(_VALIDATOR.iter_errors(record), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = ".".join(str(p) for p in first.absolute_path) or "record"
        raise LeadSchemaError(f"lead {where}: {first.message}")


def upsert_lead(conn: psycopg.Connection[Any], record: dict[str, Any]) -> Lead:
    """Write the record (merged over the stored one: traits add up, later fields win); validated first."""
    customer_id = str(record.get("customer_id", ""))
    row = conn.execute("SELECT record FROM leads WHERE customer_id = %s FOR UPDATE", (customer_id,)).fetchone()
    merged = dict(row[0]) if row else {}
    traits = {**merged.get("traits", {}), **record.get("traits", {})}
    merged.update({k: v for k, v in record.items() if v is not None})
    if traits:
        merged["traits"] = traits
    validate_lead(merged)
    saved = conn.execute(
        "INSERT INTO leads (customer_id, record, schema_version) VALUES (%s, %s, %s) "
        "ON CONFLICT (tenant_id, customer_id) DO UPDATE SET record = EXCLUDED.record, "
        "schema_version = EXCLUDED.schema_version, revision = leads.revision + 1, updated_at = now() "
        "RETURNING revision",
        (customer_id, Jsonb(merged), SCHEMA_VERSION),
    ).fetchone()
    assert saved is not None
    return Lead(customer_id=customer_id, record=merged, schema_version=SCHEMA_VERSION, revision=int(saved[0]))
