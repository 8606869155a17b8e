"""Campaign copy from the template library: keys and variants, tone realised, disclaimers, four languages, and the
brief's offer deciding which facts reach the copy (the required-fact recall regression of the typed fact choice)."""

from __future__ import annotations

import re

import pytest
import yaml
from pydantic import ValidationError

from hyperjourney.agents import campaign_copy, copywriter
from hyperjourney.agents.base import AgentContext
from hyperjourney.agents.campaign_copy import CampaignBrief, Proof
from hyperjourney.agents.researcher import GoalQuery, ResearchBrief
from hyperjourney.db.database import Database
from hyperjourney.guardrails.rules import demo_rules
from hyperjourney.guardrails.tone import ToneAttributes, estimate_tone, tone_words
from hyperjourney.guardrails.tone_policy import DEFAULT, TonePolicy, channel_tone
from hyperjourney.knowledge.models import IngestReport
from hyperjourney.prompts.loader import load
from hyperjourney.scoring.schema import Segment, SegmentQuery
from hyperjourney.settings import Settings
from tests.agents.test_copywriter_facts import _ctx

FORMAL = ToneAttributes(formality=0.75, warmth=0.75, brevity=0.5)
CASUAL = ToneAttributes(formality=0.25, warmth=0.75, brevity=1.0)
RESULT = Proof(text="Harborline Credit Union cut month-end close from 9 days to 4 days.", citation_id="kb-cs#3",
               kind="result")  # fmt: skip
PRICE = Proof(text="Northwind Ledger Scale costs $599 per month.", citation_id="kb-pricing#1", kind="pricing",
              plan="Scale")  # fmt: skip
SPEC = Proof(text="The Stratus 3 weighs 240 g.", citation_id="kb-goods#2", kind="attribute")
# the test's own word lists (not the product's): common function words of each language
LANGUAGE_WORDS = {
    "de": {"und", "sie", "ihr", "ihnen", "wir", "für", "der", "die", "das", "ist", "mit", "zu", "dank", "grüßen"},
    "en": {"the", "and", "you", "your", "we", "for", "to", "with", "is", "this", "thank", "regards"},
}


@pytest.fixture(scope="module")
def kb_ctx(db: Database, settings: Settings, demo_kb: tuple[str, IngestReport]) -> AgentContext:
    return _ctx(db, settings, demo_kb[0])


def _write(channel: campaign_copy.Channel, kind: campaign_copy.GoalKind, business: str | None, locale: str,
           proofs: list[Proof], tone: ToneAttributes, variant: int = 0) -> campaign_copy.Written:  # fmt: skip
    return campaign_copy.write(
        channel, kind, business, locale, proofs, tone, variant=variant, brand="Acme", footer="Unsubscribe here",
        rules=demo_rules(),
    )  # fmt: skip


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zäöüß]+", text.lower())


@pytest.mark.parametrize("locale", campaign_copy.LOCALES)
def test_every_goal_kind_and_channel_has_three_variants_in_each_locale(locale: str) -> None:
    prompt = campaign_copy.library(locale)
    assert prompt.name == f"campaign_copy_{locale}" and prompt.sha256 == load(prompt.name).sha256
    table = yaml.safe_load(prompt.text)
    assert set(table["goals"]) == set(campaign_copy.GOAL_KINDS)
    for kind, keyed in table["goals"].items():
        for part in ("subject", "direct", "soft", "short"):  # a business may override some, never these
            assert len(keyed["any"][part]) >= 3, (locale, kind, part)
    assert set(table["channels"]) == {"email", "sms", "push", "in_app", "chat"}
    assert all(len(v) >= 3 for v in table["channels"].values())
    texts = {_write("email", "meeting", "ledger", locale, [PRICE], FORMAL, v).body for v in range(3)}
    assert len(texts) == 3, "three A/B variants write three different emails"


