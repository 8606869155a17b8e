"""The tenant's knowledge chunks as a llama-index vector store, so its indexes, retrievers and evaluators run on them.

``TenantVectorStore`` subclasses llama-index's ``BasePydanticVectorStore`` over the existing ``kb_chunks`` and
``kb_documents`` tables: every call takes a tenant-bound connection, so row-level security (not this class) keeps
tenants apart, exactly as for the SQL hybrid search. A node is one chunk; its id is the chunk's citation id
(``document_id#chunk_index``) and its ``ref_doc_id`` the document id. ``query`` serves llama-index's default
(pgvector cosine) and ``text_search`` (Postgres full text) modes, so ``VectorStoreIndex.from_vector_store`` gives a
vector retriever and a keyword retriever that ``QueryFusionRetriever`` can fuse. ``add`` validates every node
before it writes and writes all of them in one transaction; ``add`` and ``delete`` bump the knowledge version
(cached SQL searches stop matching) and are audited like ``kb ingest``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import psycopg
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import BaseNode, NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.types import (
    BasePydanticVectorStore,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
    VectorStoreQueryMode,
    VectorStoreQueryResult,
)
from pydantic import PrivateAttr

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.knowledge import store
from hyperjourney.knowledge.embedder import DIMENSIONS, Embedder, to_pgvector
from hyperjourney.knowledge.models import KnowledgeError
from hyperjourney.knowledge.search import Reader, tsquery_sql

FILTER_COLUMNS = ("document_id", "doc_type", "region", "language", "audience")
"""Metadata keys a query may filter on (equality or ``in``); any other key is refused, not ignored."""
REQUIRED_METADATA = ("chunk_index", "title", "doc_type", "updated_at")
"""What ``add`` needs on each node besides its text, embedding and source document."""
_COLUMNS = (
    "c.document_id, c.chunk_index, c.title, c.section, c.doc_type, c.region, c.language, c.version, c.updated_at, "
    "c.audience, c.text"
)


class LlamaEmbedding(BaseEmbedding):
    """The project's embedder (offline MiniLM or the configured endpoint) behind llama-index's embedding interface,
    so an index queries with the same vectors the chunks were stored with."""

    _embedder: Embedder = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.name, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(x) for x in self._embedder.embed([query])[0]]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_query_embedding(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in self._embedder.embed(texts)]


class TenantVectorStore(BasePydanticVectorStore):
    """One tenant's knowledge chunks for one reader (``customer`` sees customer documents only, ``internal`` all)."""

    stores_text: bool = True
    tenant: str
    audience: Reader = "customer"
    embedding_model: str
    """Recorded on documents ``add`` creates; queries refuse a knowledge base embedded by another model."""
    _db: Database = PrivateAttr()

    def __init__(self, db: Database, tenant: str, *, embedding_model: str, audience: Reader = "customer") -> None:
        if audience not in ("customer", "internal"):
            raise KnowledgeError(f"unknown audience {audience!r}; choose customer or internal")
        super().__init__(stores_text=True, tenant=tenant, audience=audience, embedding_model=embedding_model)
        self._db = db

    @classmethod
    def class_name(cls) -> str:
        return "TenantVectorStore"

    @property
    def client(self) -> Database:
        return self._db

    # -- reading -------------------------------------------------------------------------------------------------

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """The ``similarity_top_k`` best chunks: by cosine similarity (default mode) or full-text rank
        (``text_search``), after the reader's audience, ``doc_ids``/``node_ids`` and metadata filters."""
        if query.similarity_top_k < 1:
            raise KnowledgeError(f"similarity_top_k must be at least 1, got {query.similarity_top_k}")
        where, params = self._where(query)
        with self._db.tenant(self.tenant) as conn:
            if query.mode == VectorStoreQueryMode.TEXT_SEARCH:
                rows = self._keyword(conn, query, where, params)
            elif query.mode == VectorStoreQueryMode.DEFAULT:
                rows = self._nearest(conn, query, where, params)
            else:
                raise KnowledgeError(f"query mode {query.mode.value!r} is not served; use 'default' or 'text_search'")
        nodes = [_node(r[:-1]) for r in rows]
        return VectorStoreQueryResult(
            nodes=list(nodes), similarities=[float(r[-1]) for r in rows], ids=[n.node_id for n in nodes]
        )

    def get_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **kwargs: Any
    ) -> list[BaseNode]:
        """The chunks with these citation ids (and/or matching ``filters``), in the order asked for."""
        if node_ids is None and filters is None:
            raise KnowledgeError("get_nodes needs node_ids or filters")
        where, params = self._where(VectorStoreQuery(node_ids=node_ids, filters=filters))
        with self._db.tenant(self.tenant) as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM kb_chunks c WHERE true{where} ORDER BY c.document_id, c.chunk_index", params
            ).fetchall()
        nodes: list[BaseNode] = [_node(r) for r in rows]
        if node_ids is not None:
            order = {nid: i for i, nid in enumerate(node_ids)}
            nodes.sort(key=lambda n: order[n.node_id])
        return nodes

    def _where(self, query: VectorStoreQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.audience == "customer":
            clauses.append("c.audience = 'customer'")
        # an empty id list means no restriction, as llama-index's own index passes one when it holds no nodes
        if query.doc_ids:
            clauses.append("c.document_id = ANY(%s)")
            params.append(list(query.doc_ids))
        if query.node_ids:
            keys = [_split_id(n) for n in query.node_ids]
            clauses.append("(c.document_id, c.chunk_index) IN (SELECT * FROM unnest(%s::text[], %s::int[]))")
            params += [[d for d, _ in keys], [i for _, i in keys]]
        if query.filters is not None:
            clause, more = _filter_sql(query.filters)
            clauses.append(clause)
            params += more
        return ("".join(f" AND {c}" for c in clauses), params)

    def _nearest(
        self, conn: psycopg.Connection[Any], query: VectorStoreQuery, where: str, params: list[Any]
    ) -> list[tuple[Any, ...]]:
        if query.query_embedding is None or len(query.query_embedding) != DIMENSIONS:
            got = "none" if query.query_embedding is None else f"{len(query.query_embedding)} dimensions"
            raise KnowledgeError(f"a vector query needs a {DIMENSIONS}-dimension query_embedding, got {got}")
        self._check_model(conn)
        vector = to_pgvector(np.asarray(query.query_embedding, dtype=np.float32))
        # Exact order (``+ 0`` keeps the planner off the approximate index): top-k stays right under any filter.
        sql = (
            f"SELECT {_COLUMNS}, 1 - (c.embedding <=> %s::vector) FROM kb_chunks c WHERE true{where} "
            "ORDER BY (c.embedding <=> %s::vector) + 0, c.document_id, c.chunk_index LIMIT %s"
        )
        return [tuple(r) for r in conn.execute(sql, [vector, *params, vector, query.similarity_top_k]).fetchall()]

    def _keyword(
        self, conn: psycopg.Connection[Any], query: VectorStoreQuery, where: str, params: list[Any]
    ) -> list[tuple[Any, ...]]:
        if not (query.query_str or "").strip():
            raise KnowledgeError("a text_search query needs query_str")
        languages = [r[0] for r in conn.execute("SELECT DISTINCT language FROM kb_documents").fetchall()]
        tsq, langs = tsquery_sql(languages)
        sql = (
            f"WITH q AS (SELECT {tsq} AS tsq) SELECT {_COLUMNS}, ts_rank(c.tsv, q.tsq) FROM kb_chunks c, q "
            f"WHERE c.tsv @@ q.tsq{where} ORDER BY 12 DESC, c.document_id, c.chunk_index LIMIT %s"
        )  # column 12: the rank, after the 11 of _COLUMNS
        tsq_params = [x for lang in langs for x in (lang, query.query_str)]
        return [tuple(r) for r in conn.execute(sql, [*tsq_params, *params, query.similarity_top_k]).fetchall()]

    def _check_model(self, conn: psycopg.Connection[Any]) -> None:
        models = {r[0] for r in conn.execute("SELECT DISTINCT embedding_model FROM kb_documents").fetchall()}
        if models - {self.embedding_model}:
            raise KnowledgeError(
                f"the knowledge base was embedded with {', '.join(sorted(models))} but this store queries with "
                f"{self.embedding_model}; run `hyperjourney kb ingest PATH` again to re-embed it"
            )

    # -- writing -------------------------------------------------------------------------------------------------

    def add(self, nodes: Sequence[BaseNode], **add_kwargs: Any) -> list[str]:
        """Store chunks (upsert by citation id), creating their documents when new; all or nothing.

        Each node needs text, a ``DIMENSIONS``-float embedding, a source document (``ref_doc_id``) and the metadata
        in ``REQUIRED_METADATA``; ``section``, ``region``, ``language``, ``version`` and ``audience`` default as
        in ``kb ingest``. Returns the citation ids."""
        rows = [_chunk_row(n, i) for i, n in enumerate(nodes)]  # validate every node before writing any
        if not rows:
            return []
        by_doc: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_doc.setdefault(row["document_id"], []).append(row)
        with self._db.tenant(self.tenant) as conn:
            for document_id, chunks in by_doc.items():
                self._upsert_document(conn, document_id, chunks)
            conn.cursor().executemany(
                "INSERT INTO kb_chunks (document_id, chunk_index, section, text, content_hash, doc_type, title, "
                "region, language, version, updated_at, audience, embedding) VALUES (%(document_id)s, %(chunk_index)s, "
                "%(section)s, %(text)s, %(content_hash)s, %(doc_type)s, %(title)s, %(region)s, %(language)s, "
                "%(version)s, %(updated_at)s, %(audience)s, %(embedding)s::vector) "
                "ON CONFLICT (tenant_id, document_id, chunk_index) DO UPDATE SET section = EXCLUDED.section, "
                "text = EXCLUDED.text, content_hash = EXCLUDED.content_hash, embedding = EXCLUDED.embedding",
                rows,
            )
            _recount(conn, list(by_doc))
            store.bump_version(conn)
            audit.append(
                conn,
                actor="kb",
                action="kb_nodes_added",
                entity=",".join(sorted(by_doc)),
                payload={"chunks": len(rows)},
            )
        return [f"{r['document_id']}#{r['chunk_index']}" for r in rows]

    def _upsert_document(self, conn: psycopg.Connection[Any], document_id: str, chunks: list[dict[str, Any]]) -> None:
        first = chunks[0]
        digest = hashlib.sha256("".join(c["content_hash"] for c in chunks).encode()).hexdigest()[:16]
        conn.execute(
            "INSERT INTO kb_documents (document_id, source, doc_type, title, region, language, version, "
            "content_hash, embedding_model, chunk_count, updated_at, audience) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 0, %s, %s) "
            "ON CONFLICT (tenant_id, document_id) DO NOTHING",
            (
                document_id, f"llama-index:{document_id}", first["doc_type"], first["title"], first["region"],
                first["language"], first["version"], digest, self.embedding_model, first["updated_at"],
                first["audience"],
            ),
        )  # fmt: skip

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Delete a document and (by cascade) its chunks and facts; another tenant's document is not visible here,
        so deleting its id changes nothing."""
        with self._db.tenant(self.tenant) as conn:
            if conn.execute("SELECT 1 FROM kb_documents WHERE document_id = %s", (ref_doc_id,)).fetchone() is None:
                return
            chunks = store.delete_document(conn, ref_doc_id)
            store.bump_version(conn)
            audit.append(conn, actor="kb", action="kb_document_delete", entity=ref_doc_id, payload={"chunks": chunks})

    def delete_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **delete_kwargs: Any
    ) -> None:
        """Delete single chunks by citation id (their documents stay, with the chunk count updated)."""
        if not node_ids:
            raise KnowledgeError("delete_nodes needs the citation ids of the chunks to delete")
        keys = [_split_id(n) for n in node_ids]
        with self._db.tenant(self.tenant) as conn:
            gone = conn.execute(
                "DELETE FROM kb_chunks WHERE (document_id, chunk_index) IN "
                "(SELECT * FROM unnest(%s::text[], %s::int[])) RETURNING document_id",
                ([d for d, _ in keys], [i for _, i in keys]),
            ).fetchall()
            docs = sorted({r[0] for r in gone})
            _recount(conn, docs)
            if gone:
                store.bump_version(conn)
                audit.append(
                    conn, actor="kb", action="kb_nodes_deleted", entity=",".join(docs), payload={"chunks": len(gone)}
                )


def _recount(conn: psycopg.Connection[Any], documents: list[str]) -> None:
    conn.execute(
        "UPDATE kb_documents d SET chunk_count = (SELECT count(*) FROM kb_chunks c "
        "WHERE c.tenant_id = d.tenant_id AND c.document_id = d.document_id) WHERE d.document_id = ANY(%s)",
        (documents,),
    )


def _split_id(node_id: str) -> tuple[str, int]:
    document_id, sep, index = node_id.rpartition("#")
    if not sep or not document_id or not index.isdigit():
        raise KnowledgeError(f"node id {node_id!r} is not a citation id (document_id#chunk_index)")
    return document_id, int(index)


def _filter_sql(filters: MetadataFilters) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for f in filters.filters:
        if isinstance(f, MetadataFilters):
            clause, more = _filter_sql(f)
            parts.append(clause)
            params += more
            continue
        if not isinstance(f, MetadataFilter) or f.key not in FILTER_COLUMNS:
            key = getattr(f, "key", type(f).__name__)
            raise KnowledgeError(f"cannot filter on {key!r}; filterable keys: {', '.join(FILTER_COLUMNS)}")
        if f.operator == FilterOperator.EQ:
            parts.append(f"c.{f.key} = %s")
            params.append(f.value)
        elif f.operator == FilterOperator.IN and isinstance(f.value, list):
            parts.append(f"c.{f.key} = ANY(%s)")
            params.append(list(f.value))
        else:
            raise KnowledgeError(f"filter on {f.key!r}: operator {f.operator.value!r} is not served; use '==' or 'in'")
    if not parts:
        return "true", []
    joiner = " OR " if filters.condition is not None and filters.condition.value == "or" else " AND "
    return "(" + joiner.join(parts) + ")", params


def _chunk_row(node: BaseNode, position: int) -> dict[str, Any]:
    """One node as a ``kb_chunks`` row, or a KnowledgeError naming the node and the field that is missing or bad."""
    where = f"node {position} ({node.node_id})"
    meta = node.metadata
    missing = [k for k in REQUIRED_METADATA if meta.get(k) in (None, "")]
    if missing:
        raise KnowledgeError(f"{where}: metadata {', '.join(missing)} missing")
    if not node.ref_doc_id:
        raise KnowledgeError(f"{where}: no source document (set its SOURCE relationship or ref_doc_id)")
    embedding = node.get_embedding() if node.embedding is not None else None
    if embedding is None or len(embedding) != DIMENSIONS:
        raise KnowledgeError(f"{where}: embedding must have {DIMENSIONS} dimensions")
    text = node.get_content()
    if not text.strip():
        raise KnowledgeError(f"{where}: text is empty")
    audience = meta.get("audience", "customer")
    if audience not in ("customer", "internal"):
        raise KnowledgeError(f"{where}: metadata audience must be customer or internal, got {audience!r}")
    try:
        index = int(meta["chunk_index"])
        updated = meta["updated_at"]
        updated_at = updated if isinstance(updated, datetime) else datetime.fromisoformat(str(updated))
        version = int(meta.get("version", 1))
    except (TypeError, ValueError) as exc:
        raise KnowledgeError(f"{where}: bad metadata: {exc}") from exc
    return {
        "document_id": node.ref_doc_id, "chunk_index": index, "section": str(meta.get("section", "")), "text": text,
        "content_hash": hashlib.sha256(text.encode()).hexdigest()[:16], "doc_type": str(meta["doc_type"]),
        "title": str(meta["title"]), "region": str(meta.get("region", "global")),
        "language": str(meta.get("language", "en")), "version": version, "updated_at": updated_at,
        "audience": audience, "embedding": to_pgvector(np.asarray(embedding, dtype=np.float32)),
    }  # fmt: skip


def _node(row: Sequence[Any]) -> TextNode:
    document_id, index, title, section, doc_type, region, language, version, updated_at, audience, text = row
    return TextNode(
        id_=f"{document_id}#{index}",
        text=text,
        metadata={
            "document_id": document_id,
            "chunk_index": index,
            "title": title,
            "section": section,
            "doc_type": doc_type,
            "region": region,
            "language": language,
            "version": version,
            "updated_at": updated_at.isoformat(),
            "audience": audience,
        },
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=document_id)},
    )
