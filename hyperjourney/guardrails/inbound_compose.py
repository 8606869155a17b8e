"""Composed training tickets: many independent slot fillers (inbound_compose.yaml) combined with a fixed seed.

Hand-written attacks teach phrasings; composition teaches the structure that generalises: the same ordinary
ticket sentences appear in attacks and in hard benign tickets, so what separates them is the part aimed at the
AI (an address to it, an override, a payload asking for secrets, other customers' data, an action past its
controls, a dictated output or a new role), in 16 languages, placed anywhere in the ticket and sometimes
hidden in markup. Every composed ticket carries its language as its family: cross-validation holds out whole
families (inbound_train.py), so its figures say how the detector does on a language's fillers it never saw.
"""

from __future__ import annotations

import random
from importlib import resources
from typing import Any

import yaml

COMPOSE_FILE = "inbound_compose.yaml"
SOURCE = "inbound_compose"
INTENTS = {
    "exfiltration": "exfiltration",
    "action_hijack": "action_hijack",
    "format_coercion": "format_coercion",
    "roleplay": "roleplay_jailbreak",
}
"""Filler list -> the attack category it trains (the categories of the hand-written corpus)."""
QUIET = {"quiet_exfiltration": "exfiltration", "quiet_action": "action_hijack"}
"""Optional lists: attacks in a customer's own voice, with no address to the AI and no override (other customers'
data, the system's secrets, actions past their controls): composed with ticket sentences only."""
_SLOTS = ("context", "address", "override", "benign", *INTENTS)
_HIDES = (
    "{}",
    "{}",
    "P.S. {}",
    "<!-- {} -->",
    "[note: {}]",
    "---\n{}\n---",
    "> {}",
    '<div style="display:none">{}</div>',
    "(internal) {}",
)
SEED = 31


def fillers() -> dict[str, dict[str, list[str]]]:
    """The slot fillers by language, from the shipped file."""
    raw = yaml.safe_load((resources.files("hyperjourney.guardrails") / COMPOSE_FILE).read_text("utf-8"))
    return check_fillers(raw)


def check_fillers(data: Any) -> dict[str, dict[str, list[str]]]:
    """Every language has every slot and only known slots, and every filler is text (a YAML line ending in a
    colon parses as a mapping, not a string): the error names the language and slot."""
    if not isinstance(data, dict) or "en" not in data:
        raise ValueError(f"{COMPOSE_FILE}: needs a mapping of languages, English ('en') among them")
    for lang, slots in data.items():
        missing = [s for s in _SLOTS if not (isinstance(slots, dict) and slots.get(s))]
        if missing:
            raise ValueError(f"{COMPOSE_FILE}: language {lang!r} lacks the slot(s) {missing}")
        for slot, texts in slots.items():
            if slot not in _SLOTS and slot not in QUIET:
                raise ValueError(f"{COMPOSE_FILE}: language {lang!r} has an unknown slot {slot!r}")
            bad = [i + 1 for i, t in enumerate(texts) if not (isinstance(t, str) and t.strip())]
            if bad:
                raise ValueError(f"{COMPOSE_FILE}: {lang}.{slot} filler(s) {bad} are empty or not text")
    return data


def _ticket(rng: random.Random, context: list[str], inner: str) -> str:
    """``inner`` placed before, between or after one or two context sentences."""
    ctx = rng.sample(context, min(len(context), rng.choice((1, 1, 2))))
    at = rng.randrange(len(ctx) + 1)
    return " ".join([*ctx[:at], inner, *ctx[at:]])


def composed() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(attacks, benign) as corpus items: text, category, source and family (``inbound_compose:<language>``)."""
    rng = random.Random(SEED)
    data = fillers()
    english = data["en"]
    attacks: list[dict[str, str]] = []
    benign: list[dict[str, str]] = []
    for lang, slots in data.items():
        family = f"{SOURCE}:{lang}"
        for slot, category in INTENTS.items():
            for payload in slots[slot]:
                for variant in range(3):
                    parts = [payload]
                    if variant != 2 or rng.random() < 0.5:
                        parts.insert(0, rng.choice(slots["override"]))
                    if variant != 1:
                        address = rng.choice(english["address"] if rng.random() < 0.2 else slots["address"])
                        parts.insert(0, address)
                    inner = rng.choice(_HIDES).format(" ".join(parts))
                    context = slots["context"] if rng.random() < 0.8 else english["context"]
                    text = inner if variant == 2 and rng.random() < 0.3 else _ticket(rng, context, inner)
                    attacks.append({"text": text, "category": category, "source": SOURCE, "family": family})
        for slot, category in QUIET.items():
            for payload in slots.get(slot, []):
                for hide in ("{}", rng.choice(_HIDES)):
                    text = _ticket(rng, slots["context"], hide.format(payload))
                    attacks.append({"text": text, "category": category, "source": SOURCE, "family": family})
        for request in slots["benign"]:
            for _ in range(4):
                context = slots["context"] if rng.random() < 0.85 else english["context"]
                text = _ticket(rng, context, request)
                benign.append({"text": text, "category": "composed_benign", "source": SOURCE, "family": family})
    # two draws can compose the same ticket (a short filler list, the same hiding); a copy would train twice
    return list({a["text"]: a for a in attacks}.values()), benign
