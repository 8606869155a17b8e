"""Find personal data in text: emails, phones, card numbers (Luhn-checked), IBANs, account numbers, addresses,
and secrets a customer types after "password is" / "password:" (the secret, not the word).

Shared by outbound copy checks (no other customer's data, no raw card numbers) and log/audit redaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
ACCOUNT = re.compile(r"(?i)\b(?:account|acct|routing)(?:\s+(?:number|no\.?|#))?[:\s#]*((?:\d[ -]?){6,17}\d)\b")
PASSWORD = re.compile(
    r"(?i)\b(?:password|passwort|passwd|pwd|passcode|pin|contrase(?:ñ|n)a|mot de passe)\s*(?:is\s*|was\s*|[:=]\s*)"
    r"[\"'“‘]?([^\s\"'”’]{4,})"
)
PHONE = re.compile(r"(?<![\w/])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])\d{3,4}[\s.-]?\d{3,4}\b")
ADDRESS = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct"
    r"|Place|Pl|Terrace|Straße|Strasse|Calle)\b\.?(?:,?\s+(?:Apt|Suite|Unit)\s*\w+)?"
)


@dataclass(frozen=True)
class PiiMatch:
    kind: str
    start: int
    end: int
    value: str


def luhn_ok(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def find_pii(text: str) -> list[PiiMatch]:
    """Non-overlapping matches, strongest kinds first (a card is not also reported as a phone)."""
    found: list[PiiMatch] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append(PiiMatch(kind, start, end, text[start:end]))

    for m in EMAIL.finditer(text):
        add("email", m.start(), m.end())
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            add("card", m.start(), m.end())
    for m in IBAN.finditer(text):
        add("iban", m.start(), m.end())
    for m in ACCOUNT.finditer(text):
        add("account", m.start(1), m.end(1))
    for m in PASSWORD.finditer(text):
        secret = m.group(1).rstrip(".,;:!?)")
        if any(not ch.isalpha() for ch in secret):  # "password is expired" names no secret; "is Hunter2" does
            add("password", m.start(1), m.start(1) + len(secret))
    for m in ADDRESS.finditer(text):
        add("address", m.start(), m.end())
    for m in PHONE.finditer(text):
        if len(re.sub(r"\D", "", m.group())) >= 7:
            add("phone", m.start(), m.end())
    return sorted(found, key=lambda p: p.start)
