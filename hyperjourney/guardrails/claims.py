"""Banned claims and competitor mentions, matched exactly and fuzzily.

Phrases are matched as whole words, case-insensitively, after normalizing hyphens and plurals, so
"risk free", "Risk-Free" and "returns guaranteed" are caught; "cure" does not match "secure".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from hyperjourney.guardrails.copy_text import strip_markers
from hyperjourney.guardrails.models import Asset, Evidence, GuardFailure
from hyperjourney.guardrails.rules import ContentRules

_TOKEN = re.compile(r"[\wÀ-ÿ%]+")


def _tokens(text: str) -> list[str]:
    return [_norm(t) for t in _TOKEN.findall(re.sub(r"\s+%", "%", text.lower().replace("-", " ")))]


def _norm(token: str) -> str:
    return token[:-1] if len(token) > 3 and token.endswith("s") and not token.endswith("ss") else token


def find_phrases(text: str, phrases: Sequence[str], threshold: float) -> list[tuple[str, str, bool]]:
    """(phrase, matched text, exact?) for each phrase present exactly or as a close variant."""
    tokens = _tokens(text)
    hits: list[tuple[str, str, bool]] = []
    for phrase, target, matcher in _prepared(tuple(phrases)):
        n = len(target)
        best: tuple[float, str] = (0.0, "")
        for i in range(len(tokens) - n + 1):
            window = tokens[i : i + n]
            if window == target:
                best = (1.0, " ".join(window))
                break
            if n > 1 and sorted(window) == sorted(target):
                best = max(best, (0.99, " ".join(window)))
                continue
            if matcher is None:
                continue
            joined = " ".join(window)
            matcher.set_seq1(joined)  # seq2 (the phrase) is analysed once per phrase
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio > best[0]:
                best = (ratio, joined)
        if n > 1 and best[0] < 1.0:  # "risk free" vs "riskfree"
            glued = "".join(target)
            if glued in tokens:
                best = max(best, (0.98, glued))
        if best[0] >= threshold:
            hits.append((phrase, best[1], best[0] == 1.0))
    return hits


@lru_cache(maxsize=64)
def _prepared(phrases: tuple[str, ...]) -> list[tuple[str, list[str], SequenceMatcher[str] | None]]:
    out: list[tuple[str, list[str], SequenceMatcher[str] | None]] = []
    for phrase in phrases:
        target = _tokens(phrase)
        if not target:
            continue
        want = " ".join(target)
        matcher: SequenceMatcher[str] | None = None
        if len(want) >= 6:  # short words only match exactly: "cure" must not match "care"
            matcher = SequenceMatcher(None, autojunk=False)
            matcher.set_seq2(want)
        out.append((phrase, target, matcher))
    return out


def check_banned(asset: Asset, evidence: Sequence[Evidence], rules: ContentRules) -> list[GuardFailure]:
    text = strip_markers(f"{asset.subject or ''}\n{asset.body}")
    return [
        GuardFailure(
            code="banned_claim",
            validator="banned_claims",
            message=f"banned phrase {phrase!r}" + ("" if exact else f" (close variant {matched!r})"),
            span=matched,
            fix_hint="replace the absolute promise with a specific, cited fact",
        )
        for phrase, matched, exact in find_phrases(text, rules.banned_phrases, rules.fuzzy_threshold)
    ]


def check_competitors(asset: Asset, evidence: Sequence[Evidence], rules: ContentRules) -> list[GuardFailure]:
    text = strip_markers(f"{asset.subject or ''}\n{asset.body}")
    return [
        GuardFailure(
            code="competitor_mention",
            validator="competitors",
            message=f"mentions competitor {phrase}",
            span=matched,
            fix_hint="never name competitors in marketing copy; describe our own features instead",
        )
        for phrase, matched, _ in find_phrases(text, rules.competitors, max(rules.fuzzy_threshold, 0.9))
    ]
