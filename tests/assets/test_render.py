"""Marked copy → asset → what the customer gets per channel and locale, and what the reviewer inspects."""

from __future__ import annotations

import pytest

from hyperjourney.assets.marked import MarkedCopyError, parse_marked
from hyperjourney.assets.models import ClaimBlock, TextBlock
from hyperjourney.assets.render import RenderError, render, reviewer_view
from hyperjourney.assets.validate import launchable, validate_copy
from hyperjourney.data.demo_tenant import DEMO_BRAND
from hyperjourney.guardrails.models import Evidence
from hyperjourney.guardrails.rules import ContentRules, demo_rules
from hyperjourney.prompts.loader import load

ACME = Evidence(
    citation_id="kb-acme#2",
    title="Case study: Acme Books",
    text="Acme closed its books 4 days faster each month after switching to Northwind Ledger.",
)
SYNC = Evidence(
    citation_id="kb-sync#0", title="Bank sync", text="Northwind Ledger syncs with 12,000 banks every night."
)
FACT = "Acme closed its books 4 days faster each month after switching to Northwind Ledger"
SUBJECT = "An idea for your team from Northwind"


def email_copy(proof: str) -> str:
    return (
        load("template_email_canvas")
        .render(
            subject=SUBJECT,
            lead="Here is what one team measured:",
            proof=proof,
            brand=DEMO_BRAND.name,
            marketing_footer=DEMO_BRAND.email_footer(),
        )
        .split("\n", 2)[-1]
        .strip()
    )


def test_marked_copy_becomes_text_and_claim_blocks() -> None:
    asset = parse_marked(
        f"Hi there,\n\n{FACT} [cite:kb-acme#2]. Our bank sync covers 12,000 banks. [cite:kb-sync#0]\nThanks",
        [ACME, SYNC],
        kind="email",
        subject="Hello [cite:kb-acme#2]",
    )
    assert [type(b) for b in asset.blocks] == [TextBlock, ClaimBlock, TextBlock, ClaimBlock, TextBlock]
    first, second = asset.claims()
    assert (first.text, first.citations, first.numbers) == (FACT, ["kb-acme#2"], ["4"])
    assert (second.text, second.citations, second.numbers) == (
        "Our bank sync covers 12,000 banks.",
        ["kb-sync#0"],
        ["12000"],
    )
    assert asset.subject == "Hello"
    assert [(s.citation_id, s.title) for s in asset.sources] == [("kb-acme#2", ACME.title), ("kb-sync#0", "Bank sync")]


def test_a_claim_is_the_whole_sentence_the_guardrails_see_colons_included() -> None:
    playbook = Evidence(
        citation_id="kb-ledger#5",
        title="Ledger overview",
        text='"Spend Controls Playbook" (whitepaper, 14 pages): card policy templates and receipt rules.',
    )
    fact = '"Spend Controls Playbook" (whitepaper, 14 pages): card policy templates and receipt rules.'
    asset = parse_marked(email_copy(f"{fact} [cite:kb-ledger#5]"), [playbook], kind="email", subject=SUBJECT)
    assert [c.text for c in asset.claims()] == [fact]
    assert validate_copy(asset, render(asset, "email", "en", demo_rules()), [playbook], demo_rules()).passed


def test_markers_on_their_own_line_join_the_claim_above_and_a_stray_marker_is_an_error() -> None:
    asset = parse_marked(f"{FACT}.\n[cite:kb-acme#2]\n[cite:kb-sync#0]\nBye", [ACME, SYNC], kind="email")
    assert asset.claims()[0].citations == ["kb-acme#2", "kb-sync#0"]
    with pytest.raises(MarkedCopyError, match="follows no sentence"):
        parse_marked("[cite:kb-acme#2] hello", [ACME], kind="email")
    with pytest.raises(MarkedCopyError, match="malformed citation marker"):
        parse_marked(f"{FACT} [cite: kb-acme#2", [ACME], kind="email")


def test_email_render_has_no_markers_and_ends_with_the_why_line() -> None:
    asset = parse_marked(email_copy(f"{FACT} [cite:kb-acme#2]."), [ACME], kind="email", subject=SUBJECT)
    rendered = render(asset, "email", "en", demo_rules(), why="you are one of our fintech SMBs customers")
    assert "[cite:" not in rendered.body and "[1]" not in rendered.body
    assert f"measured:\n\n{FACT}.\n\nWant to see" in rendered.body
    assert rendered.body.endswith("\n\n--\nWhy you got this: you are one of our fintech SMBs customers\n")
    assert rendered.subject == SUBJECT and rendered.citations == ["kb-acme#2"]
    assert validate_copy(asset, rendered, [ACME], demo_rules()).passed