def test_tone_sets_register_hedging_and_how_many_facts_are_said() -> None:
    formal = _write("email", "meeting", "ledger", "en", [RESULT, PRICE, RESULT], FORMAL, variant=1)
    casual = _write("email", "meeting", "ledger", "en", [RESULT, PRICE, RESULT], CASUAL, variant=1)
    assert formal.voice == "formal" and casual.voice == "warm"
    assert "Best regards," in formal.body and "Best regards," not in casual.body
    assert "Could we schedule a call" in formal.body, "a formal brief asks, hedged"
    assert "Schedule a call with a Ledger specialist this week." in casual.body, "a brief one tells (Ledger's own)"
    wordy = _write(
        "email", "meeting", "ledger", "en", [RESULT, PRICE, RESULT], FORMAL.model_copy(update={"brevity": 0.25})
    )
    assert wordy.body.count("[cite:") == 3, "brevity sets the facts said"
    assert formal.body.count("[cite:") == 2 and casual.body.count("[cite:") == 1, "brevity sets the facts said"
    assert formal.subject and len(formal.subject) <= 50


def test_a_customer_result_about_ledger_brings_its_disclaimer_and_a_goods_spec_does_not() -> None:
    ledger = _write("email", "nurture", "ledger", "en", [RESULT], FORMAL)
    text = " ".join(ledger.body.split())
    assert ledger.disclaimers and "not a bank" in text and "will vary" in text
    assert text.index("not a bank") < text.index("Unsubscribe here"), "the disclaimer sits above the footer"
    goods = _write("email", "cross_sell", "goods", "en", [SPEC], FORMAL)
    assert goods.disclaimers == [] and "not a bank" not in goods.body


def test_an_sms_says_a_ledger_result_only_with_its_disclaimer_so_it_says_another_fact_or_none() -> None:
    sms = _write("sms", "nurture", "ledger", "en", [RESULT], CASUAL)
    assert sms.disclaimers and "not a bank" in sms.body and "will vary" in sms.body, sms.body
    assert len(sms.body) > 160, "fact and disclaimer cannot fit one SMS: the guardrails refuse it"
    bare = _write("sms", "nurture", "ledger", "en", [], CASUAL)
    assert "[cite:" not in bare.body and "  " not in bare.body and bare.body.endswith("Reply STOP to opt out")


def test_a_product_fact_is_stated_as_a_product_fact_and_a_result_as_what_one_team_measured() -> None:
    spec = _write("email", "nurture", "goods", "en", [SPEC], FORMAL)
    result = _write("email", "nurture", "ledger", "en", [RESULT], FORMAL)
    assert "measured" not in spec.body and "told us" not in spec.body and "A few facts about Acme Goods:" in spec.body
    assert "Here is what one team measured:" in result.body


def test_the_rendered_email_for_a_german_goal_is_german() -> None:
    fact = Proof(text="Die Stratus 3 wiegt 240 g.", citation_id="kb-de#2", kind="attribute")
    german = _write("email", "win_back", "goods", "de", [fact], FORMAL)
    words = _words(german.body)
    de = sum(w in LANGUAGE_WORDS["de"] for w in words)
    en = sum(w in LANGUAGE_WORDS["en"] for w in words)
    assert de >= 5 and en == 0, german.body
    assert german.subject in ("Neu in Acme Goods", "Zurück zu Acme Goods", "Ihr Platz in Acme Goods")


@pytest.mark.parametrize("locale", ["de", "es", "fr"])
def test_formal_copy_is_written_in_the_register_its_language_check_reads(locale: str) -> None:
    fact = Proof(text="Northwind Ledger Scale: 599 USD.", citation_id="kb-pricing#1", kind="pricing", plan="Scale")
    for variant in range(3):
        body = _write("email", "meeting", "ledger", locale, [fact], FORMAL, variant).body
        prose = re.sub(r"\s*\[cite:[^\]]*\]", "", body.replace("Unsubscribe here", ""))
        got = estimate_tone(prose, locale)
        assert abs(got.formality - FORMAL.formality) <= 0.3 and abs(got.warmth - FORMAL.warmth) <= 0.3, (got, body)
        assert tone_words(prose, "formality", "low", locale) == [], "no du, tú or tu for a formal tenant"


