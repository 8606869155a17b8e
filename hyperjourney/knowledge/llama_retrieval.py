"""llama-index retrievers over a tenant's knowledge: a vector retriever and a reciprocal-rank fusion of it with a
full-text retriever, built with ``VectorStoreIndex.from_vector_store`` on :class:`TenantVectorStore`.

They exist beside the SQL hybrid search (``knowledge.search``), which stays the default: ``kb eval`` and
``make bench`` score both on the same golden set in the same run. Search filters map onto the store's metadata
filters (a region also matches ``global`` documents, as in the SQL search).
"""

from __future__ import annotations

from typing import Literal

from llama_index.core import VectorStoreIndex
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.llms.mock import MockLLM
from llama_index.core.retrievers import QueryFusionRetriever
from llama_index.core.retrievers.fusion_retriever import FUSION_MODES
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

from hyperjourney.db.database import Database
from hyperjourney.knowledge.embedder import Embedder
from hyperjourney.knowledge.llama_store import LlamaEmbedding, TenantVectorStore
from hyperjourney.knowledge.models import KnowledgeError, SearchFilters
from hyperjourney.knowledge.search import Reader

LlamaMode = Literal["llama-vector", "llama-fusion"]
LLAMA_MODES: tuple[LlamaMode, ...] = ("llama-vector", "llama-fusion")


def tenant_index(db: Database, tenant: str, embedder: Embedder, *, audience: Reader = "customer") -> VectorStoreIndex:
    """A llama-index ``VectorStoreIndex`` on the tenant's stored chunks (nothing is re-embedded or copied)."""
    store = TenantVectorStore(db, tenant, embedding_model=embedder.name, audience=audience)
    return VectorStoreIndex.from_vector_store(store, embed_model=LlamaEmbedding(embedder))


def metadata_filters(filters: SearchFilters | None) -> MetadataFilters | None:
    """The SQL search's filters as llama-index metadata filters; ``max_age_days`` has no metadata form."""
    if filters is None:
        return None
    if filters.max_age_days is not None:
        raise KnowledgeError("max_age_days is not served by the llama-index retrievers; use the SQL search")
    out: list[MetadataFilter | MetadataFilters] = []
    if filters.doc_type:
        out.append(MetadataFilter(key="doc_type", value=list(filters.doc_type), operator=FilterOperator.IN))
    if filters.region:
        out.append(MetadataFilter(key="region", value=[filters.region, "global"], operator=FilterOperator.IN))
    if filters.language:
        out.append(MetadataFilter(key="language", value=filters.language, operator=FilterOperator.EQ))
    return MetadataFilters(filters=out) if out else None


def retriever(
    index: VectorStoreIndex, mode: LlamaMode, *, k: int, filters: SearchFilters | None = None
) -> BaseRetriever:
    """``llama-vector``: the index's own retriever; ``llama-fusion``: it and a full-text retriever fused by
    reciprocal rank in ``QueryFusionRetriever`` (one query: no LLM rewrites it)."""
    flt = metadata_filters(filters)
    vector = index.as_retriever(similarity_top_k=k, filters=flt)
    if mode == "llama-vector":
        return vector
    if mode != "llama-fusion":
        raise KnowledgeError(f"unknown llama-index mode {mode!r}; choose one of {', '.join(LLAMA_MODES)}")
    text = index.as_retriever(similarity_top_k=k, filters=flt, vector_store_query_mode="text_search")
    return QueryFusionRetriever(
        [vector, text],
        # num_queries=1 never asks an LLM for query variants; passing one keeps llama-index from resolving its
        # default (OpenAI) model, which is neither installed nor allowed offline.
        llm=MockLLM(),
        mode=FUSION_MODES.RECIPROCAL_RANK,
        num_queries=1,
        similarity_top_k=k,
        use_async=False,
    )
