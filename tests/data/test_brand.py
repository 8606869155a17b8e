"""Each tenant's replies carry its own brand (name, signature, footer), stored per tenant; never another's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from hyperjourney.agents import copywriter
from hyperjourney.data.brand import Brand, load_brand, store_brand
from hyperjourney.data.demo_tenant import DEMO_BRAND
from hyperjourney.db.database import Database
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.guardrails.tone import ToneAttributes
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings
from tests.agentkit import RecordingLauncher, fixed_clock, hit, segment

FACT = hit(
    "kb-faq-refund-status#1",
    "Refunds reach your card within 5 to 10 business days after we receive the return.",
    title="Refund Status FAQ",
)


def _reply(db: Database, settings: Settings, tenant: str) -> str:
    deps = build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=RecordingLauncher())
    result = copywriter.write_reply(
        deps.context(tenant, "run-brand", "copilot"),
        name="Sam",
        question="When will my refund reach my card after the return?",
        intent="refund_request",
        sentiment="neutral",
        intent_confidence=0.9,
        tone=ToneAttributes(formality=0.5, warmth=0.6, brevity=0.5),
        evidence=[FACT],
    )
    return str(result.output.model_dump()["body"])


def test_two_tenants_sign_with_their_own_brand(
    db: Database, settings: Settings, make_tenant: Callable[[str], str]
) -> None:
    acme, globex = make_tenant("acme"), make_tenant("globex")
    with db.tenant(acme) as conn:
        store_brand(conn, Brand(name="Acme", signature="Acme Care Team", footer="Acme Ltd · 1 Mill Lane"), actor="t")
    acme_reply, globex_reply = _reply(db, settings, acme), _reply(db, settings, globex)
    assert acme_reply.rstrip().endswith("Acme Care Team\nAcme Ltd · 1 Mill Lane")
    assert globex_reply.rstrip().endswith(f"The {globex} team"), "unset: the tenant's own name, not another's"
    assert "[cite:kb-faq-refund-status#1]" in acme_reply
    assert "Northwind" not in acme_reply and "Northwind" not in globex_reply and "Acme" not in globex_reply
    with db.tenant(acme) as conn:
        logged = conn.execute("SELECT actor, payload->>'signature' FROM audit_log WHERE action = 'brand_set'")
        assert logged.fetchall() == [("t", "Acme Care Team")]


def test_the_demo_tenant_is_northwind_and_a_bad_brand_stores_nothing(db: Database, tenant: str) -> None:
    assert DEMO_BRAND.signature == "Northwind Support"
    with pytest.raises(ValidationError, match="signature"):
        Brand(name="Acme", signature="   ")
    with db.tenant(tenant) as conn:
        before = load_brand(conn)
        store_brand(conn, DEMO_BRAND, actor="seed")
        assert load_brand(conn) == DEMO_BRAND and before.signature == f"The {tenant} team"


def test_canvas_copy_names_signs_and_footers_with_the_tenants_brand() -> None:
    """The canvas email and SMS templates once said Northwind for every tenant (issue 20.8)."""
    from hyperjourney.agents.researcher import GoalQuery, ResearchBrief
    from hyperjourney.knowledge.fact_choice import Choice
    from hyperjourney.knowledge.facts import Fact, ResultDetail

    proof = hit("kb-case#1", "Teams closed their books 4 days faster.", title="Case study", doc_type="case_study")
    fact = Fact(
        document_id="kb-case", fact_index=0, chunk_index=1, kind="result", title="Case study", section="Results",
        doc_type="case_study", updated_at=datetime(2026, 1, 5, tzinfo=UTC), text=proof.text,
        detail=ResultDetail(subject="Teams", metric="close", change="4 days"),
    )  # fmt: skip
    chosen = [copywriter.Chosen(choice=Choice(fact=fact, quote=proof.text, relevance=0.9), evidence=proof)]
    brief = ResearchBrief(
        goal="Lift LTV",
        query=GoalQuery(),
        segment=segment("all", 10),
        insights=[],
        reason_codes=[],
    )
    acme = Brand(name="Acme", signature="Acme Care Team", marketing_footer="Acme Ltd · 1 Mill Lane · Unsubscribe")
    email = copywriter.template_variant("email", brief, chosen, lambda _: [], acme).value
    sms = copywriter.template_variant("sms", brief, chosen, lambda _: [], acme).value
    assert email.subject == "A read for your team from Acme"  # "Lift LTV" reads as a nurture goal
    assert email.body.rstrip().endswith("The Acme team\n\nAcme Ltd · 1 Mill Lane · Unsubscribe")
    assert sms.body.startswith("Acme: thank you for reading. Teams closed their books 4 days faster")
    assert "Northwind" not in email.body + (email.subject or "") + sms.body
    unset = Brand(name="Globex", signature="The Globex team")
    plain = copywriter.template_variant("email", brief, chosen, lambda _: [], unset).value
    assert plain.body.rstrip().endswith("opted in to Globex updates. Unsubscribe · Manage preferences")
    demo = copywriter.template_variant("email", brief, chosen, lambda _: [], DEMO_BRAND).value
    assert "Northwind, 500 Harbor Street, Seattle, WA 98101" in demo.body, "the demo keeps its legal footer"