def test_goal_kinds_are_read_from_the_goal() -> None:
    assert campaign_copy.goal_kind_of("Book a 30-minute demo with a Ledger specialist") == "meeting"
    assert campaign_copy.goal_kind_of("Win back shoppers who haven't ordered in 90 days") == "win_back"
    assert campaign_copy.goal_kind_of("Upgrade Growth accounts to Scale") == "upsell"
    assert campaign_copy.goal_kind_of("Connect a first bank account during the trial") == "activation"


def test_the_tenant_tone_policy_gives_each_channel_its_brand_voice() -> None:
    assert channel_tone("email", "ledger", DEFAULT) == FORMAL
    assert channel_tone("sms", None, DEFAULT) == ToneAttributes(formality=0.25, warmth=0.75, brevity=1.0)
    stored = DEFAULT.model_dump(exclude={"channels"})  # a policy stored before the channel table still reads
    assert TonePolicy.model_validate(stored).channels == DEFAULT.channels
    terse = TonePolicy.model_validate({**stored, "channels": {**DEFAULT.channels, "email": (3, 4, 5)}})
    assert channel_tone("email", None, terse).brevity == 1.0
    with pytest.raises(ValidationError, match="sms"):
        TonePolicy.model_validate({**stored, "channels": {"sms": (9, 1, 1)}})


def test_the_briefs_offer_brings_its_own_facts_into_the_copy(kb_ctx: AgentContext) -> None:
    """The regression of the typed fact choice: with only results allowed and the offer unread, a Harborline
    story brief got one generic fact; the brief's offer now decides, and the email states both of its results."""
    segment = Segment(name="credit unions", definition=SegmentQuery(), size=50, customer_ids=[], why=[], baseline={})
    brief = ResearchBrief(goal="Book a 30-minute demo with a Ledger specialist", query=GoalQuery(industry="banking"),
                          segment=segment, insights=[], reason_codes=[])  # fmt: skip
    campaign = CampaignBrief(
        channel="email", business="ledger", offer="Harborline Credit Union customer story", tone=FORMAL,
        audience="CFOs and controllers at US credit unions",
    )  # fmt: skip
    result = copywriter.write_variants(kb_ctx, brief, campaign)
    email = next(v for v in copywriter.CopySet.model_validate(result.output.model_dump()).variants
                 if v.channel == "email")  # fmt: skip
    assert "cut month-end close from 9 days to 4 days" in email.body, email.body
    assert "reduced reconciliation errors by 62%" in email.body, email.body
    assert "auto-match rate" not in email.body, "brevity 0.5: the two best facts"
    assert "not a bank" in email.body, email.body
    sms = next(v for v in copywriter.CopySet.model_validate(result.output.model_dump()).variants if v.channel == "sms")
    # a result goes out only with its disclaimer, and the two do not fit one SMS segment: the SMS says no result (and
    # so needs no disclaimer), still names the product and the goal's call to action, and passes
    assert "Harborline" not in sms.body and "62%" not in sms.body and "not a bank" not in sms.body, sms.body
    assert "Ledger" in sms.body and "Schedule a call" in sms.body and sms.passed_guardrails, sms.body
    # the shared KB tenant stores no brand, so the demo rules' postal footer is all the guardrails miss (and the
    # draft goes to a person for it, as any copy of an unbranded tenant does)
    why = copywriter.revalidate(kb_ctx, [email], copywriter.CopySet.model_validate(result.output.model_dump()).evidence)
    assert [w for w in why if "footer_missing" not in w] == [], why
    assert email.tone == FORMAL and email.locale == "en" and email.review_note == ""
