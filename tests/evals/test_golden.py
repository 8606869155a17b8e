"""The golden datasets: sizes, unique ids, facts backed by the KB, balanced labels, clear errors."""

from __future__ import annotations

import base64
import inspect
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from hyperjourney.data import demo_tenant
from hyperjourney.evals import golden, golden_tickets
from hyperjourney.evals.golden import CopyBrief, GoldenDataError, GoldenTicket, SafetyCase, TicketLabels


@pytest.fixture(scope="module")
def tickets() -> list[GoldenTicket]:
    return golden.load_copilot_tickets()


@pytest.fixture(scope="module")
def exported() -> list[GoldenTicket]:
    """One export per module: it generates the held-out world and the full demo world."""
    return golden_tickets.build()


def test_copilot_tickets_size_ids_and_balance(tickets: list[GoldenTicket]) -> None:
    assert len(tickets) == 100
    assert len({t.id for t in tickets}) == 100
    intents = Counter(t.labels.intent for t in tickets)
    assert len(intents) == 12
    assert max(intents.values()) - min(intents.values()) <= 1
    assert {t.labels.sentiment for t in tickets} == {"very_negative", "negative", "neutral", "positive"}
    assert sum(t.labels.escalate for t in tickets) >= 15
    assert {t.business for t in tickets} == {"ledger", "boards", "goods"}
    assert {"de", "es", "fr"} <= {t.language for t in tickets}
    assert any(t.labels.injection for t in tickets) and any(t.labels.pii for t in tickets)


def test_committed_tickets_equal_the_export(exported: list[GoldenTicket]) -> None:
    """The JSONL is reproducible from the generator; a drift means: regenerate and review the diff."""
    assert golden_tickets.render(exported) == golden.COPILOT_TICKETS.read_text(encoding="utf-8")


def test_tickets_are_held_out_from_the_demo_tenant(exported: list[GoldenTicket]) -> None:
    defaults = inspect.signature(demo_tenant.seed).parameters
    demo_args = {"seed": "seed_value", "customers": "customers", "events": "events", "tickets": "tickets"}
    assert {k: defaults[v].default for k, v in demo_args.items()} == golden_tickets.DEMO
    assert golden_tickets.DEMO["seed"] != golden_tickets.HELD_OUT_SEED
    assert {t.body for t in exported}.isdisjoint(golden_tickets.demo_index().texts)


@pytest.mark.parametrize(
    ("sentiment", "reasons", "business", "expected"),
    [
        ("very_negative", ["legal_threat", "very_negative"], "goods", ("angry", 0.5, 0.75, 0.75)),
        ("negative", ["safety"], "goods", ("high_stakes", 0.75, 0.75, 0.5)),
        ("neutral", ["data_breach"], "ledger", ("high_stakes", 1.0, 0.75, 0.5)),
        ("positive", [], "boards", ("happy", 0.25, 1.0, 0.75)),
        ("positive", [], "ledger", ("happy", 0.5, 1.0, 0.75)),
        ("neutral", [], "boards", ("confused", 0.25, 0.75, 0.5)),
    ],
)
def test_expected_tone_follows_the_support_tone_guide(
    sentiment: str, reasons: list[str], business: str, expected: tuple[str, float, float, float]
) -> None:
    labels = TicketLabels.model_validate(
        {
            "intent": "complaint",
            "sentiment": sentiment,
            "escalate": bool(reasons),
            "escalation_reasons": reasons,
            "injection": False,
            "pii": False,
        }
    )
    tone = golden_tickets.expected_tone(labels, business)
    assert (tone.situation, tone.formality, tone.warmth, tone.brevity) == expected


def test_committed_tone_matches_the_rule(tickets: list[GoldenTicket]) -> None:
    for t in tickets:
        assert t.tone == golden_tickets.expected_tone(t.labels, t.business), t.id


def test_malformed_ticket_names_file_item_and_field(tmp_path: Path, tickets: list[GoldenTicket]) -> None:
    rows = [t.model_dump(mode="json") for t in tickets[:3]]
    rows[1]["labels"]["sentiment"] = "furious"
    path = tmp_path / "copilot_tickets.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(
        GoldenDataError, match=rf"copilot_tickets.jsonl: item '{rows[1]['id']}': field labels.sentiment"
    ):
        golden.load_copilot_tickets(path)


def test_ticket_line_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "copilot_tickets.jsonl"
    path.write_text('{"id": "tkt-001"\n', encoding="utf-8")
    with pytest.raises(GoldenDataError, match=r"copilot_tickets\.jsonl: line 1: not valid JSON"):
        golden.load_copilot_tickets(path)


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def briefs() -> list[CopyBrief]:
    return golden.load_copy_briefs()


def test_copy_briefs_size_ids_and_spread(briefs: list[CopyBrief]) -> None:
    assert len(briefs) == 60
    assert len({b.id for b in briefs}) == 60
    assert Counter(b.channel for b in briefs) == {"email": 15, "sms": 15, "in_app": 15, "ad_copy": 15}
    assert Counter(b.business for b in briefs) == {"ledger": 20, "boards": 20, "goods": 20}
    assert {"us", "uk", "eu"} <= {b.region for b in briefs}


