"""Search over the demo knowledge base: citations, filters, bad input, the cache and tenant isolation."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyperjourney.db.database import Database
from hyperjourney.knowledge.ingest import ingest_path
from hyperjourney.knowledge.models import IngestReport, KnowledgeError, SearchFilters
from hyperjourney.knowledge.search import CACHE, search
from tests.knowledge.conftest import HashEmbedder, write_doc


def test_hits_carry_citations_and_metadata(db: Database, demo_kb: tuple[str, IngestReport]) -> None:
    tenant, report = demo_kb
    assert report.added == 40 and report.failed == 0
    hits = search(db, tenant, "How long until I get my money back after a return?", k=5)
    assert len(hits) == 5
    assert hits[0].document_id in {"kb-faq-refund-status", "kb-returns-refunds-shipping"}
    for h in hits:
        assert h.citation_id == f"{h.document_id}#{h.chunk_index}"
        assert h.title and h.snippet and h.text and h.updated_at.tzinfo is not None
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.citation_id for h in hits}) == 5


def test_modes_and_keyword_syntax(db: Database, demo_kb: tuple[str, IngestReport]) -> None:
    tenant, _ = demo_kb
    keyword = search(db, tenant, '"statement files" MT940', mode="keyword", k=3)
    assert keyword and keyword[0].keyword_rank == 1 and keyword[0].vector_rank is None
    assert "MT940" in keyword[0].text
    vector = search(db, tenant, "my parcel never showed up", mode="vector", k=3)
    assert vector and all(h.vector_rank is not None for h in vector)
    assert 0 < vector[0].score <= 1


def test_filters(db: Database, demo_kb: tuple[str, IngestReport]) -> None:
    tenant, _ = demo_kb
    cases = search(db, tenant, "reconciliation results", filters=SearchFilters(doc_type=["case_study"]), k=8)
    assert cases and {h.doc_type for h in cases} == {"case_study"}
    german = search(db, tenant, "Rücksendung", filters={"language": "de"}, k=5)
    assert german and {h.language for h in german} == {"de"}
    eu = search(db, tenant, "VAT prices", filters={"region": "eu"}, k=10)
    assert {h.region for h in eu} <= {"eu", "global"} and "eu" in {h.region for h in eu}
    assert search(db, tenant, "VAT prices", filters={"max_age_days": 0}, k=5) == []
    fresh = search(db, tenant, "VAT prices", filters={"max_age_days": 100_000}, k=5)
    assert fresh


@pytest.mark.parametrize(
    ("query", "filters", "k", "message"),
    [
        ("", None, 5, "query is empty"),
        ("   ", None, 5, "query is empty"),
        ("x" * 1001, None, 5, "too long"),
        ("refund", {"colour": "red"}, 5, "unknown search filter"),
        ("refund", {"doc_type": ["recipe"]}, 5, "unknown doc_type 'recipe'"),
        ("refund", {"language": "fr"}, 5, "unknown language 'fr'"),
        ("refund", {"max_age_days": -1}, 5, "max_age_days"),
        ("refund", None, 0, "k must be"),
    ],
)
def test_bad_input_is_explained(
    db: Database, demo_kb: tuple[str, IngestReport], query: str, filters: dict[str, object] | None, k: int, message: str
) -> None:
    tenant, _ = demo_kb
    with pytest.raises(KnowledgeError, match=message):
        search(db, tenant, query, filters=filters, k=k)


def test_cache_is_keyed_by_normalized_query_and_invalidated_by_reingest(
    db: Database, tenant: str, tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    write_doc(tmp_path, "a.md", "doc-a", "# Alpha\n\nThe alpha plan includes twelve seats and priority support.\n")
    ingest_path(db, tenant, tmp_path, embedder=hash_embedder)
    first = search(db, tenant, "alpha plan seats", embedder=hash_embedder)
    hits_before = CACHE.hits
    again = search(db, tenant, "  Alpha   PLAN seats ", embedder=hash_embedder)
    assert CACHE.hits == hits_before + 1 and again == first
    search(db, tenant, "alpha plan seats", embedder=hash_embedder, filters={"doc_type": ["faq"]})
    assert CACHE.hits == hits_before + 1  # other filters: another entry

    write_doc(tmp_path, "b.md", "doc-b", "# Beta\n\nThe beta plan includes twelve seats and a dedicated manager.\n")
    ingest_path(db, tenant, tmp_path, embedder=hash_embedder)
    after = search(db, tenant, "alpha plan seats", embedder=hash_embedder)
    assert CACHE.hits == hits_before + 1  # the new knowledge version missed the cache
    assert {h.document_id for h in after} == {"doc-a", "doc-b"}


def test_tenant_b_documents_never_reach_tenant_a(
    db: Database, make_tenant: object, tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    assert callable(make_tenant)
    tenant_a, tenant_b = make_tenant("kba"), make_tenant("kbb")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_doc(tmp_path / "a", "a.md", "shared-id", "# Public\n\nOur office opens at nine in the morning.\n")
    secret = "# Secret pricing\n\nZanzibar discount code ZX-991 gives ninety percent off the enterprise plan.\n"
    write_doc(tmp_path / "b", "b.md", "shared-id", secret)
    write_doc(tmp_path / "b", "c.md", "only-b", secret)
    ingest_path(db, tenant_a, tmp_path / "a", embedder=hash_embedder)
    ingest_path(db, tenant_b, tmp_path / "b", embedder=hash_embedder)
    for query in ("Zanzibar discount code ZX-991", "secret pricing enterprise", "office", "ninety percent off"):
        for mode in ("hybrid", "vector", "keyword"):
            hits = search(db, tenant_a, query, k=50, mode=mode, embedder=hash_embedder, use_cache=False)  # type: ignore[arg-type]
            assert all("Zanzibar" not in h.text and h.document_id != "only-b" for h in hits)
    b_hits = search(db, tenant_b, "Zanzibar discount code", embedder=hash_embedder)
    assert b_hits and "Zanzibar" in b_hits[0].text
    with db.unbound() as conn:
        assert conn.execute("SELECT count(*) FROM kb_chunks").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM kb_embedding_cache").fetchone() == (0,)
