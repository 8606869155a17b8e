"""The hand-written held-out sets (issues 16.1 and 20.9) parse, meet their minimum sizes, quote the KB verbatim and are
not near-copies of the dev, training or router items of the same kind (token-set Jaccard, not exact match)."""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import hyperjourney

PKG = Path(hyperjourney.__file__).parent
DATASETS = PKG / "evals" / "datasets"
HELD_OUT = DATASETS / "held_out"
INJECTION = DATASETS / "injection"
KB = PKG / "knowledge" / "kb" / "demo"
NEAR_DUPLICATE = 0.8

ATTACK_MINIMUMS = {
    "direct_override": 20,
    "wrapped": 20,
    "roleplay_jailbreak": 20,
    "exfiltration": 35,
    "format_coercion": 20,
    "fake_markup": 20,
    "action_hijack": 35,
    "encoded": 20,
    "multilingual": 20,
}
INTENTS = {
    "billing_question", "account_access", "cancel_subscription", "complaint", "product_question", "refund_request",
    "sizing_fit", "shipping_delay", "praise", "upgrade_inquiry", "data_privacy", "technical_issue",
}  # fmt: skip
GOAL_KINDS = {"win-back", "upsell", "activation", "nurture", "meeting", "cross-sell", "retention"}
V3_ATTACK_MINIMUMS = ATTACK_MINIMUMS | {"action_hijack": 30, "exfiltration": 30, "multilingual": 25, "hidden": 15}
# the scripts v3 must hold, attacks and benign alike: ru/uk, ja, zh, ko, ar, he, hi, th, el
SCRIPTS = {
    "cyrillic": r"[\u0400-\u04ff]", "kana": r"[\u3040-\u30ff]", "han": r"[\u4e00-\u9fff]", "hangul": r"[\uac00-\ud7af]",
    "arabic": r"[\u0600-\u06ff]", "hebrew": r"[\u0590-\u05ff]", "devanagari": r"[\u0900-\u097f]",
    "thai": r"[\u0e00-\u0e7f]", "greek": r"[\u0370-\u03ff]",
}  # fmt: skip


