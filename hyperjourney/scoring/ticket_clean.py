"""The customer's own words in a ticket: quoted replies, forwarded headers, signatures and pasted logs set apart.

Real tickets carry a thread below the new message, a signature, "Sent from my phone" and log pastes; a text
classifier that reads them all learns the noise. `customer_words` keeps what the customer wrote this time and
repeats its opening (where people say what they want), falling back to the quoted part only when the customer's
own text is too short to say anything (a forward with "see below").
"""

from __future__ import annotations

import re

# A line that starts the quoted or forwarded part, in en/de/es/fr mail clients.
_THREAD = re.compile(
    r"^\s*(-{2,}\s*(original message|forwarded message|ursprüngliche nachricht|weitergeleitete nachricht|"
    r"mensaje original|mensaje reenviado|message d'origine|message transféré|message transfere)"
    r"|begin forwarded message|(on|am|el|le) [^\n]{0,80}(wrote|schrieb|escribió|escribio|a écrit|a ecrit)\s*:?\s*$"
    r"|(from|von|de|envoyé|sent|gesendet|enviado)\s*:\s*\S+@)",
    re.IGNORECASE,
)
# A line that opens the signature: the "-- " delimiter, a sign-off on its own line, a phone client's footer.
_SIGNATURE = re.compile(
    r"^\s*(--\s*|__+|(best|best regards|regards|kind regards|warm regards|thanks|thank you|many thanks|cheers|"
    r"sincerely|br|mit freundlichen grüßen|mit freundlichen gruessen|viele grüße|liebe grüße|grüße|gruß|lg|vg|"
    r"saludos|un saludo|saludos cordiales|atentamente|cordialement|bien à vous|bien cordialement|merci|"
    r"bonne journée)[\s,.!]*|sent from my \w+.*|enviado desde mi \w+.*|von meinem \w+ gesendet.*|"
    r"envoyé de mon \w+.*)$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|hallo|guten tag|sehr geehrte|liebe|hola|"
    r"buenos días|buenas|estimad[oa]s?|bonjour|salut|madame|monsieur)\b[^.!?\n]{0,40}[,!:]?\s*$",
    re.IGNORECASE,
)
_LONG_TOKEN = re.compile(r"\S{40,}")  # base64, hashes, URLs with tokens
_MIN_OWN_WORDS = 10


def _is_log(line: str) -> bool:
    """A pasted log or code line: mostly digits and symbols, not words."""
    stripped = line.strip()
    if len(stripped) < 12:
        return False
    letters = sum(ch.isalpha() for ch in stripped)
    return letters / len(stripped) < 0.45


def split_ticket(text: str) -> tuple[str, str]:
    """(the customer's own new words, the quoted or forwarded part), signatures and log lines dropped."""
    own: list[str] = []
    quoted: list[str] = []
    in_thread = False
    in_signature = False
    for i, line in enumerate(_LONG_TOKEN.sub(" ", text).splitlines()):
        if i > 0 and _THREAD.match(line):
            in_thread, in_signature = True, False
            continue
        if line.lstrip().startswith(">"):
            quoted.append(line.lstrip("> \t"))
            continue
        if _is_log(line):
            continue
        if in_thread:
            quoted.append(line)
            continue
        if i > 0 and len(own) > 1 and _SIGNATURE.match(line):  # line 0 is the subject ("Thanks!")
            in_signature = True
            continue
        if not in_signature:
            own.append(line)
    return "\n".join(own).strip(), "\n".join(quoted).strip()


def _opening(own: str) -> str:
    """The first sentences the customer wrote after any greeting: where they say what they want."""
    lines = [ln for ln in own.splitlines()[1:] if ln.strip() and not _GREETING.match(ln)]  # line 0: the subject
    body = " ".join(lines)
    sentences = re.split(r"(?<=[.!?])\s+", body)
    return " ".join(sentences[:2])


def customer_words(text: str) -> str:
    """The text a classifier should read: own words with their opening repeated, or the thread when own is bare."""
    own, quoted = split_ticket(text)
    if len(own.split()) < _MIN_OWN_WORDS + 1 and quoted:  # +1: the subject line
        own = f"{own}\n{quoted}"
    return f"{own}\n{_opening(own)}"
