"""Documents carry an audience; what a customer reads (copilot replies, canvas copy) cites only customer documents."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.knowledge.ingest import ingest_path
from hyperjourney.knowledge.models import IngestReport
from hyperjourney.knowledge.readers import UnreadableDocumentError, read_document
from hyperjourney.knowledge.search import search
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings
from tests.agentkit import RecordingLauncher, fixed_clock, seed_small_tenant
from tests.knowledge.conftest import HashEmbedder, write_doc

INTERNAL_DEMO = {
    "kb-support-tone-guide",
    "kb-brand-voice",
    "kb-consent-contact-policy",
    "kb-support-escalation-policy",
    "kb-banned-claims",
    "kb-claims-legal-policy",
}


def test_audience_comes_from_front_matter_then_folder_then_type(tmp_path: Path) -> None:
    (tmp_path / "internal").mkdir()
    declared = write_doc(tmp_path, "faq-a.md", "faq-a", "Staff only.", audience="internal")
    foldered = write_doc(tmp_path / "internal", "faq-b.md", "faq-b", "Playbook.")
    typed = write_doc(tmp_path, "voice.md", "voice", "Our voice.", type="brand")
    opened = write_doc(tmp_path, "voice-public.md", "voice-public", "Public.", type="brand", audience="Customer")
    plain = write_doc(tmp_path, "faq-c.md", "faq-c", "Refunds take 5 days.")
    got = {p.name: read_document(p, tmp_path).audience for p in (declared, foldered, typed, opened, plain)}
    assert got == {
        "faq-a.md": "internal", "faq-b.md": "internal", "voice.md": "internal",
        "voice-public.md": "customer", "faq-c.md": "customer",
    }  # fmt: skip
    bad = write_doc(tmp_path, "faq-d.md", "faq-d", "Hi.", audience="everyone")
    with pytest.raises(UnreadableDocumentError, match=r"faq-d\.md: audience must be one of customer, internal"):
        read_document(bad, tmp_path)


def test_the_demo_staff_documents_are_internal(db: Database, demo_kb: tuple[str, IngestReport]) -> None:
    tenant, _ = demo_kb
    with db.tenant(tenant) as conn:
        internal = {r[0] for r in conn.execute("SELECT document_id FROM kb_documents WHERE audience = 'internal'")}
        chunks = conn.execute(
            "SELECT count(*) FROM kb_chunks c JOIN kb_documents d USING (tenant_id, document_id) "
            "WHERE c.audience <> d.audience"
        ).fetchone()
    assert internal == INTERNAL_DEMO and chunks == (0,)


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "vector"])
def test_customer_search_is_the_default_and_never_returns_staff_documents(
    db: Database, demo_kb: tuple[str, IngestReport], mode: str
) -> None:
    tenant, _ = demo_kb
    query = "support tone guide brand voice escalation policy banned claims footer consent"
    staff = search(db, tenant, query, k=10, mode=mode, audience="internal", use_cache=False)  # type: ignore[arg-type]
    assert {h.document_id for h in staff} & INTERNAL_DEMO, "the query must reach staff documents"
    for hits in (
        search(db, tenant, query, k=10, mode=mode),  # type: ignore[arg-type]
        search(db, tenant, query, k=10, mode=mode, filters={"doc_type": ["brand", "legal", "policy"]}),  # type: ignore[arg-type]
    ):
        assert hits and all(h.audience == "customer" for h in hits)
        assert not {h.document_id for h in hits} & INTERNAL_DEMO


def test_documents_stored_before_the_audience_existed_stay_internal_until_reingested(
    db: Database, tenant: str, tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    write_doc(tmp_path, "faq-refunds.md", "faq-refunds", "Refunds take five business days after we receive it.")
    ingest_path(db, tenant, tmp_path, embedder=hash_embedder)
    with db.tenant(tenant) as conn:
        conn.execute("UPDATE kb_chunks SET audience = 'internal'")  # what migration 0016 gives existing rows
        conn.execute("UPDATE kb_documents SET audience = 'internal'")
        conn.execute("UPDATE kb_state SET version = version + 1")
    assert search(db, tenant, "refunds", mode="keyword") == []
    write_doc(tmp_path, "faq-refunds.md", "faq-refunds", "Refunds take five business days after we receive it.", x="1")
    ingest_path(db, tenant, tmp_path, embedder=hash_embedder)
    assert [h.document_id for h in search(db, tenant, "refunds", mode="keyword")] == ["faq-refunds"]


@pytest.fixture(scope="module")
def kb_tenant(db: Database) -> str:
    return seed_small_tenant(db, "audience")


# Benign tickets of the copilot golden set; without the audience filter the first six drew replies citing the
# escalation policy, brand voice, consent policy or claims policy (the other six are controls).
TICKETS = [
    "tkt-003", "tkt-007", "tkt-011", "tkt-013", "tkt-037", "tkt-070",
    "tkt-001", "tkt-002", "tkt-004", "tkt-005", "tkt-006", "tkt-008",
]  # fmt: skip


def _benign_tickets() -> list[dict[str, str]]:
    path = resources.files("hyperjourney.evals") / "datasets" / "copilot_tickets.jsonl"
    rows = {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    assert all(not rows[t]["labels"]["injection"] for t in TICKETS)
    return [rows[t] for t in TICKETS]


def test_copilot_replies_to_benign_tickets_never_cite_staff_documents(
    db: Database, kb_tenant: str, settings: Settings
) -> None:
    deps = build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=RecordingLauncher())
    now = datetime(2026, 2, 27, 9, 0, tzinfo=UTC)
    cited: dict[str, list[str]] = {}
    with db.tenant(kb_tenant) as conn:
        row = conn.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1").fetchone()
    assert row is not None
    for ticket in _benign_tickets():
        ticket_id = f"tkt_aud_{uuid.uuid4().hex[:8]}"
        with db.tenant(kb_tenant) as conn:
            conn.execute(
                "INSERT INTO tickets (tenant_id, ticket_id, customer_id, channel, subject, status, opened_at, "
                "updated_at) VALUES (current_tenant(), %s, %s, %s, %s, 'open', %s, %s)",
                (ticket_id, row[0], ticket["channel"], ticket["subject"], now, now),
            )
            conn.execute(
                "INSERT INTO messages (tenant_id, message_id, ticket_id, author, body, sent_at) "
                "VALUES (current_tenant(), %s, %s, 'customer', %s, %s)",
                (f"{ticket_id}_m1", ticket_id, ticket["body"], now),
            )
        result = runs.start_copilot(db, kb_tenant, ticket_id, deps=deps)
        cited[ticket["id"]] = [c.split("#")[0] for c in result.outcome.get("citations", [])]
    assert sum(1 for c in cited.values() if c) >= 8, f"most replies should cite something: {cited}"
    leaked = {t: sorted(set(c) & INTERNAL_DEMO) for t, c in cited.items() if set(c) & INTERNAL_DEMO}
    assert leaked == {}, f"replies cited staff documents: {leaked}"
