"""Content guards per asset kind: citations with numeric support, banned claims, competitors, tone/brand, PII."""

from __future__ import annotations

import pytest

from hyperjourney.guardrails.assets import validate_asset
from hyperjourney.guardrails.brand import sms_segments
from hyperjourney.guardrails.models import Asset, Evidence
from hyperjourney.guardrails.rules import ContentRulesError, demo_rules, parse_rules
from hyperjourney.guardrails.tone import ToneAttributes, estimate_tone, reading_grade

EVIDENCE = [
    Evidence(
        citation_id="cs-harborline#2",
        text="Harborline Credit Union cut month-end close from 9 days to 4 days within 90 days of switching to Ledger.",
    ),
    Evidence(citation_id="pricing#1", text="Ledger Growth costs $399 per month billed annually."),
]
FOOTER = (
    "The Northwind team\nUnsubscribe | Manage preferences | You are receiving this because you asked about Ledger.\n"
    "Northwind Cloud & Goods, 500 Harbor Street, Seattle, WA 98101"
)
GOOD_EMAIL = (
    "Hi Sam,\n\nHarborline Credit Union cut month-end close from 9 days to 4 days with Ledger [cite:cs-harborline#2]. "
    "You can see how your team could do the same.\n\nBook a walkthrough this week.\n\n" + FOOTER
)


def email(body: str, **kw: object) -> Asset:
    return Asset.model_validate({"kind": "email", "subject": "How Harborline closes in 4 days", "body": body, **kw})


def codes(asset: Asset, evidence: list[Evidence] = EVIDENCE) -> set[str]:
    return validate_asset(asset, evidence).codes()


def test_grounded_email_passes_every_check() -> None:
    report = validate_asset(email(GOOD_EMAIL, citations=["cs-harborline#2"]), EVIDENCE)
    assert report.passed, report.failures
    assert report.checked == ["citations", "banned_claims", "competitors", "policy_claims", "tone_brand", "pii"]


def test_brand_voice_tone_table() -> None:
    from hyperjourney.guardrails.tone import brand_tone

    assert brand_tone("email") == ToneAttributes(formality=0.5, warmth=0.75, brevity=0.5)
    assert brand_tone("email", ledger=True).formality == 0.75
    asset = email(GOOD_EMAIL, citations=["cs-harborline#2"], tone=brand_tone("email"))
    assert validate_asset(asset, EVIDENCE).passed


def test_claims_need_citations_that_exist_and_support_the_numbers() -> None:
    uncited = GOOD_EMAIL.replace(" [cite:cs-harborline#2]", "")
    assert "citation_missing" in codes(email(uncited))
    assert "citation_unknown" in codes(email(GOOD_EMAIL.replace("cs-harborline#2", "made-up#9")))
    assert "citation_unknown" in codes(email(GOOD_EMAIL, citations=["not-retrieved#1"]))
    invented = GOOD_EMAIL.replace("from 9 days to 4 days", "from 9 days to 3 days")
    report = validate_asset(email(invented), EVIDENCE)
    failure = next(f for f in report.failures if f.code == "number_unsupported")
    assert "3" in failure.message and failure.fix_hint and failure.span and "3 days" in failure.span
    unrelated = "Hi Sam,\n\nLedger now ships a mobile app for receipts [cite:pricing#1].\n\n" + FOOTER
    assert "citation_unsupported" in codes(email(unrelated))


def test_banned_claims_exact_fuzzy_and_translated() -> None:
    for phrase in ("risk-free", "Risk free", "returns guaranteed", "RISKFREE", "sin riesgo", "It cures blisters"):
        body = GOOD_EMAIL.replace("Book a", f"{phrase}. Book a")
        assert "banned_claim" in codes(email(body)), phrase
    assert "banned_claim" not in codes(email(GOOD_EMAIL.replace("Book a", "Security reviews are easy. Book a")))


def test_competitors_blocked_in_marketing_but_not_support_replies() -> None:
    body = GOOD_EMAIL.replace("Book a", "Teams leaving Ledgerly like it. Book a")
    assert "competitor_mention" in codes(email(body))
    reply = Asset(kind="support_reply", purpose="support", body="Thanks for letting us know you used Ledgerly before.")
    assert "competitor_mention" not in codes(reply)


