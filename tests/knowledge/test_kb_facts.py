"""Typed facts at ingest: read from the demo KB's structure, cited, stored per tenant, replaced with the document."""

from __future__ import annotations

import re
from pathlib import Path

from hyperjourney.db.database import Database
from hyperjourney.knowledge import fact_store
from hyperjourney.knowledge.fact_store import FactFilter
from hyperjourney.knowledge.facts import FACT_KINDS, FaqDetail, PolicyDetail, PricingDetail, QuoteDetail, ResultDetail
from hyperjourney.knowledge.ingest import ingest_path
from hyperjourney.knowledge.models import IngestReport
from tests.cli_runner import invoke
from tests.knowledge.conftest import HashEmbedder, write_doc


def _facts(db: Database, tenant: str, **flt: object) -> list[fact_store.FactWithSource]:
    with db.tenant(tenant) as conn:
        return fact_store.facts_with_sources(conn, FactFilter.model_validate(flt))


def test_every_demo_document_type_yields_typed_facts(db: Database, demo_kb: tuple[str, IngestReport]) -> None:
    tenant, report = demo_kb
    facts = _facts(db, tenant)
    assert report.facts_written == len(facts)
    assert {f.fact.kind for f in facts} == set(FACT_KINDS)
    with db.tenant(tenant) as conn:
        types = {r[0] for r in conn.execute("SELECT DISTINCT doc_type FROM kb_documents")}
    assert {f.fact.doc_type for f in facts} == types, "every kind of demo document gives facts"


def test_facts_carry_the_structure_of_their_source(db: Database, demo_kb: tuple[str, IngestReport]) -> None:
    tenant, _ = demo_kb
    results = [f.fact for f in _facts(db, tenant, document_id="kb-cs-brightpath", kinds=["result"])]
    first = results[0].detail
    assert isinstance(first, ResultDetail)
    assert (first.subject, first.metric, first.before, first.after, first.unit) == (
        "Brightpath Lending", "manual reconciliation time", "120", "25", "hours per month",
    )  # fmt: skip
    assert first.period == "Within 6 months"
    assert (
        results[0].text == "Brightpath Lending reduced manual reconciliation time from 120 hours to 25 hours per month."
    )
    quote = _facts(db, tenant, document_id="kb-cs-brightpath", kinds=["quote"])[0].fact.detail
    assert isinstance(quote, QuoteDetail) and quote.who.startswith("Marcus Oyelaran, VP Finance")
    growth = next(
        f.fact.detail for f in _facts(db, tenant, document_id="kb-pricing", kinds=["pricing"])
        if isinstance(f.fact.detail, PricingDetail) and f.fact.detail.plan == "Growth" and "ledger" in f.fact.products
    )  # fmt: skip
    assert isinstance(growth, PricingDetail) and growth.price == "$199 per month" and "15 users" in growth.limits
    refund = [f.fact.detail for f in _facts(db, tenant, document_id="kb-returns-refunds-shipping", kinds=["policy"])]
    window = next(d for d in refund if isinstance(d, PolicyDetail) and d.rule.startswith("You can return items"))
    assert isinstance(window, PolicyDetail) and window.time_limits == ["30 days"] and window.topic == "return"
    faq = [f.fact for f in _facts(db, tenant, document_id="kb-faq-cancel-subscription", kinds=["faq"])]
    how = next(f.detail for f in faq if isinstance(f.detail, FaqDetail) and f.detail.question == "How do I cancel?")
    assert isinstance(how, FaqDetail) and how.intent == "cancel_subscription"
    assert how.answer_steps[0].startswith("The workspace owner (Boards) or an account admin (Ledger) can cancel")
    pause = next(f for f in faq if isinstance(f.detail, FaqDetail) and "pause" in f.detail.question)
    assert pause.products == ["boards"], "a fact names its own product line, not the document's mix"
    german = _facts(db, tenant, document_id="kb-faq-de-ruecksendungen-passform")
    assert german and {f.fact.language for f in german} == {"de"} and {f.fact.region for f in german} == {"eu"}


def test_every_fact_is_quotable_and_its_citation_states_it(db: Database, demo_kb: tuple[str, IngestReport]) -> None:
    tenant, _ = demo_kb
    for item in _facts(db, tenant):
        fact, chunk = item.fact, item.chunk_text
        assert "|" not in fact.text and not fact.text.startswith("#"), fact.text
        assert not re.match(r"(it|this|they|these|that)\b", fact.text, re.IGNORECASE), fact.text
        figures = set(re.findall(r"\d[\d,.]*\d|\d", fact.text))
        assert figures <= set(re.findall(r"\d[\d,.]*\d|\d", chunk)), (fact.fact_id, fact.text)


def test_reingest_replaces_a_documents_facts_and_deletion_removes_them(
    db: Database, tmp_path: Path, make_tenant: object, hash_embedder: HashEmbedder
) -> None:
    tenant, other = make_tenant("facts"), make_tenant("facts-other")  # type: ignore[operator]
    folder = tmp_path / "kb"
    folder.mkdir()
    body = "# Returns\n\n## Window\n\nYou can return items within {n} days of delivery, unworn and with tags.\n"
    write_doc(folder, "returns.md", "returns", body.format(n=30), type="policy")
    ingest_path(db, tenant, folder, embedder=hash_embedder)
    assert [f.fact.detail.time_limits for f in _facts(db, tenant)] == [["30 days"]]  # type: ignore[union-attr]
    assert _facts(db, other) == [], "facts are the tenant's own (row-level security)"

    write_doc(folder, "returns.md", "returns", body.format(n=45), type="policy")
    report = ingest_path(db, tenant, folder, embedder=hash_embedder)
    assert report.changed == 1 and report.facts_written == 1
    assert [f.fact.text for f in _facts(db, tenant)] == [
        "You can return items within 45 days of delivery, unworn and with tags."
    ]
    (folder / "returns.md").unlink()
    write_doc(folder, "other.md", "other", "# Other\n\nNothing to see in this short note about the weather.\n")
    ingest_path(db, tenant, folder, embedder=hash_embedder)
    assert _facts(db, tenant, document_id="returns") == []


def test_kb_facts_command_lists_facts_with_citations(db: Database, demo_kb: tuple[str, IngestReport]) -> None:
    tenant, _ = demo_kb
    code, out = invoke("kb", "facts", "--kind", "result", "--doc", "kb-cs-brightpath", "--tenant", tenant)
    assert code == 0, out
    assert "kb-cs-brightpath#3" in out and "before: 120" in out and "after: 25" in out and "quote" not in out
    code, out = invoke("kb", "facts", "--kind", "rumour", "--tenant", tenant)
    assert code != 0 and "--kind must be one of" in out
