"""SQL for the knowledge tables; every function runs on a tenant-bound connection (RLS does the scoping)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from pydantic import BaseModel

from hyperjourney.knowledge.chunking import Chunk
from hyperjourney.knowledge.readers import ParsedDocument


class StoredDocument(BaseModel):
    document_id: str
    source: str
    content_hash: str
    embedding_model: str


class KbStatus(BaseModel):
    documents: int
    chunks: int
    cached_embeddings: int
    version: int
    last_ingest_at: datetime | None
    by_type: dict[str, int]
    by_language: dict[str, int]
    oldest_update: datetime | None
    newest_update: datetime | None


def stored_documents(conn: psycopg.Connection[Any]) -> dict[str, StoredDocument]:
    rows = conn.execute("SELECT document_id, source, content_hash, embedding_model FROM kb_documents").fetchall()
    return {r[0]: StoredDocument(document_id=r[0], source=r[1], content_hash=r[2], embedding_model=r[3]) for r in rows}


def kb_version(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT version FROM kb_state").fetchone()
    return int(row[0]) if row else 0


def bump_version(conn: psycopg.Connection[Any]) -> int:
    """Advance the tenant's knowledge version; cached retrievals keyed by the old version stop matching."""
    row = conn.execute(
        "INSERT INTO kb_state (version, last_ingest_at) VALUES (1, now()) "
        "ON CONFLICT (tenant_id) DO UPDATE SET version = kb_state.version + 1, last_ingest_at = now() "
        "RETURNING version"
    ).fetchone()
    assert row is not None
    return int(row[0])


def replace_document(
    conn: psycopg.Connection[Any], doc: ParsedDocument, chunks: list[Chunk], vectors: list[str], model: str
) -> None:
    """Upsert the document row and swap in its new chunks (the caller's transaction makes it atomic)."""
    conn.execute(
        "INSERT INTO kb_documents (document_id, source, doc_type, title, region, language, version, content_hash, "
        "embedding_model, chunk_count, updated_at, audience) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (tenant_id, document_id) DO UPDATE SET source = EXCLUDED.source, doc_type = EXCLUDED.doc_type, "
        "audience = EXCLUDED.audience, "
        "title = EXCLUDED.title, region = EXCLUDED.region, language = EXCLUDED.language, version = EXCLUDED.version, "
        "content_hash = EXCLUDED.content_hash, embedding_model = EXCLUDED.embedding_model, "
        "chunk_count = EXCLUDED.chunk_count, updated_at = EXCLUDED.updated_at, "
        "ingested_at = now()",
        (
            doc.document_id,
            doc.source,
            doc.doc_type,
            doc.title,
            doc.region,
            doc.language,
            doc.version,
            doc.content_hash,
            model,
            len(chunks),
            doc.updated_at,
            doc.audience,
        ),
    )
    conn.execute("DELETE FROM kb_chunks WHERE document_id = %s", (doc.document_id,))
    conn.cursor().executemany(
        "INSERT INTO kb_chunks (document_id, chunk_index, section, text, content_hash, doc_type, title, region, "
        "language, version, updated_at, audience, embedding) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::vector)",
        [
            (
                doc.document_id,
                c.index,
                c.section,
                c.text,
                c.content_hash,
                doc.doc_type,
                doc.title,
                doc.region,
                doc.language,
                doc.version,
                doc.updated_at,
                doc.audience,
                v,
            )
            for c, v in zip(chunks, vectors, strict=True)
        ],
    )


def move_source(conn: psycopg.Connection[Any], document_id: str, source: str) -> None:
    conn.execute("UPDATE kb_documents SET source = %s WHERE document_id = %s", (source, document_id))


def delete_document(conn: psycopg.Connection[Any], document_id: str) -> int:
    """Delete a document and (by cascade) its chunks; returns the number of chunks removed."""
    row = conn.execute(
        "DELETE FROM kb_documents WHERE document_id = %s RETURNING chunk_count", (document_id,)
    ).fetchone()
    return int(row[0]) if row else 0


def status(conn: psycopg.Connection[Any]) -> KbStatus:
    docs, oldest, newest = conn.execute(
        "SELECT count(*), min(updated_at), max(updated_at) FROM kb_documents"
    ).fetchone() or (0, None, None)
    chunks_row = conn.execute("SELECT count(*) FROM kb_chunks").fetchone()
    cache_row = conn.execute("SELECT count(*) FROM kb_embedding_cache").fetchone()
    state = conn.execute("SELECT version, last_ingest_at FROM kb_state").fetchone()
    by_type = dict(conn.execute("SELECT doc_type, count(*) FROM kb_documents GROUP BY 1 ORDER BY 1").fetchall())
    by_language = dict(conn.execute("SELECT language, count(*) FROM kb_documents GROUP BY 1 ORDER BY 1").fetchall())
    return KbStatus(
        documents=docs,
        chunks=chunks_row[0] if chunks_row else 0,
        cached_embeddings=cache_row[0] if cache_row else 0,
        version=state[0] if state else 0,
        last_ingest_at=state[1] if state else None,
        by_type=by_type,
        by_language=by_language,
        oldest_update=oldest,
        newest_update=newest,
    )