@functools.cache
def _yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _strings(node: Any) -> Iterator[str]:
    """Every string in a parsed file, whatever its layout: the comparison does not depend on another file's schema."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _load_any(path: Path) -> Any:
    return _jsonl(path) if path.suffix == ".jsonl" else _yaml(path)


def _tokens(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def _near_duplicates(held_out: Iterable[str], others: Iterable[str]) -> list[tuple[str, float]]:
    """Held-out texts whose token set overlaps some other text's by Jaccard >= NEAR_DUPLICATE (only the held-out text
    is reported, so a failure does not print the training data)."""
    pool = [t for t in {_tokens(o) for o in others} if t]
    postings: dict[str, list[int]] = {}
    for i, other in enumerate(pool):
        for token in other:
            postings.setdefault(token, []).append(i)
    found = []
    for text in held_out:
        mine = _tokens(text)
        if not mine:
            continue
        # Jaccard >= t needs |mine & other| >= t * |mine|, so a match shares one of any (|mine| - that + 1) tokens
        # of mine: look only at the texts holding one of my rarest ones.
        rarest = sorted(mine, key=lambda tok: len(postings.get(tok, ())))[
            : len(mine) - math.ceil(NEAR_DUPLICATE * len(mine)) + 1
        ]
        candidates = {i for tok in rarest for i in postings.get(tok, ())}
        best = max((len(mine & pool[i]) / len(mine | pool[i]) for i in candidates), default=0.0)
        if best >= NEAR_DUPLICATE:
            found.append((text[:80], round(best, 2)))
    return found


def _kb_docs() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in KB.glob("*.md")}


def _customer_facing(docs: dict[str, str]) -> set[str]:
    return {name for name, text in docs.items() if not re.search(r"^audience:\s*internal\s*$", text, re.M)}


def test_attack_and_benign_sets_meet_their_minimums() -> None:
    attacks = _yaml(INJECTION / "held_out_v2_attacks.yaml")
    benign = _yaml(INJECTION / "held_out_v2_benign.yaml")
    assert set(attacks) == set(ATTACK_MINIMUMS)
    short = {k: len(v) for k, v in attacks.items() if len(v) < ATTACK_MINIMUMS[k]}
    assert short == {}
    assert sum(len(v) for v in attacks.values()) >= 220
    assert sum(len(v) for v in benign.values()) >= 320
    every = [s for v in [*attacks.values(), *benign.values()] for s in v]
    assert all(isinstance(s, str) and s.strip() for s in every)
    assert len(set(every)) == len(every), "a string appears twice"
    # the scripts and encodings the brief asks for are really there
    joined = "\n".join(s for v in attacks.values() for s in v)
    for script in (r"[\u0400-\u04ff]", r"[\u3040-\u30ff]", r"[\u4e00-\u9fff]", r"[\u0600-\u06ff]", r"[\u0900-\u097f]"):
        assert re.search(script, joined), script
    assert re.search(r"[\u0370-\u03ff]", joined) and "\u200b" in joined and "%20" in joined


def test_v3_attack_and_benign_sets_meet_their_minimums() -> None:
    """Issue 16.5: the v3 set is larger, adds late-hidden attacks, and covers the scripts of twelve languages."""
    attacks = _yaml(INJECTION / "held_out_v3_attacks.yaml")
    benign = _yaml(INJECTION / "held_out_v3_benign.yaml")
    assert set(attacks) == set(V3_ATTACK_MINIMUMS)
    short = {k: len(v) for k, v in attacks.items() if len(v) < V3_ATTACK_MINIMUMS[k]}
    assert short == {}
    assert sum(len(v) for v in attacks.values()) >= 260
    assert sum(len(v) for v in benign.values()) >= 340 and len(benign["multilingual"]) >= 60
    every = [s for v in [*attacks.values(), *benign.values()] for s in v]
    assert all(isinstance(s, str) and s.strip() for s in every)
    assert len(set(every)) == len(every), "a string appears twice"
    for name, texts in (("attacks", attacks.values()), ("benign", benign.values())):
        joined = "\n".join(s for v in texts for s in v)
        missing = [script for script, pattern in SCRIPTS.items() if not re.search(pattern, joined)]
        assert missing == [], (name, missing)
    encoded = "\n".join(attacks["encoded"])
    assert "\u200b" in encoded and "%20" in encoded and re.search(r"[A-Za-z0-9+/]{40,}={0,2}", encoded)
    # a hidden attack sits after a legitimate ticket: long, more than one line
    assert all(len(s) > 250 and "\n" in s for s in attacks["hidden"])


V4_ATTACK_MINIMUMS = {
    "instruction_override": 15, "roleplay_persona": 15, "wrapped": 15, "exfiltration": 25, "action_hijack": 25,
    "format_coercion": 15, "encoded": 20, "multilingual": 20, "indirect": 15, "many_shot": 10, "payload_splitting": 10,
}  # fmt: skip
# the languages the v4 brief names for the multilingual attacks
V4_LANGUAGES = {"zh", "ja", "ko", "ar", "ru", "hi", "th", "he", "el", "de", "es", "fr", "it", "pt", "nl", "pl", "tr"}


def _v4(kind: str) -> dict[str, list[dict[str, str]]]:
    data: dict[str, list[dict[str, str]]] = _yaml(INJECTION / f"held_out_v4_{kind}.yaml")
    return data


def _v4_texts() -> list[str]:
    return [item["text"] for kind in ("attacks", "benign") for items in _v4(kind).values() for item in items]


def test_v4_attack_and_benign_sets_meet_their_minimums() -> None:
    """Issue 16.5: v4 labels each item with its language, spans eleven attack kinds and the brief's 17 languages."""
    attacks, benign = _v4("attacks"), _v4("benign")
    assert set(attacks) == set(V4_ATTACK_MINIMUMS)
    short = {k: len(v) for k, v in attacks.items() if len(v) < V4_ATTACK_MINIMUMS[k]}
    assert short == {}
    assert sum(len(v) for v in attacks.values()) >= 200 and sum(len(v) for v in benign.values()) >= 350
    items = [item for data in (attacks, benign) for items in data.values() for item in items]
    assert all(set(item) == {"language", "text"} and item["text"].strip() for item in items)
    assert all(re.fullmatch(r"[a-z]{2}|mixed", item["language"]) for item in items)
    assert len({item["text"] for item in items}) == len(items), "a text appears twice"
    assert V4_LANGUAGES - {item["language"] for item in attacks["multilingual"]} == set()
    assert len({item["language"] for items in benign.values() for item in items} - {"en", "mixed"}) >= 10
    for name, data in (("attacks", attacks), ("benign", benign)):
        joined = "\n".join(item["text"] for items in data.values() for item in items)
        missing = [script for script, pattern in SCRIPTS.items() if not re.search(pattern, joined)]
        assert missing == [], (name, missing)
    encoded = "\n".join(item["text"] for item in attacks["encoded"])
    assert "\u200b" in encoded and "%20" in encoded and re.search(r"[A-Za-z0-9+/]{40,}={0,2}", encoded)
    assert re.search(r"[a-z][\u0430\u0435\u043e\u0440\u0441][a-z]", encoded)  # Cyrillic look-alikes inside Latin words


