"""Tone and brand: per-channel length limits, SMS segments, shouting, required footers and disclaimers,
reading level, and tone within tolerance of what was requested.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hyperjourney.guardrails.copy_text import CITE, strip_markers
from hyperjourney.guardrails.models import Asset, Evidence, GuardFailure
from hyperjourney.guardrails.rules import ContentRules
from hyperjourney.guardrails.tone import estimate_tone, reading_grade, reads_english, tone_words, words

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z'’]{2,}\b")
_TONE_HINTS = {
    ("formality", "high"): "too formal: use contractions, shorter and plainer words",
    ("formality", "low"): "too casual: drop slang and exclamation marks, write complete sentences",
    ("warmth", "high"): "too effusive: fewer thanks and exclamations, get to the point",
    ("warmth", "low"): "too cold: write to one person ('you'), thank them, offer help",
    ("brevity", "high"): "too terse: add the one useful detail the reader needs",
    ("brevity", "low"): "too long: shorter sentences, cut what the reader does not need",
}


def sms_segments(text: str) -> tuple[int, str]:
    """Number of SMS segments and the encoding (GSM-7 160/153 per part, UCS-2 70/67)."""
    if all(ch in GSM7 for ch in text):
        single, multi, enc = 160, 153, "GSM-7"
        n = len(text) + sum(ch in "^{}\\[~]|€" for ch in text)  # the extension table costs two septets
    else:
        single, multi, enc = 70, 67, "UCS-2"
        n = len(text.encode("utf-16-le")) // 2  # emoji outside the BMP take two code units
    return (1 if n <= single else -(-n // multi)), enc


READABLE_WORDS = 20
"""Words a reply needs before it can read as another language than English (a shorter one is measured as English)."""


def check_brand(asset: Asset, evidence: Sequence[Evidence], rules: ContentRules) -> list[GuardFailure]:
    out: list[GuardFailure] = []
    body = strip_markers(asset.body)
    limit = rules.length_limits.get(asset.kind)
    if limit is not None:
        if limit.subject_max_chars and asset.subject and len(asset.subject) > limit.subject_max_chars:
            out.append(
                _fail(
                    "subject_too_long",
                    f"subject is {len(asset.subject)} characters; the {asset.kind} limit is {limit.subject_max_chars}",
                    asset.subject,
                    f"shorten the subject to at most {limit.subject_max_chars} characters",
                )
            )
        if limit.body_max_chars and len(body) > limit.body_max_chars:
            out.append(
                _fail(
                    "body_too_long",
                    f"{len(body)} characters; the {asset.kind} limit is {limit.body_max_chars}",
                    None,
                    f"cut to at most {limit.body_max_chars} characters",
                )
            )
        n_words = len(words(body))
        if limit.body_max_words and n_words > limit.body_max_words:
            out.append(
                _fail(
                    "body_too_long",
                    f"{n_words} words; the {asset.kind} limit is {limit.body_max_words}",
                    None,
                    f"cut to at most {limit.body_max_words} words",
                )
            )
    if asset.kind == "sms":
        segments, enc = sms_segments(body)
        if segments > 1 and rules.sms_single_segment:
            single = 160 if enc == "GSM-7" else 70
            out.append(
                _fail(
                    "sms_multipart",
                    f"{len(body)} characters ({enc}) needs {segments} SMS segments; one segment is {single}",
                    None,
                    "fit one segment: shorten, and avoid emoji/accents that force UCS-2",
                )
            )
    out += _shouting(asset, body, rules)
    out += _required(asset, body, rules)
    # a support reply in the customer's own language (de/es/fr): the English lexicons and grade cannot read it, so
    # they measure nothing there (they read every German reply as cold, and every Spanish one as grade 11); a text
    # too short to tell (an LLM tier's "x") is still measured, and fails
    unread = asset.kind == "support_reply" and len(words(body)) >= READABLE_WORDS and not reads_english(body)
    if rules.reading_grade_max is not None and asset.kind != "sms" and not unread:
        prose = "\n".join(line for line in body.splitlines() if not _boilerplate_line(line, rules))
        grade = reading_grade(prose)
        if len(words(prose)) >= 20 and grade > rules.reading_grade_max:
            out.append(
                _fail(
                    "reading_level",
                    f"reading grade {grade:.1f}; the target is {rules.reading_grade_max:g} or lower",
                    None,
                    "shorter sentences and common words",
                )
            )
    if asset.tone is not None:
        out += [f for f in _tone(asset, body, rules) if not (unread and f.code != "tone_brevity")]
    return out


def _shouting(asset: Asset, body: str, rules: ContentRules) -> list[GuardFailure]:
    allow = {a.upper() for a in rules.caps_allowlist}
    text = f"{asset.subject or ''}\n{body}"
    shouted = [w for w in _CAPS_WORD.findall(text) if w.strip("'’") not in allow]
    out: list[GuardFailure] = []
    if shouted:
        out.append(
            _fail(
                "all_caps",
                f"ALL CAPS for emphasis: {', '.join(dict.fromkeys(shouted))}",
                shouted[0],
                "write it in sentence case; state the real reason it matters",
            )
        )
    if rules.max_exclamations is not None and text.count("!") > rules.max_exclamations:
        out.append(
            _fail(
                "exclamations",
                f"{text.count('!')} exclamation marks; at most {rules.max_exclamations} per message",
                None,
                "replace exclamation marks with full stops",
            )
        )
    return out


def _required(asset: Asset, body: str, rules: ContentRules) -> list[GuardFailure]:
    out: list[GuardFailure] = []
    elements = (
        rules.required_elements.get(asset.kind, [])
        if asset.purpose == "marketing"
        else rules.transactional_elements.get(asset.kind, [])
        if asset.purpose == "transactional"
        else []
    )
    low = body.lower()
    for element in elements:
        if element.lower() not in low:
            out.append(
                _fail(
                    "footer_missing",
                    f"{asset.purpose} {asset.kind} must contain {element!r}",
                    None,
                    f"add {element!r} (required footer/opt-out element)",
                )
            )
    for d in rules.disclaimers:
        triggered = [t for t in d.triggers if _has_word(t, low)]
        if d.applies_with and not any(_has_word(w, low) for w in d.applies_with):
            continue
        if triggered and " ".join(d.text.split()).lower() not in " ".join(low.split()):
            out.append(
                _fail(
                    "disclaimer_missing",
                    f"mentions {triggered[0]!r}, so the {d.name} disclaimer is required in full",
                    triggered[0],
                    f"add near the end: {d.text}",
                )
            )
    return out


def _has_word(word: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE) is not None


def _boilerplate_line(line: str, rules: ContentRules) -> bool:
    low = line.lower()
    parts = [e.lower() for els in rules.required_elements.values() for e in els] + [
        d.text.lower()[:40] for d in rules.disclaimers
    ]
    return any(p in low for p in parts)


def _tone(asset: Asset, body: str, rules: ContentRules) -> list[GuardFailure]:
    assert asset.tone is not None
    prose = "\n".join(line for line in CITE.sub("", body).splitlines() if not _boilerplate_line(line, rules))
    got = estimate_tone(prose, asset.locale)
    out: list[GuardFailure] = []
    for attr in ("formality", "warmth", "brevity"):
        want, have = getattr(asset.tone, attr), getattr(got, attr)
        if abs(want - have) > rules.tone_tolerance:
            side = "high" if have > want else "low"
            named = tone_words(prose, attr, side, asset.locale)[:8]
            because = f"; because of: {', '.join(repr(w) for w in named)}" if named else ""
            out.append(
                _fail(
                    f"tone_{attr}",
                    f"{attr} {have:.2f} vs requested {want:.2f} (tolerance {rules.tone_tolerance}){because}",
                    ", ".join(named) or None,
                    _TONE_HINTS[(attr, side)],
                )
            )
    return out


def _fail(code: str, message: str, span: str | None, hint: str | None) -> GuardFailure:
    return GuardFailure(code=code, validator="tone_brand", message=message, span=span, fix_hint=hint)
