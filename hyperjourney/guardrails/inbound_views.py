"""The views of a text that a model might read: normalized, de-obfuscated and decoded.

An attack hidden by homoglyphs (Cyrillic "о" for Latin "o"), zero-width characters, full-width letters,
leetspeak, spaced-out letters, URL escapes, base64, hex, rot13 or reversal still reads as the plain attack to
an LLM, so the detector scores every view. The first view is always the normalized text itself; the others
exist only where the text holds such an encoding, and ``obfuscation`` counts the tricks seen.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata
from urllib.parse import unquote

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"))
_CONFUSABLES = str.maketrans(
    "АВЕКМНОРСТХаеорсухіІјѕԁɡΙΑΒΕΗΚΜΝΟΡΤΧΥΖοαιυνɑ℮ӏԛԝ",
    "ABEKMHOPCTXaeopcyxiIjsdgIABEHKMNOPTXYZoaiuvaelqw",
)
_LEET = str.maketrans("013457@$|!", "oieastasii")
_SPACED = re.compile(r"\b(?:\w[ .\-_*]{1,3}){4,}\w\b")
_B64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}[ :]?){12,}\b")
_LATIN = re.compile(r"[A-Za-z]")
_WORDS = re.compile(r"\w+")
_OTHER_ALPHA = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
_COMMON = re.compile(r"\b(?:the|and|you|your|ignore|instructions|all|to|of|is|are|now|print|system|previous)\b")


def normalize(text: str) -> str:
    """NFKC (full-width to ASCII), zero-width characters removed, Cyrillic/Greek look-alikes folded to Latin
    inside words that are mostly Latin (a Russian sentence stays Russian)."""
    base = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    if not _OTHER_ALPHA.search(base):  # no Cyrillic or Greek letter: nothing to fold, and no call per word
        return base
    return _WORDS.sub(_fold_mixed, base)


def _fold_mixed(m: re.Match[str]) -> str:
    word = m.group()
    if _LATIN.search(word) and _OTHER_ALPHA.search(word):
        return word.translate(_CONFUSABLES)
    return word


def obfuscation(text: str) -> int:
    """How many hiding tricks the raw text uses: zero-width characters, mixed-script words, full-width letters."""
    tricks = 0
    if any(ord(ch) in _ZERO_WIDTH for ch in text):
        tricks += 1
    nfkc = unicodedata.normalize("NFKC", text)
    if _OTHER_ALPHA.search(nfkc) and any(_LATIN.search(w) and _OTHER_ALPHA.search(w) for w in _WORDS.findall(nfkc)):
        tricks += 1
    if nfkc != unicodedata.normalize("NFC", text) and re.search(r"[\uff01-\uff5e]", text):
        tricks += 1
    return tricks


def views(text: str) -> list[str]:
    """The normalized text first, then every decoded or de-obfuscated reading that differs from it."""
    base = normalize(text)
    out = [base]
    joined = _SPACED.sub(_join_spaced, base)
    if joined != base:
        out.append(joined)
    if re.search(r"[a-z][0-9@$|][a-z]|[0-9][a-z]{2}", base, re.IGNORECASE):
        leet = base.translate(_LEET)
        if leet != base:
            out.append(leet)
    if re.search(r"%[0-9A-Fa-f]{2}", base):
        out.append(unquote(base))
    out += [t for t in (_b64(b) for b in _B64.findall(base)) if t]
    out += [t for t in (_hex(h) for h in _HEX.findall(base)) if t]
    rot = codecs.decode(base, "rot13")
    if len(_COMMON.findall(rot.lower())) > max(2, len(_COMMON.findall(base.lower()))):
        out.append(rot)
    if re.search(r"\b(?:backwards?|reversed?|rückwärts|al revés|à l'envers)\b", base, re.IGNORECASE):
        out.append(base[::-1])
    return list(dict.fromkeys(out))


def _join_spaced(m: re.Match[str]) -> str:
    """ "i g n o r e   a l l" -> "ignore all": one separator splits letters, a wider gap splits words."""
    return " ".join(re.sub(r"[ .\-_*]", "", word) for word in re.split(r"\s{2,}| / ", m.group()))


def _printable(raw: str) -> str | None:
    if len(raw) >= 8 and sum(ch.isprintable() or ch.isspace() for ch in raw) / len(raw) > 0.9:
        return normalize(raw)
    return None


def _b64(blob: str) -> str | None:
    try:
        raw = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return _printable(raw)


def _hex(blob: str) -> str | None:
    try:
        raw = bytes.fromhex(re.sub(r"[ :]", "", blob)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return _printable(raw)
