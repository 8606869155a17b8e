"""Incremental ingestion: added / unchanged / changed / deleted, the embedding cache, failures kept per document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hyperjourney.db.database import Database
from hyperjourney.knowledge import store
from hyperjourney.knowledge.ingest import ingest_path
from hyperjourney.knowledge.models import KnowledgeError
from tests.knowledge.conftest import HashEmbedder, write_doc

BILLING = "# Billing\n\n## When am I billed?\n\nYou are billed monthly on the day you subscribed.\n\n" + (
    "## How can I pay?\n\nPay by card, bank transfer or invoice. Cards are charged automatically each month.\n"
)
SHIPPING = "# Shipping\n\nOrders ship within two business days from our warehouse in Ohio by ground courier.\n"


def _chunks(db: Database, tenant: str, doc_id: str) -> list[tuple[Any, ...]]:
    with db.tenant(tenant) as conn:
        return conn.execute(
            "SELECT chunk_index, section, text, version, updated_at FROM kb_chunks WHERE document_id = %s ORDER BY 1",
            (doc_id,),
        ).fetchall()


def test_reingest_is_incremental(db: Database, tenant: str, tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    write_doc(tmp_path, "billing.md", "faq-billing", BILLING)
    write_doc(tmp_path, "shipping.md", "faq-shipping", SHIPPING, region="us")
    first = ingest_path(db, tenant, tmp_path, embedder=hash_embedder)
    assert (first.added, first.changed, first.unchanged, first.deleted, first.failed) == (2, 0, 0, 0, 0)
    assert first.embedded == first.chunks_written > 0
    chunks = _chunks(db, tenant, "faq-billing")
    assert [c[1] for c in chunks][-1] == "Billing > How can I pay?"
    assert chunks[0][4].isoformat().startswith("2026-01-05")

    texts_before = hash_embedder.texts
    again = ingest_path(db, tenant, tmp_path, embedder=hash_embedder)
    assert (again.added, again.changed, again.unchanged, again.embedded) == (0, 0, 2, 0)
    assert hash_embedder.texts == texts_before
    assert again.kb_version == first.kb_version

    write_doc(tmp_path, "billing.md", "faq-billing", BILLING + "\n## Refunds\n\nRefunds go back to the card used.\n")
    (tmp_path / "shipping.md").unlink()
    third = ingest_path(db, tenant, tmp_path, embedder=hash_embedder)
    assert (third.changed, third.deleted, third.unchanged) == (1, 1, 0)
    assert third.embedded == 1 and third.cached == third.chunks_written - 1  # unchanged chunks come from the cache
    assert third.kb_version > first.kb_version
    assert _chunks(db, tenant, "faq-shipping") == []
    assert "Refunds" in _chunks(db, tenant, "faq-billing")[-1][1]
    with db.tenant(tenant) as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert actions.count("kb_document_added") == 2
    assert "kb_document_changed" in actions and "kb_document_delete" in actions


def test_failed_file_keeps_previous_chunks(
    db: Database, tenant: str, tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    path = write_doc(tmp_path, "billing.md", "faq-billing", BILLING)
    write_doc(tmp_path, "shipping.md", "faq-shipping", SHIPPING)
    ingest_path(db, tenant, tmp_path, embedder=hash_embedder)
    before = _chunks(db, tenant, "faq-billing")
    path.write_text("---\nid: faq-billing\ntitle: [unclosed\n---\n\nNew text\n", encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(b"\xff\xfe\x00binary")
    report = ingest_path(db, tenant, tmp_path, embedder=hash_embedder)
    assert report.failed == 2 and report.unchanged == 1 and report.deleted == 0
    messages = " ".join(d.error or "" for d in report.errors)
    assert "billing.md" in messages and "front matter" in messages
    assert "broken.txt" in messages and "UTF-8" in messages
    assert _chunks(db, tenant, "faq-billing") == before


def test_embedding_failure_mid_ingest_keeps_previous_chunks(
    db: Database, tenant: str, tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    write_doc(tmp_path, "billing.md", "faq-billing", BILLING)
    ingest_path(db, tenant, tmp_path, embedder=hash_embedder)
    before = _chunks(db, tenant, "faq-billing")

    class Broken(HashEmbedder):
        def embed(self, texts: Any) -> Any:
            raise KnowledgeError("embeddings endpoint down")

    write_doc(tmp_path, "billing.md", "faq-billing", BILLING + "\n## New\n\nSomething new and different.\n")
    report = ingest_path(db, tenant, tmp_path, embedder=Broken())
    assert report.failed == 1 and "endpoint down" in (report.errors[0].error or "")
    assert _chunks(db, tenant, "faq-billing") == before


def test_single_file_html_text_and_pdf(db: Database, tenant: str, tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    html = tmp_path / "guide.html"
    html.write_text(
        '<html lang="de"><head><title>Pflege</title><meta name="type" content="product"></head><body>'
        "<h1>Pflege</h1><p>Waschen Sie die Jacke kalt.</p><script>alert(1)</script>"
        "<h2>Trocknen</h2><ul><li>Nicht in den Trockner.</li><li>Flach trocknen.</li></ul></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text(
        "Store notes\n\nOpening hours are nine to five on weekdays.\n", encoding="utf-8"
    )
    (tmp_path / "manual.pdf").write_bytes(_pdf("Warranty covers stitching for one year."))
    report = ingest_path(db, tenant, tmp_path, embedder=hash_embedder)
    assert report.added == 3, report.errors
    with db.tenant(tenant) as conn:
        docs = {r[0]: r[1:] for r in conn.execute("SELECT document_id, doc_type, language, title FROM kb_documents")}
        sections = [r[0] for r in conn.execute("SELECT section FROM kb_chunks WHERE document_id = 'guide'")]
        pdf_text = conn.execute("SELECT string_agg(text, ' ') FROM kb_chunks WHERE document_id = 'manual'").fetchone()
    assert docs["guide"] == ("product", "de", "Pflege")
    assert docs["notes"][2] == "Store notes"
    assert any("Trocknen" in s for s in sections)
    assert pdf_text is not None and "stitching" in pdf_text[0]
    with db.tenant(tenant) as conn:
        assert "alert" not in (conn.execute("SELECT string_agg(text, ' ') FROM kb_chunks").fetchone() or [""])[0]

    one = ingest_path(db, tenant, tmp_path / "notes.txt", embedder=hash_embedder)
    assert one.unchanged == 1 and one.deleted == 0


def test_missing_and_unsupported_paths(db: Database, tenant: str, tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    with pytest.raises(KnowledgeError, match="no such file"):
        ingest_path(db, tenant, tmp_path / "nope", embedder=hash_embedder)
    bad = tmp_path / "data.xlsx"
    bad.write_bytes(b"x")
    with pytest.raises(KnowledgeError, match="unsupported file type"):
        ingest_path(db, tenant, bad, embedder=hash_embedder)


def test_duplicate_document_ids_are_rejected(
    db: Database, tenant: str, tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    write_doc(tmp_path, "a.md", "same-id", BILLING)
    write_doc(tmp_path, "b.md", "same-id", SHIPPING)
    report = ingest_path(db, tenant, tmp_path, embedder=hash_embedder)
    assert report.added == 1 and report.failed == 1
    assert "already used" in (report.errors[0].error or "")
    with db.tenant(tenant) as conn:
        assert store.status(conn).documents == 1


def _pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in Helvetica (enough for pypdf's text extraction)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_switching_embedding_model_reembeds_and_search_refuses_mixed_vectors(
    db: Database, tenant: str, tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    from hyperjourney.knowledge.search import search

    write_doc(tmp_path, "billing.md", "faq-billing", BILLING)
    ingest_path(db, tenant, tmp_path, embedder=hash_embedder)

    class Other(HashEmbedder):
        name = "test:other"

    other = Other()
    with pytest.raises(KnowledgeError, match="embedded with test:hash"):
        search(db, tenant, "billing", embedder=other, use_cache=False)
    report = ingest_path(db, tenant, tmp_path, embedder=other)
    assert report.changed == 1 and report.embedded == report.chunks_written
    assert search(db, tenant, "billing", embedder=other, use_cache=False)
