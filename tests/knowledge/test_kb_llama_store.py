"""The llama-index vector store over a tenant's knowledge tables (issue 15.1): llama-index's index, retrievers,
fusion retriever, evaluator and ingestion pipeline run on the real RLS tables, and tenants never see each other."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from llama_index.core.evaluation import RetrieverEvaluator
from llama_index.core.ingestion import IngestionPipeline
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.types import MetadataFilter, MetadataFilters, VectorStoreQuery

from hyperjourney.db.database import Database
from hyperjourney.knowledge.evaluation import GoldenQuestion, GoldenSet, evaluate
from hyperjourney.knowledge.ingest import ingest_path
from hyperjourney.knowledge.llama_retrieval import LLAMA_MODES, retriever, tenant_index
from hyperjourney.knowledge.llama_store import LlamaEmbedding, TenantVectorStore
from hyperjourney.knowledge.models import KnowledgeError, SearchFilters
from hyperjourney.knowledge.search import search
from tests.knowledge.conftest import HashEmbedder, write_doc

RETURNS = "Customers may return unworn shoes within 30 days for a full refund; the return label is free."
SOCKS = "Merino socks come in three sizes; wash them cold and never tumble dry."
STAFF = "Agents may approve goodwill refunds up to 200 dollars without a manager."
Tenants = tuple[str, str, HashEmbedder]
OTHER = "Boards workspaces export every card to PDF with comments and attachments."


def _tenant_kb(
    db: Database, make_tenant: Callable[[str], str], folder: Path, emb: HashEmbedder, docs: dict[str, str]
) -> str:
    tenant = make_tenant("llama")
    folder.mkdir()
    for doc_id, body in docs.items():
        meta = {"audience": "internal"} if doc_id == "staff-refunds" else {}
        write_doc(folder, f"{doc_id}.md", doc_id, f"# {doc_id}\n\n{body}\n", **meta)
    report = ingest_path(db, tenant, folder, embedder=emb)
    assert report.failed == 0
    return tenant


@pytest.fixture
def two_tenants(db: Database, make_tenant: Callable[[str], str], tmp_path: Path) -> tuple[str, str, HashEmbedder]:
    emb = HashEmbedder()
    a = _tenant_kb(db, make_tenant, tmp_path / "a", emb, {"returns": RETURNS, "socks": SOCKS, "staff-refunds": STAFF})
    b = _tenant_kb(db, make_tenant, tmp_path / "b", emb, {"export": OTHER, "b-returns": RETURNS + " Tenant B."})
    return a, b, emb


def _node(doc_id: str, index: int, text: str, emb: HashEmbedder, **meta: object) -> TextNode:
    fields: dict[str, object] = {
        "chunk_index": index, "title": doc_id, "doc_type": "faq", "updated_at": "2026-11-02T00:00:00+00:00",
    }  # fmt: skip
    fields.update(meta)
    return TextNode(
        id_=f"{doc_id}#{index}",
        text=text,
        metadata=fields,
        embedding=[float(x) for x in emb.embed([text])[0]],
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc_id)},
    )


def test_index_retrievers_fusion_and_evaluator_run_on_the_tenant(db: Database, two_tenants: Tenants) -> None:
    a, _b, emb = two_tenants
    index = tenant_index(db, a, emb, audience="internal")
    query = "return shoes within 30 days refund"
    vector = retriever(index, "llama-vector", k=3).retrieve(query)
    assert vector[0].node.ref_doc_id == "returns" and vector[0].node.node_id == "returns#0"
    fused = retriever(index, "llama-fusion", k=3).retrieve(query)
    assert fused[0].node.ref_doc_id == "returns"
    # the fusion really merges the full-text leg: a word only the staff note holds reaches the top of it
    assert retriever(index, "llama-fusion", k=1).retrieve("goodwill manager")[0].node.ref_doc_id == "staff-refunds"
    top1 = retriever(index, "llama-vector", k=1)
    evaluator = RetrieverEvaluator.from_metric_names(["hit_rate", "mrr"], retriever=top1)
    result = evaluator.evaluate(query=query, expected_ids=["returns#0"])
    assert result.metric_vals_dict == {"hit_rate": 1.0, "mrr": 1.0}
    missed = evaluator.evaluate(query=query, expected_ids=["socks#0"])
    assert missed.metric_vals_dict["hit_rate"] == 0.0


def test_evaluate_scores_the_llama_retrievers_beside_the_sql_search(db: Database, two_tenants: Tenants) -> None:
    a, _b, emb = two_tenants
    golden = GoldenSet(
        version=1,
        knowledge_base="tiny",
        questions=[
            GoldenQuestion(id="g1", question="return shoes refund label", relevant=["returns"]),
            GoldenQuestion(id="g2", question="wash merino cold", relevant=["socks"]),
            GoldenQuestion(id="g3", question="approve goodwill", relevant=["staff-refunds"]),
        ],
    )
    scores = {s.mode: s for s in evaluate(db, a, golden, modes=("hybrid", *LLAMA_MODES), embedder=emb)}
    assert list(scores) == ["hybrid", "llama-vector", "llama-fusion"]
    assert {m: s.recall_at_5 for m, s in scores.items()} == {"hybrid": 1.0, "llama-vector": 1.0, "llama-fusion": 1.0}
    assert all(s.latency_p95_ms >= s.latency_p50_ms > 0 for s in scores.values())
    with pytest.raises(KnowledgeError, match="unknown mode 'llama-magic'"):
        evaluate(db, a, golden, modes=("llama-magic",), embedder=emb)  # type: ignore[arg-type]
    with pytest.raises(KnowledgeError, match="max_age_days"):
        retriever(tenant_index(db, a, emb), "llama-vector", k=3, filters=SearchFilters(max_age_days=5))


def test_a_customer_store_never_returns_internal_documents_and_filters_are_checked(
    db: Database, two_tenants: Tenants
) -> None:
    a, _b, emb = two_tenants
    customer = tenant_index(db, a, emb)  # audience defaults to customer, as in the SQL search
    found = retriever(customer, "llama-fusion", k=5).retrieve("goodwill refunds manager approve")
    assert "staff-refunds" not in {n.node.ref_doc_id for n in found} and found
    only_socks = retriever(customer, "llama-vector", k=5, filters=SearchFilters(doc_type=["faq"], region="eu"))
    assert {n.node.ref_doc_id for n in only_socks.retrieve("socks")} == {"returns", "socks"}  # global matches eu
    store = TenantVectorStore(db, a, embedding_model=emb.name)
    bad = MetadataFilters(filters=[MetadataFilter(key="price", value=3)])
    with pytest.raises(KnowledgeError, match="cannot filter on 'price'"):
        store.query(VectorStoreQuery(query_embedding=[0.0] * 384, filters=bad))
    with pytest.raises(KnowledgeError, match="embedded with test:hash"):
        TenantVectorStore(db, a, embedding_model="other").query(VectorStoreQuery(query_embedding=[0.0] * 384))


def test_tenant_a_store_never_sees_reads_or_deletes_tenant_b_chunks(db: Database, two_tenants: Tenants) -> None:
    a, b, emb = two_tenants
    store_a = TenantVectorStore(db, a, embedding_model=emb.name, audience="internal")
    probe = [float(x) for x in emb.embed([OTHER])[0]]  # tenant B's own text: its chunk would be the exact match
    result = store_a.query(VectorStoreQuery(query_embedding=probe, similarity_top_k=10))
    assert {n.ref_doc_id for n in result.nodes or []} == {"returns", "socks", "staff-refunds"}
    text = store_a.query(VectorStoreQuery(query_str="Boards export PDF", similarity_top_k=10, mode="text_search"))
    assert text.nodes == []
    assert store_a.get_nodes(node_ids=["export#0", "b-returns#0"]) == []
    store_a.delete("export")
    store_a.delete_nodes(["b-returns#0"])
    store_b = TenantVectorStore(db, b, embedding_model=emb.name)
    assert [n.node_id for n in store_b.get_nodes(node_ids=["export#0", "b-returns#0"])] == ["export#0", "b-returns#0"]


def test_add_and_delete_write_only_the_bound_tenant_all_or_nothing(db: Database, two_tenants: Tenants) -> None:
    a, b, emb = two_tenants
    store_a = TenantVectorStore(db, a, embedding_model=emb.name)
    good = _node("gift-cards", 0, "Gift cards never expire and can be used online.", emb, region="eu")
    bad = _node("gift-cards", 1, "Second chunk without a title.", emb, title="")
    with pytest.raises(KnowledgeError, match=r"node 1 \(gift-cards#1\): metadata title missing"):
        store_a.add([good, bad])
    assert store_a.get_nodes(node_ids=["gift-cards#0"]) == []  # the valid node was not written either
    # llama-index's IngestionPipeline embeds with the project's embedder and writes through the store
    raw = _node("gift-cards", 0, "Gift cards never expire and can be used online.", emb, region="eu")
    raw.embedding = None
    pipeline = IngestionPipeline(transformations=[LlamaEmbedding(emb)], vector_store=store_a, disable_cache=True)
    pipeline.run(nodes=[raw])
    stored = store_a.get_nodes(node_ids=["gift-cards#0"])
    assert [n.metadata["region"] for n in stored] == ["eu"]
    hits = search(db, a, "gift expire", mode="keyword", embedder=emb)  # the SQL search sees it (version bumped)
    assert hits and hits[0].document_id == "gift-cards"
    assert search(db, b, "gift expire", mode="keyword", embedder=emb) == []
    store_b = TenantVectorStore(db, b, embedding_model=emb.name)
    store_b.delete("gift-cards")  # B cannot delete A's document
    assert store_a.get_nodes(node_ids=["gift-cards#0"]) != []
    store_a.delete("gift-cards")
    assert store_a.get_nodes(node_ids=["gift-cards#0"]) == []
    assert search(db, a, "gift expire", mode="keyword", embedder=emb, use_cache=True) == []
