"""Inbound text safety: detect and neutralize prompt injection and jailbreaks in customer-written text.

Detection looks at several views of the text (Unicode-normalized with homoglyphs folded and zero-width
characters removed, leetspeak undone, spaced-out letters joined, base64 / URL / rot13 payloads decoded)
and scores instruction-like patterns in English, Spanish, German, French, Portuguese, Italian and Dutch.
Neutralization removes instruction-like sentences and fences what is left as data. Detection is a second
line: the first is that customer text never reaches tool choice, policies or recipients (see boundary.py).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata
from urllib.parse import unquote

from pydantic import BaseModel

FENCE_OPEN, FENCE_CLOSE = "<customer_message>", "</customer_message>"
THRESHOLD = 0.5
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"))
_CONFUSABLES = str.maketrans(
    "АВЕКМНОРСТХаеорсухіІјѕԁɡΙΑΒΕΗΚΜΝΟΡΤΧΥΖοαι",
    "ABEKMHOPCTXaeopcyxiIjsdgIABEHKMNOPTXYZoai",
)
_LEET = str.maketrans("013457@$", "oieastas")
_SPACED = re.compile(r"\b(?:\w[ .\-_]{1,3}){3,}\w\b")
_B64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")

_OBJ = r"(?:instructions?|instrucciones|anweisungen|instructies|instruções|istruzioni|rules|reglas|regeln|règles|regole"
_OBJ += r"|prompts?|directions|guidelines|polic(?:y|ies)|directives?|orders|programming|constraints|safety rules)"
PATTERNS: list[tuple[str, float, re.Pattern[str]]] = [
    (
        "override",
        0.9,
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass|skip|ignora[r]?|olvida[r]?|ignoriere|vergiss|ignorez|oublie[zr]?"
            r"|negeer|vergeet|esquece|ignori)\b[^.\n]{0,40}?" + _OBJ,
            re.IGNORECASE,
        ),
    ),
    (
        "override",
        0.9,
        re.compile(r"\b(?:forget|ignore|disregard)\s+(?:everything|all|anything)\s+(?:above|before|earlier)", re.I),
    ),
    (
        "role_switch",
        0.7,
        re.compile(
            r"\b(?:you are now|you're now|from now on,? you|act as (?:if|my|an?|the) (?:\w+ ){0,2}(?:assistant|ai|admin"
            r"|administrator|system|bot|agent|developer|dan)\b|pretend (?:to be|you are)|you are no longer"
            r"|ahora eres|du bist jetzt|tu es maintenant|vous êtes maintenant|agora você é|ora sei|je bent nu)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "jailbreak",
        0.8,
        re.compile(
            r"\b(?:admin[- ]?mod(?:e|us)|developer mode|god mode|jailbreak|(?-i:DAN)\b|do anything now"
            r"|no restrictions|without restrictions|unrestricted|sin restricciones|sans règles|sin reglas"
            r"|ohne (?:Regeln|Einschränkungen)"
            r"|disable (?:your |the )?(?:guardrails|filters|safety|policies))",
            re.IGNORECASE,
        ),
    ),
    (
        "fake_system",
        0.8,
        re.compile(
            r"(?:^|\n)\s*(?:system|assistant|developer)\s*:|system override|<\|im_start\|>|\[/?INST\]|</?system>"
            r"|</ticket>|###\s*(?:new\s+)?instructions|new task:|</?\s*customer_message\s*>|(?-i:\bSYSTEM\s*:)",
            re.IGNORECASE,
        ),
    ),
    (
        "addressed_to_ai",
        0.5,
        re.compile(
            r"\b(?:(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+)?"
            r"(?:ai|assistant|bot|support bot|agent|ai agent|model|llm)|dear (?:ai|assistant|bot)"
            r"|ai (?:systems?|agents?|assistants?) (?:processing|reading)"
            r"|assistant,)",
            re.IGNORECASE,
        ),
    ),
    (
        "exfiltration",
        0.8,
        re.compile(
            r"\b(?:print|reveal|show|repeat|output|leak|tell me|send|zeige|révèle|revela|muestra)\b[^.\n]{0,30}?"
            r"(?:system ?prompt|systemprompt|prompt système|hidden prompt|initial prompt|api keys?|secrets?|passwords?"
            r"|credentials|customer database|email addresses of)"
            r"|\bemail addresses of (?:your|all|other)\b|\blist of all customers\b",
            re.IGNORECASE,
        ),
    ),
    (
        "action_hijack",
        0.6,
        re.compile(
            r"\b(?:approve (?:every|all|my) (?:refunds?|payments?)|approves? (?:every|all) refunds|approve all refunds"
            r"|apruebas? todos|aprove o reembolso|keur elke|without (?:checking|verification|approval)"
            r"|forward (?:all|every)\b|change (?:the )?(?:recipient|account email|email address|policy|policies)"
            r"|mark (?:this|the) ticket (?:as )?(?:solved|resolved|closed)|100% discount|grant (?:me )?(?:a |the )?"
            r"(?:full )?(?:refund|credit)|full refund|\$\d+ credit|approve payment)",
            re.IGNORECASE,
        ),
    ),
    (
        "redirect_money",
        0.7,
        re.compile(
            r"\b(?:refund|reembols\w*|erstatte\w*|rembours\w*|rimborso|send|invia|overmaak\w*)\b[^.\n]{0,60}?"
            r"(?:\bto\b|\ba\b|\ban\b|\bsur\b)\s+\S+@\S+",
            re.IGNORECASE,
        ),
    ),
]


class InboundVerdict(BaseModel):
    attack: bool
    score: float
    reasons: list[str]
    neutralized: str


def views(text: str) -> list[str]:
    """The text as a model might read it: normalized, de-leeted, joined, and with payloads decoded."""
    base = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).translate(_CONFUSABLES)
    out = [base]
    joined = _SPACED.sub(_join_spaced, base)
    if joined != base:
        out.append(joined)
    if re.search(r"[a-z][0-9@$][a-z]|[0-9][a-z]{2}", base, re.IGNORECASE):
        out.append(base.translate(_LEET))
    if "%" in base:
        decoded = unquote(base)
        if decoded != base:
            out.append(decoded)
    for blob in _B64.findall(base):
        try:
            raw = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if raw and sum(ch.isprintable() or ch.isspace() for ch in raw) / len(raw) > 0.9:
            out.append(raw)
    if re.search(r"\brot-?13\b", base, re.IGNORECASE):
        out.append(codecs.decode(base, "rot13"))
    return out


def _join_spaced(m: re.Match[str]) -> str:
    """ "i g n o r e   a l l" -> "ignore all": one separator splits letters, a wider gap splits words."""
    return " ".join(re.sub(r"[ .\-_]", "", word) for word in re.split(r"\s{2,}", m.group()))


def _matches(text: str) -> list[tuple[str, float, re.Match[str]]]:
    return [(name, weight, m) for name, weight, rx in PATTERNS for m in rx.finditer(text)]


def scan(text: str) -> InboundVerdict:
    """Score customer text for instructions aimed at the system; always return a fenced, neutral copy."""
    if not isinstance(text, str):
        raise TypeError("scan() needs the customer's text as a string")
    found: dict[str, float] = {}
    decoded_hit = False
    for i, view in enumerate(views(text)):
        for name, weight, _ in _matches(view):
            found[name] = max(found.get(name, 0.0), weight)
            decoded_hit = decoded_hit or i > 0
    miss = 1.0
    for weight in found.values():
        miss *= 1 - weight
    score = round(1 - miss, 3)
    reasons = sorted(found)
    if decoded_hit and found:
        reasons.append("obfuscated")
    return InboundVerdict(attack=score >= THRESHOLD, score=score, reasons=reasons, neutralized=neutralize(text))


_SENTENCES = re.compile(r"[^.!?\n]+[.!?]*|\n")


def neutralize(text: str) -> str:
    """Drop instruction-like sentences (and decoded payloads), then fence the rest as quoted customer data."""
    base = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    kept: list[str] = []
    for piece in _SENTENCES.findall(base):
        if piece == "\n":
            kept.append(piece)
            continue
        if any(_matches(v) for v in views(piece)) or (_B64.search(piece) and len(views(piece)) > 1):
            kept.append("[removed: instruction-like text]")
        else:
            kept.append(piece)
    body = "".join(kept).strip()
    body = re.sub(r"(?i)</?\s*customer_message\s*>", "", body)
    return f"{FENCE_OPEN}\n{body}\n{FENCE_CLOSE}"