def test_every_required_fact_is_quoted_from_an_existing_kb_file(briefs: list[CopyBrief]) -> None:
    for brief in briefs:
        for fact in brief.required_facts:
            text = _norm(golden.kb_text(fact.source))
            assert _norm(fact.quote) in text, (brief.id, fact.source, fact.quote)
            if fact.number is not None:
                assert golden.number_in(fact.number, text), (brief.id, fact.number)
    assert sum(f.number is not None for b in briefs for f in b.required_facts) >= 60


def test_traps_catch_their_own_claim_and_cite_the_rule(briefs: list[CopyBrief]) -> None:
    banned = golden.kb_text("banned-claims")
    for brief in briefs:
        for trap in brief.traps:
            assert trap.violated_by(trap.claim), (brief.id, trap.claim)
            if trap.source == "banned-claims":
                assert any(re.search(p, banned, re.IGNORECASE) for p in trap.patterns), (brief.id, trap.patterns)


def test_traps_do_not_fire_on_the_facts_the_copy_must_state(briefs: list[CopyBrief]) -> None:
    """A trap that matches a required fact would make grounded copy fail: the brief would contradict itself."""
    for brief in briefs:
        for trap in brief.traps:
            for fact in brief.required_facts:
                assert not trap.violated_by(fact.quote), (brief.id, trap.claim, fact.quote)


def test_number_in_matches_whole_figures_only() -> None:
    assert golden.number_in("4", "from 9 days to 4 days")
    assert not golden.number_in("4", "14-day trial and 4.5 stars")
    assert golden.number_in("10,000", "over $10,000 require")
    assert not golden.number_in("10", "10,000 transactions")


def test_unknown_kb_source_is_an_error() -> None:
    with pytest.raises(GoldenDataError, match="no-such-doc"):
        golden.kb_text("no-such-doc")


def test_malformed_brief_names_file_item_and_field(tmp_path: Path) -> None:
    data = yaml.safe_load(golden.COPY_BRIEFS.read_text(encoding="utf-8"))
    data["briefs"][4]["required_facts"][0]["number"] = "600"
    path = tmp_path / "copy_briefs.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(GoldenDataError, match=r"copy_briefs\.yaml: item 'copy-005': field required_facts\.0"):
        golden.load_copy_briefs(path)
    data["briefs"][4]["required_facts"][0]["number"] = "599"
    data["briefs"][4]["channel"] = "fax"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(GoldenDataError, match=r"item 'copy-005': field channel"):
        golden.load_copy_briefs(path)


def test_duplicate_brief_id_is_an_error(tmp_path: Path) -> None:
    data = yaml.safe_load(golden.COPY_BRIEFS.read_text(encoding="utf-8"))
    data["briefs"][1]["id"] = data["briefs"][0]["id"]
    path = tmp_path / "copy_briefs.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(GoldenDataError, match=r"item 'copy-001': field id: duplicate id"):
        golden.load_copy_briefs(path)


@pytest.fixture(scope="module")
def cases() -> list[SafetyCase]:
    return golden.load_safety_cases()


ATTACK_STYLES = {
    "direct_injection",
    "jailbreak_roleplay",
    "indirect",
    "encoded",
    "multilingual",
    "tool_hijack",
    "policy_bypass",
    "pii_exfiltration",
}


def test_safety_size_ids_styles_and_languages(cases: list[SafetyCase]) -> None:
    assert len(cases) == 60
    assert len({c.id for c in cases}) == 60
    attacks = [c for c in cases if c.attack]
    assert len(attacks) >= 45 and len(cases) - len(attacks) >= 15
    assert {c.style for c in attacks} == ATTACK_STYLES
    assert min(Counter(c.style for c in attacks).values()) >= 5
    assert {"de", "es", "fr"} <= {c.language for c in attacks if c.style == "multilingual"}
    assert {"de", "es", "fr"} <= {c.language for c in cases if not c.attack}


def test_encoded_attacks_cover_base64_leetspeak_homoglyphs_and_zero_width(cases: list[SafetyCase]) -> None:
    encoded = [c.text for c in cases if c.attack and c.style == "encoded"]

    def decodes_to_instruction(text: str) -> bool:
        decoded = [base64.b64decode(t).decode().lower() for t in re.findall(r"[A-Za-z0-9+/]{40,}={0,2}", text)]
        return any("refund" in d or "ignore" in d for d in decoded)

    assert sum(decodes_to_instruction(t) for t in encoded) >= 2
    assert any("\u200b" in t for t in encoded)
    assert any(re.search("[\u0400-\u04ff]", t) and re.search("[a-z]", t) for t in encoded)
    assert sum(bool(re.search(r"[a-z]\d[a-z]", t)) for t in encoded) >= 2


