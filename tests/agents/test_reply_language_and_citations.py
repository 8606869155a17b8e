"""Support replies: every sentence of a fact cited, the customer's language read from the ticket, the agent's gist,
praise and very negative openings (copilot3: the dev regressions of 2026-12-07 and issue 15.3/15.4)."""

from __future__ import annotations

from datetime import UTC, datetime

from hyperjourney.agents import copywriter
from hyperjourney.agents.base import AgentContext
from hyperjourney.agents.gist import ticket_gist
from hyperjourney.data.brand import Brand
from hyperjourney.evals import grounding
from hyperjourney.guardrails.models import Evidence
from hyperjourney.knowledge.language import detect
from hyperjourney.models.accounting import Ledger
from hyperjourney.models.router import Router
from hyperjourney.models.tiers import Tiers

FAQ = (
    "If the email does not arrive within 10 minutes, check your spam folder, then request a new link. "
    "Only the newest link works."
)
BRAND = Brand(name="Northwind", signature="Northwind Support")


def test_a_fact_of_two_sentences_is_grounded_sentence_by_sentence() -> None:
    """One marker after the second sentence left the first uncited: the draft failed the guardrail (0.8)."""
    line = copywriter.cite_each(FAQ, "kb-faq-account-login#1")
    assert line.count("[cite:kb-faq-account-login#1]") == 2
    graded = grounding.grade(f"- {line}", [Evidence(citation_id="kb-faq-account-login#1", text=FAQ, title="Login")])
    assert (graded.claims, graded.grounded) == (2, 2)
    old = grounding.grade(f"- {FAQ} [cite:kb-faq-account-login#1]", [Evidence(citation_id="kb-faq-account-login#1",
                                                                          text=FAQ, title="Login")])  # fmt: skip
    assert old.grounded < old.claims  # the merged rendering, for contrast


def test_language_is_read_from_the_ticket_not_the_profile() -> None:
    assert detect("Hallo, meine Bestellung ord_000074 ist immer noch nicht da. Viele Grüße", "en").language == "de"
    assert detect("Hola, quiero cancelar la suscripción al final del mes.", "en").language == "es"
    assert detect("Bonjour, ma commande n'est toujours pas arrivée.", "en").language == "fr"
    short = detect("ok thx ord_000212", "fr")
    assert (short.language, short.source) == ("fr", "profile")  # too few letters: the profile's language


def _ctx() -> AgentContext:
    router = Router(Tiers(), Ledger("copilot", 0.05, 50_000))
    return AgentContext(tools=None, router=router, now=datetime(2026, 3, 1, tzinfo=UTC), run_id="r1")  # type: ignore[arg-type]


def test_gist_for_an_agent_in_another_language_says_it_is_not_translated_without_an_llm_tier() -> None:
    text = "Hola, quiero cancelar la suscripción de Boards al final del mes."
    gist = ticket_gist(_ctx(), text, detect(text), "en")
    assert gist is not None and not gist.translated
    assert gist.text == text and gist.language == "es" and gist.note.startswith("not translated")
    assert ticket_gist(_ctx(), "Where is my order? It was due on Monday.", detect("Where is my order? It was due"),
                       "en") is None  # fmt: skip


def test_praise_is_thanked_confidently_and_very_negative_gets_an_apology_and_an_owner() -> None:
    def passes(draft: copywriter.CopyDraft) -> list[str]:
        return []

    praise = copywriter.template_reply("Ana", "praise", "positive", [], 0.35, passes, BRAND)
    assert praise.confidence == 1.0 and "[cite:" not in praise.value.body  # thanks, no facts, nothing in doubt
    angry = copywriter.template_reply("Ana", "complaint", "very_negative", [], 0.9, passes, BRAND, locale="de")
    words = copywriter.phrases("de")
    assert words["very_negative"] in angry.value.body and words["owner_closing"] in angry.value.body
    assert angry.confidence < 0.6  # no fact on the ticket: a person takes it (low relevance)


def test_a_reply_escalates_with_its_own_typed_reason() -> None:
    from hyperjourney.graphs.copilot import reply_escalations

    def reply(tier: str, passed: bool) -> copywriter.Reply:
        return copywriter.Reply(body="Hi", citations=[], tier=tier, passed_guardrails=passed, relevance=0.3)

    assert [e.reason for e in reply_escalations(reply("human", True))] == ["low_relevance"]
    assert [e.reason for e in reply_escalations(reply("human", False))] == ["guardrails"]
    assert reply_escalations(reply("small", True)) == []


def test_a_reply_whose_facts_trigger_a_disclaimer_carries_it_and_a_formal_tone_greets_formally() -> None:
    """A Ledger card fact needs the tenant's financial disclaimer (it failed the guard: a false escalation)."""
    from hyperjourney.guardrails.rules import demo_rules
    from hyperjourney.guardrails.tone import ToneAttributes

    def passes(draft: copywriter.CopyDraft) -> list[str]:
        return []

    rules = demo_rules()
    disclaimer = " ".join(next(d for d in rules.disclaimers if d.name == "ledger_financial").text.split())
    line = "Ledger card payouts reach your account within 2 business days. [cite:kb-ledger#1]"
    formal = ToneAttributes(formality=0.75, warmth=0.5, brevity=0.5)
    got = copywriter.template_reply("Ana", "billing_question", "neutral", [], 0.9, passes, BRAND, records=[line],
                                    rules=rules, tone=formal)  # fmt: skip
    assert disclaimer in " ".join(got.value.body.split()) and got.value.body.startswith("Dear Ana,")
    plain = copywriter.template_reply("Ana", "billing_question", "neutral", [], 0.9, passes, BRAND,
                                      records=["Your account is on the Team plan. [cite:record:customer/c1#plan]"],
                                      rules=rules)  # fmt: skip
    assert disclaimer not in " ".join(plain.value.body.split()) and plain.value.body.startswith("Hi Ana,")