def test_safety_and_retrieval_twins_parse_and_meet_their_minimums() -> None:
    from hyperjourney.evals.golden import load_safety_cases
    from hyperjourney.knowledge.evaluation import load_golden

    cases = load_safety_cases(HELD_OUT / "chat_safety.yaml")
    dev_styles = {c.style for c in load_safety_cases(DATASETS / "chat_safety.yaml")}
    attacks = [c for c in cases if c.attack]
    assert len(attacks) >= 40 and len(cases) - len(attacks) >= 20
    assert {c.style for c in attacks} == dev_styles
    assert len({c.id for c in cases}) == len(cases)
    golden = load_golden(HELD_OUT / "retrieval_golden.yaml")
    doc_ids = {m.group(1) for text in _kb_docs().values() if (m := re.search(r"^id:\s*(\S+)", text, re.M))}
    assert len(golden.questions) >= 60 and len({q.id for q in golden.questions}) == len(golden.questions)
    assert {r for q in golden.questions for r in q.relevant} <= doc_ids
    assert re.search(r"[äöüß]", " ".join(q.question for q in golden.questions))  # German, Spanish, French are there
    assert re.search(r"[¿ñ]", " ".join(q.question for q in golden.questions))
    assert re.search(r"\b(comment|combien|je|ma)\b", " ".join(q.question for q in golden.questions))


def test_tickets_are_labelled_with_existing_intents_docs_and_languages() -> None:
    tickets = _jsonl(HELD_OUT / "copilot_tickets.jsonl")
    dev = _jsonl(DATASETS / "copilot_tickets.jsonl")
    assert len(tickets) >= 80
    languages = Counter(t["language"] for t in tickets)
    assert min(languages["de"], languages["es"], languages["fr"]) >= 15
    assert {t["business"] for t in tickets} == {"ledger", "boards", "goods"}
    dev_keys = set(dev[0])
    customer_docs = _customer_facing(_kb_docs())
    for t in tickets:
        assert set(t) == dev_keys | {"answer_docs", "record_facts"}, t["id"]
        assert set(t["labels"]) == set(dev[0]["labels"]) and set(t["tone"]) == set(dev[0]["tone"]), t["id"]
        assert t["labels"]["intent"] in INTENTS, t["id"]
        assert t["labels"]["escalate"] == bool(t["labels"]["escalation_reasons"]), t["id"]
        assert set(t["answer_docs"]) <= customer_docs, t["id"]
    assert len({t["id"] for t in tickets}) == len(tickets)


def test_briefs_quote_the_kb_verbatim() -> None:
    briefs = _yaml(HELD_OUT / "copy_briefs.yaml")["briefs"]
    dev_keys = set(_yaml(DATASETS / "copy_briefs.yaml")["briefs"][0])
    docs = _kb_docs()
    assert len(briefs) >= 24
    for b in briefs:
        assert dev_keys <= set(b) <= dev_keys | {"region", "language"}, b["id"]
        for fact in b["required_facts"]:
            assert fact["quote"] in docs[fact["source"]], (b["id"], fact["fact"])
            assert "number" not in fact or fact["number"] in fact["quote"], (b["id"], fact["fact"])
        for trap in b["traps"]:
            assert trap["source"] in docs, b["id"]
            for pattern in trap["patterns"]:
                re.compile(pattern)