def test_tone_brand_limits_caps_footers_disclaimers() -> None:
    long_subject = email(GOOD_EMAIL, subject="A subject line that runs far past the fifty character limit")
    assert "subject_too_long" in codes(long_subject)
    assert "all_caps" in codes(email(GOOD_EMAIL.replace("Book a", "ACT FAST. Book a")))
    assert "exclamations" in codes(email(GOOD_EMAIL.replace("week.", "week!!")))
    assert "footer_missing" in codes(email(GOOD_EMAIL.replace("Unsubscribe | ", "")))
    transactional = Asset(
        kind="email", purpose="transactional", body="Your invoice is attached.\n500 Harbor Street, Seattle, WA 98101"
    )
    assert "footer_missing" not in codes(transactional)
    payouts = GOOD_EMAIL.replace("Book a", "Payouts run daily. Book a")
    assert "disclaimer_missing" in codes(email(payouts))
    with_disclaimer = payouts.replace("The Northwind team", demo_rules().disclaimers[0].text + "\nThe Northwind team")
    assert "disclaimer_missing" not in codes(email(with_disclaimer))
    goods = Asset(kind="support_reply", purpose="support", body="We refunded your card for the boots.")
    assert "disclaimer_missing" not in codes(goods)


def test_sms_segments_and_stop_text() -> None:
    ok = Asset(kind="sms", body="Northwind: new trail styles just landed in the app. Reply STOP to opt out")
    assert validate_asset(ok, []).passed
    assert sms_segments("a" * 160) == (1, "GSM-7") and sms_segments("a" * 161) == (2, "GSM-7")
    assert sms_segments("ü" * 70)[0] == 1 and sms_segments("😀" * 40) == (2, "UCS-2")
    too_long = Asset(kind="sms", body="Northwind: " + "spring styles are in store now. " * 6 + "Reply STOP to opt out")
    assert "sms_multipart" in codes(too_long)
    assert {"footer_missing"} <= codes(Asset(kind="sms", body="Northwind: new boots are in store today."))
    huge = Asset(kind="sms", body="x " * 200 + "Reply STOP to opt out")
    assert "body_too_long" in codes(huge)


def test_tone_estimator_and_tolerance() -> None:
    casual = "Hey! Awesome news, you're gonna love this. Grab yours, it's super cool!"
    formal = "Dear customer, please be advised that your request regarding the invoice has been received."
    assert estimate_tone(casual).formality < 0.3 < 0.7 < estimate_tone(formal).formality
    assert (
        estimate_tone(formal).warmth
        < estimate_tone("Thanks so much, we're glad you're here and happy to help you.").warmth
    )
    reply = Asset(
        kind="support_reply",
        purpose="support",
        body=formal,
        tone=ToneAttributes(formality=0.2, warmth=1.0, brevity=0.5),
    )
    report = validate_asset(reply, [])
    assert {"tone_formality", "tone_warmth"} <= report.codes()
    assert all(f.fix_hint for f in report.failures)
    assert (
        reading_grade("The cat sat. The dog ran.")
        < 3
        < reading_grade(
            "Comprehensive reconciliation functionality substantially accelerates organizational month-end procedures."
        )
    )


def test_pii_of_other_people_and_internal_notes() -> None:
    reply = Asset(
        kind="support_reply",
        purpose="support",
        body="Hi Ana, we emailed ana@example.com and also bob@example.net. Card 4111 1111 1111 1111 was charged. "
        "Internal note: customer is a VIP.",
        recipient_pii=["ana@example.com"],
    )
    failures = validate_asset(reply, []).failures
    spans = {(f.code, f.span) for f in failures}
    assert ("pii_other_person", "bob@example.net") in spans
    assert ("pii_financial", "4111 1111 1111 1111") in spans
    assert not any(f.span == "ana@example.com" for f in failures)
    assert "internal_note" in {f.code for f in failures}


def test_evidence_from_a_search_hit() -> None:
    from types import SimpleNamespace

    hit = SimpleNamespace(citation_id="doc#2", text="", snippet="Refunds take 5 days.", title="FAQ")
    assert Evidence.from_hit(hit) == Evidence(citation_id="doc#2", text="Refunds take 5 days.", title="FAQ")


def test_empty_copy_is_a_failure_never_a_pass() -> None:
    report = validate_asset(Asset(kind="email", body="   "), EVIDENCE)
    assert not report.passed and report.codes() == {"empty"}


def test_content_rules_errors_name_the_field() -> None:
    with pytest.raises(ContentRulesError, match=r"length_limits\.fax"):
        parse_rules("length_limits: {fax: {body_max_chars: 10}}")
    with pytest.raises(ContentRulesError, match="banned_phrasez"):
        parse_rules("banned_phrasez: [x]")
    assert "risk-free" in demo_rules().banned_phrases


def test_validation_works_inside_a_running_event_loop() -> None:
    import asyncio
    import warnings

    async def inside() -> bool:
        return validate_asset(email(GOOD_EMAIL, citations=["cs-harborline#2"]), EVIDENCE).passed

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert asyncio.run(inside())
