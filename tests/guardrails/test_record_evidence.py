"""Record evidence (issue 15.3): a claim citing the customer's record must state the row's value; the tone and
reading-level lexicons, which are English, measure nothing on a reply in the customer's own language."""

from __future__ import annotations

from hyperjourney.guardrails.brand import check_brand
from hyperjourney.guardrails.citations import check_citations
from hyperjourney.guardrails.models import Asset, Evidence
from hyperjourney.guardrails.records import RecordFact
from hyperjourney.guardrails.rules import demo_rules
from hyperjourney.guardrails.tone import ToneAttributes, reads_english

STATUS = RecordFact(citation_id="record:order/ord_000212#status", table="order", key="ord_000212", field="status",
                    value="shipped")  # fmt: skip


def _codes(body: str, evidence: list[Evidence]) -> set[str]:
    asset = Asset(kind="support_reply", body=body, citations=["record:order/ord_000212#status"])
    return {f.code for f in check_citations(asset, evidence, demo_rules())}


def test_a_record_claim_states_the_rows_value_in_any_locale_and_a_changed_value_is_blocked() -> None:
    evidence = [STATUS.evidence()]
    assert _codes("Your order ord_000212 is shipped. [cite:record:order/ord_000212#status]", evidence) == set()
    assert _codes("Ihre Bestellung ord_000212 ist versandt. [cite:record:order/ord_000212#status]", evidence) == set()
    wrong = "Your order ord_000212 is delivered. [cite:record:order/ord_000212#status]"
    assert _codes(wrong, evidence) == {"record_mismatch"}
    other_order = "Your order ord_000213 is shipped. [cite:record:order/ord_000212#status]"
    assert _codes(other_order, evidence) == {"record_mismatch"}


def test_a_german_reply_is_not_read_with_english_tone_words_but_an_english_one_is() -> None:
    warm = ToneAttributes(formality=0.25, warmth=1.0, brevity=0.5)
    german = ("Hallo Anna,\n\nDanke für Ihre Nachricht. Folgendes kann ich Ihnen sagen: Ihre Bestellung ist "
              "unterwegs und kommt in wenigen Tagen an, die Sendungsnummer steht in der E-Mail.\n")  # fmt: skip
    english = ("Hi Anna,\n\nPer the policy, the order must be returned within the period stated in the terms and "
               "conditions of the purchase agreement and the shipment must be complete.\n")  # fmt: skip
    assert not reads_english(german) and reads_english(english)
    codes = {f.code for f in check_brand(Asset(kind="support_reply", body=german, tone=warm), [], demo_rules())}
    assert not codes & {"tone_warmth", "tone_formality", "reading_level"}
    codes = {f.code for f in check_brand(Asset(kind="support_reply", body=english, tone=warm), [], demo_rules())}
    assert "tone_warmth" in codes
    # a draft too short to read as any language (an LLM tier's "x") is still measured, and fails
    codes = {f.code for f in check_brand(Asset(kind="support_reply", body="x", tone=warm), [], demo_rules())}
    assert "tone_warmth" in codes
