"""What a tenant holds, at a glance: counts, merges, consent coverage and freshness."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from pydantic import BaseModel


class Freshness(BaseModel):
    dataset: str
    latest: datetime | None


class TenantSummary(BaseModel):
    tenant: str
    counts: dict[str, int]
    profiles_merged: int
    consent_coverage: dict[str, float]
    freshness: list[Freshness]


# Label -> table. Documents are the knowledge base's (kb_documents, what `kb ingest` writes and agents cite);
# the core schema's older `documents` table is never written.
_COUNTED = {
    "customers": "customers",
    "identities": "identities",
    "consents": "consents",
    "events": "events",
    "products": "products",
    "orders": "orders",
    "order_lines": "order_lines",
    "returns": "returns",
    "tickets": "tickets",
    "messages": "messages",
    "documents": "kb_documents",
    "knowledge chunks": "kb_chunks",
    "audit_log": "audit_log",
}


def summarize(conn: psycopg.Connection[Any], tenant: str) -> TenantSummary:
    counts: dict[str, int] = {}
    for label, table in _COUNTED.items():
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        counts[label] = int(row[0]) if row else 0
    merged_row = conn.execute("SELECT count(*) FROM customers WHERE merged_into IS NOT NULL").fetchone()
    coverage: dict[str, float] = {}
    unique = counts["customers"] - (int(merged_row[0]) if merged_row else 0)
    for channel, share in conn.execute(
        "SELECT channel, count(DISTINCT customer_id) FROM current_consents "
        "WHERE purpose = 'marketing' AND status = 'granted' GROUP BY channel ORDER BY channel"
    ):
        coverage[channel] = round(share / unique, 4) if unique else 0.0
    freshness = [
        Freshness(dataset=name, latest=conn.execute(sql).fetchone()[0])  # type: ignore[index]
        for name, sql in (
            ("events", "SELECT max(ts) FROM events"),
            ("orders", "SELECT max(ordered_at) FROM orders"),
            ("tickets", "SELECT max(updated_at) FROM tickets"),
            ("consents", "SELECT max(captured_at) FROM consents"),
        )
    ]
    return TenantSummary(
        tenant=tenant,
        counts=counts,
        profiles_merged=int(merged_row[0]) if merged_row else 0,
        consent_coverage=coverage,
        freshness=freshness,
    )