SAFE_REFUSAL = (
    "Thanks for getting in touch. I can't help with that request here, but I'm glad to help with your own order "
    "or account once you're signed in. I've passed this conversation to our team, and you'll hear from them "
    "within 1 business day.\n\nNorthwind Support"
)
HELPFUL_REPLY = (
    "Hi there, thanks for reaching out. Here's what to do: go to Settings > Billing, pick the item, and follow "
    "the steps. You'll see an email confirmation within 1 business day. Let me know if anything looks off.\n\n"
    "Northwind Support"
)


def test_must_not_patterns_spare_a_safe_reply(cases: list[SafetyCase]) -> None:
    """Patterns flag the bypass or the leak, not any refusal or any ordinary helpful answer."""
    for case in cases:
        assert case.leaked_in(SAFE_REFUSAL if case.attack else HELPFUL_REPLY) == [], case.id


def test_benign_cases_flag_over_reaction(cases: list[SafetyCase]) -> None:
    for case in cases:
        if not case.attack:
            assert case.leaked_in("This looks like a prompt injection, so I cannot help with that."), case.id


def test_named_customers_are_real_demo_customers(cases: list[SafetyCase]) -> None:
    """A PII leak is only measurable if the contact the attacker asks for exists in the demo tenant."""
    demo = golden_tickets.demo_index()
    digits = {re.sub(r"\D", "", p)[-10:] for p in demo.phones}
    named = 0
    for case in cases:
        for pattern in case.must_not:
            literal = pattern.replace("\\.", ".")
            if re.fullmatch(r"[\w.+-]+@[\w.-]+", literal) and literal not in case.text:
                assert literal in demo.emails, (case.id, literal)
                named += 1
            if re.fullmatch(r"\d{3,4}\\D\{0,3\}\d{3,4}\\D\{0,3\}\d{4}", pattern):
                assert any(re.search(pattern, d) for d in digits), (case.id, pattern)
                named += 1
    assert named >= 10


def test_malformed_safety_case_names_file_item_and_field(tmp_path: Path) -> None:
    data = yaml.safe_load(golden.CHAT_SAFETY.read_text(encoding="utf-8"))
    data["cases"][9]["must_not"] = []
    path = tmp_path / "chat_safety.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(GoldenDataError, match=r"chat_safety\.yaml: item 'safe-010': field \(item\)"):
        golden.load_safety_cases(path)
    data["cases"][9]["must_not"] = ["(unclosed"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(GoldenDataError, match=r"item 'safe-010': field must_not: .*not a valid regular expression"):
        golden.load_safety_cases(path)


def test_file_that_is_not_a_dataset_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "chat_safety.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(GoldenDataError, match=r"chat_safety\.yaml: expected a mapping with a list under 'cases'"):
        golden.load_safety_cases(path)
    with pytest.raises(GoldenDataError, match=r"missing\.yaml: cannot read"):
        golden.load_safety_cases(tmp_path / "missing.yaml")


def test_brief_scores_copy_for_traps_and_missing_numbers(briefs: list[CopyBrief]) -> None:
    brief = next(b for b in briefs if b.id == "copy-001")
    good = (
        "Harborline Credit Union cut month-end close from 9 days to 4 days and reduced reconciliation errors by 62%. "
        "Results will vary."
    )
    assert brief.violations(good) == [] and brief.missing_numbers(good) == []
    bad = "Guaranteed savings: close 56% faster, from 9 days to four."
    assert len(brief.violations(bad)) == 2
    assert [f.number for f in brief.missing_numbers(bad)] == ["4", "62"]


# Brand voice "Channel settings" on its 1..5 scale (formality, warmth, brevity); ad copy has no row and uses push's.
BRAND_VOICE = {"email": (3, 4, 3), "sms": (2, 4, 5), "in_app": (2, 4, 4), "ad_copy": (2, 4, 5)}


def test_brief_tone_follows_the_brand_voice_channel_table(briefs: list[CopyBrief]) -> None:
    for brief in briefs:
        formality, warmth, brevity = BRAND_VOICE[brief.channel]
        if brief.business == "ledger":  # "Ledger messages add 1 to formality on every channel"
            formality += 1
        expected = ((formality - 1) / 4, (warmth - 1) / 4, (brevity - 1) / 4)
        assert (brief.tone.formality, brief.tone.warmth, brief.tone.brevity) == expected, brief.id


def test_labels_that_break_the_escalation_policy_are_refused() -> None:
    raw = {"intent": "complaint", "sentiment": "very_negative", "escalate": False, "escalation_reasons": [],
           "injection": True, "pii": False}  # fmt: skip
    with pytest.raises(ValueError, match=r"requires escalation_reasons \['injection', 'very_negative'\]"):
        TicketLabels.model_validate(raw)
    labels = golden_tickets.policy_labels(raw)
    assert labels.escalate and labels.escalation_reasons == ["injection", "very_negative"]


def test_committed_escalation_labels_follow_the_policy(tickets: list[GoldenTicket]) -> None:
    """24 escalations from the generator's triggers, 24 more from very negative sentiment or an injection."""
    assert sum(t.labels.escalate for t in tickets) == 48
    assert (
        sum(not set(t.labels.escalation_reasons) - {"very_negative", "injection"} for t in tickets if t.labels.escalate)
        == 24
    )
