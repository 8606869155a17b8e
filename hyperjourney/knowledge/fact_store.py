"""SQL for the fact store; every function runs on a tenant-bound connection (RLS does the scoping)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from hyperjourney.knowledge.facts import Fact

_COLUMNS = (
    "f.document_id, f.fact_index, f.chunk_index, f.kind, f.products, f.doc_type, f.title, f.section, f.region, "
    "f.language, f.audience, f.doc_version, f.updated_at, f.text, f.detail"
)


class FactFilter(BaseModel):
    """Which facts to read; ``None`` leaves a dimension open."""

    kinds: list[str] | None = None
    document_id: str | None = None
    audience: str | None = None
    products: list[str] | None = None
    """Facts about any of these product lines, or about none in particular."""
    languages: list[str] | None = None
    document_ids: list[str] | None = None


class FactWithSource(BaseModel):
    """A fact and the text of the chunk it cites (what a guardrail checks a claim built on it against)."""

    fact: Fact
    chunk_text: str


def replace_facts(conn: psycopg.Connection[Any], document_id: str, facts: Sequence[Fact]) -> None:
    """Swap a document's facts for ``facts`` (the caller's transaction makes it atomic with its chunks)."""
    conn.execute("DELETE FROM kb_facts WHERE document_id = %s", (document_id,))
    conn.cursor().executemany(
        "INSERT INTO kb_facts (document_id, fact_index, chunk_index, kind, products, doc_type, title, section, "
        "region, language, audience, doc_version, updated_at, text, detail) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            (
                f.document_id,
                f.fact_index,
                f.chunk_index,
                f.kind,
                f.products,
                f.doc_type,
                f.title,
                f.section,
                f.region,
                f.language,
                f.audience,
                f.doc_version,
                f.updated_at,
                f.text,
                Jsonb(f.detail.model_dump(mode="json")),
            )
            for f in facts
        ],
    )


def _where(flt: FactFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if flt.kinds is not None:
        clauses.append("f.kind = ANY(%s)")
        params.append(flt.kinds)
    if flt.document_id is not None:
        clauses.append("f.document_id = %s")
        params.append(flt.document_id)
    if flt.document_ids is not None:
        clauses.append("f.document_id = ANY(%s)")
        params.append(flt.document_ids)
    if flt.audience is not None:
        clauses.append("f.audience = %s")
        params.append(flt.audience)
    if flt.products is not None:
        clauses.append("(f.products && %s::text[] OR f.products = '{}')")
        params.append(flt.products)
    if flt.languages is not None:
        clauses.append("f.language = ANY(%s)")
        params.append(flt.languages)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _fact(row: Sequence[Any]) -> Fact:
    keys = ("document_id", "fact_index", "chunk_index", "kind", "products", "doc_type", "title", "section", "region",
            "language", "audience", "doc_version", "updated_at", "text", "detail")  # fmt: skip
    return Fact.model_validate(dict(zip(keys, row, strict=True)))


def list_facts(conn: psycopg.Connection[Any], flt: FactFilter | None = None) -> list[Fact]:
    where, params = _where(flt or FactFilter())
    rows = conn.execute(f"SELECT {_COLUMNS} FROM kb_facts f{where} ORDER BY f.document_id, f.fact_index", params)
    return [_fact(r) for r in rows]


def facts_with_sources(conn: psycopg.Connection[Any], flt: FactFilter) -> list[FactWithSource]:
    """Facts with the text of the chunk each cites, in document order."""
    where, params = _where(flt)
    rows = conn.execute(
        f"SELECT {_COLUMNS}, c.text FROM kb_facts f JOIN kb_chunks c "
        f"ON c.tenant_id = f.tenant_id AND c.document_id = f.document_id AND c.chunk_index = f.chunk_index{where} "
        "ORDER BY f.document_id, f.fact_index",
        params,
    )
    return [FactWithSource(fact=_fact(r[:-1]), chunk_text=r[-1]) for r in rows]


def counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """Facts per kind."""
    return dict(conn.execute("SELECT kind, count(*) FROM kb_facts GROUP BY 1 ORDER BY 1").fetchall())
