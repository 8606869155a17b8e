"""Refund, price and time-limit claims must be entailed by the cited chunks of the demo KB (issue 20.10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyperjourney.guardrails.assets import validate_asset
from hyperjourney.guardrails.claims import check_entailment, read_claim
from hyperjourney.guardrails.models import Asset, Evidence
from hyperjourney.guardrails.rules import demo_rules
from hyperjourney.knowledge.chunking import chunk_markdown
from hyperjourney.knowledge.readers import read_document

KB = Path(__file__).parents[2] / "hyperjourney" / "knowledge" / "kb" / "demo"
SECTIONS = {
    "monthly": ("faq-cancel-subscription.md", "What happens after I cancel a monthly plan?"),
    "annual": ("faq-cancel-subscription.md", "Can I get a refund on an annual plan?"),
    "window": ("returns-refunds-shipping.md", "Return window and condition"),
    "refunds": ("returns-refunds-shipping.md", "How refunds work"),
}


@pytest.fixture(scope="module")
def evidence() -> list[Evidence]:
    """The demo KB's refund-policy chunks, as the real chunker cuts them."""
    out = []
    for cid, (name, section) in SECTIONS.items():
        doc = read_document(KB / name, KB)
        chunk = next(c for c in chunk_markdown(doc.title, doc.body) if c.section.endswith(section))
        out.append(Evidence(citation_id=cid, title=doc.title, text=chunk.text))
    return out


def _failures(body: str, evidence: list[Evidence]) -> list[str]:
    return [f.message for f in check_entailment(Asset(kind="support_reply", body=body), evidence, demo_rules())]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("Monthly plans are refunded in full [cite:monthly].", "states the opposite"),
        ("You can get a refund at any time, not only within 30 days [cite:window].", "the cited text"),
        ("We will send your refund without a return [cite:refunds].", "does not state that condition"),
        ("Annual plans can be refunded within 60 days of purchase [cite:annual].", "different limit"),
        ("Refunds can be paid in cash [cite:refunds].", "states the opposite"),
        ("Monthly plans are refunded in full [cite:refunds].", "does not cover that plan"),
    ],
)
def test_claims_that_contradict_the_cited_policy_are_blocked(body: str, why: str, evidence: list[Evidence]) -> None:
    failures = _failures(body, evidence)
    assert len(failures) == 1 and why in failures[0], failures


@pytest.mark.parametrize(
    "body",
    [
        "We do not refund partial months; your monthly plan stays active until the end of the period [cite:monthly].",
        "If you cancel within 30 days of your first annual purchase, you get a full refund [cite:annual].",
        "After 30 days, annual plans are not refunded [cite:annual].",
        "You can return items within 30 days of delivery [cite:window].",
        "Trail Club members get 60 days to return items [cite:window].",
        "Your refund goes to the original payment method within 5-7 business days after the return arrives "
        "[cite:refunds].",
        "Thanks for reaching out, we are sorry the boots did not fit.",
    ],
)
def test_true_paraphrases_pass(body: str, evidence: list[Evidence]) -> None:
    assert _failures(body, evidence) == []


def test_claim_reading() -> None:
    claim = read_claim("Annual plans aren't refunded after 30 days, with or without a receipt.")
    assert claim.negated and claim.durations == {"30 day"} and claim.plans == {"annual"}
    assert claim.without == {"receipt"} and "refund" in claim.topics
    assert not read_claim("Refunds are not only for members; anyone can ask.").negated
    assert read_claim("Return it at any time.").unbounded


def test_the_output_guard_blocks_the_issue_promise(evidence: list[Evidence]) -> None:
    reply = Asset(
        kind="support_reply",
        body="Hi Ana,\n\nGood news: monthly plans are refunded in full [cite:monthly].\n\nNorthwind Support",
        citations=["monthly"],
    )
    report = validate_asset(reply, evidence)
    assert not report.passed and "claim_not_entailed" in report.codes()