def test_sources_footer_only_when_the_brand_rules_ask_for_it_and_in_the_locale() -> None:
    asset = parse_marked(
        email_copy(f"{FACT} [cite:kb-acme#2]. Ledger syncs with 12,000 banks every night [cite:kb-sync#0]."),
        [ACME, SYNC],
        kind="email",
        subject=SUBJECT,
    )
    footer = demo_rules().model_copy(update={"email_sources_footer": True})
    en = render(asset, "email", "en-US", footer)
    assert f"{FACT} [1]. Ledger syncs with 12,000 banks every night [2]." in en.body
    assert en.body.endswith("\n\nSources:\n[1] Case study: Acme Books\n[2] Bank sync\n")
    de = render(asset, "email", "de_DE", footer, why="Ihr Team nutzt Ledger")
    assert "\n\nQuellen:\n[1] Case study: Acme Books" in de.body and "Warum Sie das erhalten: Ihr Team" in de.body
    assert "Sources:" not in render(asset, "email", "en", demo_rules()).body
    with pytest.raises(RenderError, match="locale 'pt-BR' is not supported"):
        render(asset, "email", "pt-BR", footer)


def test_sms_render_is_the_copy_alone_and_keeps_the_segment_limit() -> None:
    text = load("template_sms_canvas").render(brand=DEMO_BRAND.name, proof=f"{FACT} [cite:kb-acme#2].").strip()
    asset = parse_marked(text, [ACME], kind="sms")
    footer = demo_rules().model_copy(update={"email_sources_footer": True})
    sms = render(asset, "sms", "en", footer, why="you left items in your cart")
    assert sms.body == f"Northwind: {FACT}. Thank you! Reply STOP to opt out" and sms.subject is None
    assert validate_copy(asset, sms, [ACME], demo_rules()).passed
    long = parse_marked(text.replace("Thank you!", "Thank you for reading this long note about month-end!"), [ACME],
                        kind="sms")  # fmt: skip
    report = validate_copy(long, render(long, "sms", "en", demo_rules()), [ACME], demo_rules())
    assert "sms_multipart" in report.codes()
    with pytest.raises(RenderError, match="a sms asset does not go out on email"):
        render(asset, "email", "en", demo_rules())


def test_reviewer_view_numbers_each_citation_with_its_source() -> None:
    asset = parse_marked(
        f"{FACT} [cite:kb-acme#2]. Ledger syncs with 12,000 banks [cite:kb-sync#0][cite:kb-gone#9].",
        [ACME, SYNC],
        kind="email",
        subject=SUBJECT,
    )
    view = reviewer_view(asset, "email", "en", demo_rules(), [ACME, SYNC])
    assert view.text.startswith(f"Subject: {SUBJECT}\n\n{FACT} [1]. Ledger syncs with 12,000 banks [2][3].")
    assert "[1] Case study: Acme Books (kb-acme#2)" in view.text
    assert "[3] kb-gone#9 (kb-gone#9) (not in evidence)" in view.text
    assert [(s.number, s.citation_id, s.found) for s in view.sources] == [
        (1, "kb-acme#2", True),
        (2, "kb-sync#0", True),
        (3, "kb-gone#9", False),
    ]
    assert view.sources[1].excerpt == SYNC.text
    assert "[1]" not in view.rendered.body and "[cite:" not in view.rendered.body


@pytest.mark.parametrize(
    ("copy", "code"),
    [
        ("Acme closed its books 9 days faster each month [cite:kb-acme#2].", "number_unsupported"),
        ("Acme closed its books 4 days faster each month [cite:kb-nope#1].", "citation_unknown"),
        ("Acme closed its books 4 days faster each month after switching.", "citation_missing"),
    ],
)
def test_claims_are_checked_against_the_cited_chunk(copy: str, code: str) -> None:
    rules = ContentRules(version="plain")
    asset = parse_marked(copy, [ACME], kind="email")
    assert code in validate_copy(asset, render(asset, "email", "en", rules), [ACME], rules).codes()


def test_a_claim_stating_a_number_its_text_lacks_is_still_checked() -> None:
    rules = ContentRules(version="plain")
    asset = parse_marked(f"{FACT} [cite:kb-acme#2].", [ACME], kind="email")
    asset.claims()[0].numbers.append("30%")
    report = validate_copy(asset, render(asset, "email", "en", rules), [ACME], rules)
    assert report.codes() == {"number_unsupported"}


def test_launchable_keeps_only_variants_that_passed() -> None:
    rules = ContentRules(version="plain")
    good = parse_marked(f"{FACT} [cite:kb-acme#2].", [ACME], kind="email")
    bad = parse_marked("Guaranteed 9 days faster close, risk-free [cite:kb-acme#2].", [ACME], kind="email")
    bad_rules = rules.model_copy(update={"banned_phrases": ["risk-free"]})
    reports = [validate_copy(a, render(a, "email", "en", bad_rules), [ACME], bad_rules) for a in (good, bad)]
    assert launchable(["email-1", "email-2"], reports) == ["email-1"]
    with pytest.raises(ValueError, match="2 variants but 1 guard reports"):
        launchable(["email-1", "email-2"], reports[:1])
