"""What the Copywriter says is chosen from typed facts: the ticket's product line and intent, proof for campaigns.

Each case is one the content issue (15.2) found on main: a Boards cancellation answered with a Ledger fact, a
Ledger double charge with a Goods order-number fact, "where is my order" with a flattened pricing row, praise
with an apology and sizing advice, and product facts framed as testimonials.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hyperjourney.agents import copywriter
from hyperjourney.agents.base import AgentContext
from hyperjourney.agents.researcher import GoalQuery, ResearchBrief
from hyperjourney.data.brand import Brand
from hyperjourney.db.database import Database
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.guardrails.tone import ToneAttributes
from hyperjourney.knowledge.fact_choice import Choice
from hyperjourney.knowledge.facts import AttributeDetail, Fact, products_in
from hyperjourney.knowledge.ingest import ingest_path
from hyperjourney.knowledge.models import IngestReport
from hyperjourney.models.tiers import Tiers
from hyperjourney.scoring.schema import Segment, SegmentQuery
from hyperjourney.settings import Settings
from tests.agentkit import RecordingLauncher, fixed_clock, hit
from tests.knowledge.conftest import HashEmbedder, write_doc

TONE = ToneAttributes(formality=0.5, warmth=0.6, brevity=0.5)


def _ctx(db: Database, settings: Settings, tenant: str) -> AgentContext:
    deps = build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=RecordingLauncher())
    return deps.context(tenant, "run-facts", "copilot")  # type: ignore[no-any-return]


def _reply(ctx: AgentContext, question: str, intent: str, sentiment: str = "neutral") -> copywriter.Reply:
    result = copywriter.write_reply(
        ctx, name="Sam", question=question, intent=intent, sentiment=sentiment, intent_confidence=0.9, tone=TONE,
        evidence=[],
    )  # fmt: skip
    reply = copywriter.Reply.model_validate(result.output.model_dump())
    reply.tier = result.steps[0].routed.tier
    return reply


def _facts(body: str) -> list[str]:
    return [line[2:] for line in body.splitlines() if line.startswith("- ") and "[cite:" in line]


@pytest.fixture(scope="module")
def kb_ctx(db: Database, settings: Settings, demo_kb: tuple[str, IngestReport]) -> AgentContext:
    return _ctx(db, settings, demo_kb[0])


def test_a_boards_cancellation_is_not_answered_with_a_ledger_fact(kb_ctx: AgentContext) -> None:
    reply = _reply(kb_ctx, "How do I cancel my Boards subscription?", "cancel_subscription")
    facts = _facts(reply.body)
    assert facts and reply.tier == "small" and reply.passed_guardrails, reply.body
    assert reply.citations[0].startswith("kb-faq-cancel-subscription#")
    assert "Settings > Billing > Plan > Cancel subscription" in facts[0]
    for fact in facts:
        assert products_in(fact) != ["ledger"], f"a Ledger-only fact in a Boards reply: {fact}"
    assert "Ledger subscriptions cannot be paused" not in reply.body


def test_a_ledger_double_charge_gets_no_goods_order_fact(kb_ctx: AgentContext) -> None:
    reply = _reply(kb_ctx, "I was charged twice for my Ledger invoice", "billing_question", "negative")
    facts = _facts(reply.body)
    assert facts and reply.passed_guardrails, reply.body
    assert not any("goods" in products_in(f) for f in facts), facts
    assert "order number" not in reply.body.lower()
    assert "sorry for the trouble" in reply.body, "a negative ticket opens with an apology"


def test_where_is_my_order_gets_tracking_facts_not_a_pricing_row(kb_ctx: AgentContext) -> None:
    reply = _reply(kb_ctx, "Where is my order? It has not arrived yet.", "shipping_delay")
    facts = _facts(reply.body)
    assert facts, reply.body
    assert not re.search(r"\|| costs [$€£]|per month", reply.body), reply.body
    assert all(c.startswith(("kb-faq-order-tracking#", "kb-returns-refunds-shipping#")) for c in reply.citations)
    assert "sorry" not in reply.body, "a neutral question gets no apology"


def test_praise_gets_thanks_and_no_facts(kb_ctx: AgentContext) -> None:
    reply = _reply(kb_ctx, "Just wanted to say the Stratus shoes are amazing, thank you!", "praise", "positive")
    assert "Thank you so much" in reply.body and "[cite:" not in reply.body and reply.citations == []
    assert "sorry" not in reply.body.lower() and "sock" not in reply.body.lower()
    assert reply.tier == "small" and reply.passed_guardrails, "thanks need no escalation"


def test_no_fact_on_the_tickets_product_escalates_instead_of_quoting_another(
    db: Database, settings: Settings, make_tenant: Callable[[str], str], tmp_path: Path
) -> None:
    tenant = make_tenant("facts-goods")
    write_doc(
        tmp_path, "returns.md", "returns",
        "# Returns\n\n## Return window\n\nYou can return Goods orders within 30 days of delivery, unworn.\n",
        type="policy",
    )  # fmt: skip
    ingest_path(db, tenant, tmp_path, embedder=HashEmbedder())
    result = copywriter.write_reply(
        _ctx(db, settings, tenant), name="Sam", question="How do I cancel my Boards subscription?",
        intent="cancel_subscription", sentiment="neutral", intent_confidence=0.95, tone=TONE, evidence=[],
    )  # fmt: skip
    reply = copywriter.Reply.model_validate(result.output.model_dump())
    assert reply.citations == [] and "30 days" not in reply.body and reply.relevance == 0.0
    assert result.steps[0].routed.needs_review and result.review, "a person answers instead"


def _brief(goal: str, definition: SegmentQuery, industry: str | None = None) -> ResearchBrief:
    segment = Segment(name="segment", definition=definition, size=50, customer_ids=[], why=[], baseline={})
    return ResearchBrief(goal=goal, query=GoalQuery(industry=industry), segment=segment, insights=[], reason_codes=[])


def test_campaign_proof_is_a_result_of_the_segments_product_line(kb_ctx: AgentContext) -> None:
    fintech = copywriter.write_variants(
        kb_ctx, _brief("Lift LTV 20% in fintech SMBs", SegmentQuery(industry=["fintech"]))
    )
    copy = copywriter.CopySet.model_validate(fintech.output.model_dump())
    email = next(v for v in copy.variants if v.channel == "email")
    assert any(c.startswith("kb-cs-") for c in email.citations), email.body
    for cid in email.citations:
        cited = next(e for e in copy.evidence if e.citation_id == cid)
        assert "ledger" in products_in(cited.text) or "payout" in cited.text.lower(), cited.text
    assert ("told us" in email.body) == ("“" in email.body), "only a customer's own words are framed as theirs"
    assert "whitepaper" not in email.body or "A few facts about" in email.body, "a product fact is no testimonial"
    shoppers = copywriter.write_variants(kb_ctx, _brief("Win back e-commerce shoppers", SegmentQuery(business=["dtc"])))
    shop_copy = copywriter.CopySet.model_validate(shoppers.output.model_dump())
    for v in shop_copy.variants:
        assert v.citations and not any(c.startswith(("kb-cs-brightpath", "kb-cs-harborline")) for c in v.citations)
        cited_text = next(e.text for e in shop_copy.evidence if e.citation_id == v.citations[0])
        assert "goods" in products_in(cited_text), cited_text


def test_a_product_fact_is_not_framed_as_a_testimonial() -> None:
    text = "Northwind Ledger Reconciliation: connects bank and payment accounts and matches them to invoices."
    fact = Fact(
        document_id="kb-ledger", fact_index=0, chunk_index=2, kind="attribute", title="Ledger", section="Modules",
        doc_type="product", updated_at=datetime(2026, 1, 5, tzinfo=UTC), text=text,
        detail=AttributeDetail(product="Northwind Ledger", name="Reconciliation", value="connects bank accounts"),
    )  # fmt: skip
    proof = hit("kb-ledger#2", text, title="Ledger", doc_type="product")
    chosen = [copywriter.Chosen(choice=Choice(fact=fact, quote=text, relevance=0.9), evidence=proof)]
    brief, acme = _brief("Lift LTV", SegmentQuery()), Brand(name="Acme", signature="Acme")
    email = copywriter.template_variant("email", brief, chosen, lambda _: [], acme).value
    assert "told us" not in email.body and "measured" not in email.body
    assert "A few facts about Acme:" in email.body and "[cite:kb-ledger#2]" in email.body


def test_a_german_customer_is_answered_in_german_and_a_french_one_in_french_with_a_note_on_the_english_facts(
    db: Database, settings: Settings, make_tenant: Callable[[str], str], tmp_path: Path
) -> None:
    tenant = make_tenant("facts-i18n")
    demo = Path(__file__).resolve().parents[2] / "hyperjourney" / "knowledge" / "kb" / "demo"
    for name in ("faq-de-ruecksendungen-passform.md", "returns-refunds-shipping.md"):
        (tmp_path / name).write_text((demo / name).read_text(encoding="utf-8"), encoding="utf-8")
    ingest_path(db, tenant, tmp_path, embedder=HashEmbedder())
    with db.tenant(tenant) as conn:
        for cid, language in (("c-de", "de"), ("c-fr", "fr")):
            conn.execute(
                "INSERT INTO customers (tenant_id, customer_id, first_name, region, language, attributes) "
                "VALUES (current_tenant(), %s, 'Alex', 'eu', %s, '{\"segment\": \"dtc\"}')",
                (cid, language),
            )
    ctx = _ctx(db, settings, tenant)

    def reply(customer: str, question: str) -> copywriter.Reply:
        result = copywriter.write_reply(
            ctx, name="Alex", question=question, intent="refund_request", sentiment="neutral",
            intent_confidence=0.9, tone=TONE, evidence=[], recipient_id=customer,
        )  # fmt: skip
        return copywriter.Reply.model_validate(result.output.model_dump())

    german = reply("c-de", "Wie lange kann ich einen Artikel zurücksenden?")
    assert german.body.startswith("Hallo Alex,") and "Folgendes kann ich Ihnen sagen" in german.body, german.body
    assert german.citations and all(c.startswith("kb-faq-de-ruecksendungen-passform#") for c in german.citations)
    assert "Hinweis" not in german.body
    french = reply("c-fr", "How long do I have to return an item?")
    # no French fact: the reply stays French (greeting, opening, closing) and says once that its facts are English
    assert french.body.startswith("Bonjour Alex,") and french.body.count("Remarque : ") == 1, french.body
    assert french.language == "fr" and "Répondez à ce message" in french.body
    assert french.citations and all(c.startswith("kb-returns-refunds-shipping#") for c in french.citations)