def test_goals_meet_their_minimums() -> None:
    routing = _yaml(HELD_OUT / "routing_golden.yaml")["goals"]
    expects = Counter(g["expect"] for g in routing)
    assert len(routing) >= 40 and set(expects) == {"campaign", "insight", "copy", "person"}
    canvas = _yaml(HELD_OUT / "canvas_goals.yaml")["goals"]
    assert len(canvas) >= 30
    for g in canvas:
        assert g["business"] in {"ledger", "boards", "goods"} and g["goal_kind"] in GOAL_KINDS, g["text"]
        assert g["conditions"] and all("kind" in c for c in g["conditions"]), g["text"]
    assert {g["goal_kind"] for g in canvas} == GOAL_KINDS


def _injection_texts(*files: str) -> list[str]:
    return [s for f in files for v in _yaml(INJECTION / f).values() for s in v]


def _attack_texts() -> list[str]:
    return _injection_texts(
        "held_out_v2_attacks.yaml", "held_out_v2_benign.yaml", "held_out_v3_attacks.yaml", "held_out_v3_benign.yaml"
    )


def _goal_texts() -> list[str]:
    goals = _yaml(HELD_OUT / "routing_golden.yaml")["goals"] + _yaml(HELD_OUT / "canvas_goals.yaml")["goals"]
    return [g["text"] for g in goals]


def _brief_texts(path: Path) -> list[str]:
    return [f"{b['audience']} {b['goal']} {b['offer']}" for b in _yaml(path)["briefs"]]


@pytest.mark.parametrize(
    ("kind", "held_out", "others"),
    [
        (
            "injection texts vs the detector's training and dev data (the first held-out set) and the dev safety cases",
            _attack_texts,
            lambda: [
                s
                for p in [
                    *sorted((PKG / "guardrails").glob("*.yaml")),
                    DATASETS / "chat_safety.yaml",
                ]
                for s in _strings(_load_any(p))
            ],
        ),
        (
            "injection v3 vs the spent v2 set (v3 must not re-use what was measured)",
            lambda: _injection_texts("held_out_v3_attacks.yaml", "held_out_v3_benign.yaml"),
            lambda: _injection_texts("held_out_v2_attacks.yaml", "held_out_v2_benign.yaml"),
        ),
        (
            "injection v4 vs the detector's training and dev data and the dev safety cases",
            _v4_texts,
            lambda: [
                s
                for p in [*sorted((PKG / "guardrails").glob("*.yaml")), DATASETS / "chat_safety.yaml"]
                for s in _strings(_load_any(p))
            ],
        ),
        ("injection v4 vs the measured v2 and v3 sets", _v4_texts, _attack_texts),
        (
            "tickets vs the dev tickets",
            lambda: [f"{t['subject']} {t['body']}" for t in _jsonl(HELD_OUT / "copilot_tickets.jsonl")],
            lambda: [f"{t['subject']} {t['body']}" for t in _jsonl(DATASETS / "copilot_tickets.jsonl")],
        ),
        (
            "goals vs the router's examples and the dev routing goals",
            _goal_texts,
            lambda: [
                s
                for p in [*sorted((PKG / "models").glob("route_examples*")), DATASETS / "routing_golden.yaml"]
                for s in _strings(_load_any(p))
            ],
        ),
        (
            "briefs vs the dev briefs",
            lambda: _brief_texts(HELD_OUT / "copy_briefs.yaml"),
            lambda: _brief_texts(DATASETS / "copy_briefs.yaml"),
        ),
    ],
)
def test_no_held_out_item_is_a_near_duplicate(kind: str, held_out: Any, others: Any) -> None:
    assert _near_duplicates(held_out(), others()) == [], kind


def test_near_duplicate_check_catches_a_reworded_copy() -> None:
    """The check itself can fail: a reordered, re-cased copy with one word changed is caught, a different text not."""
    dev = ["Win back outdoor shoppers who have not ordered since last autumn"]
    assert _near_duplicates(["win back outdoor shoppers who have not ordered since the autumn"], dev) != []
    assert _near_duplicates(["win back lapsed runners before spring"], dev) == []
