"""Real-looking labelled tickets composed from hand-written parts (`ticket_corpus.yaml`), for the packaged models.

Synthetic and in-sample (tickets3): each ticket is a core request (intent, language, high stakes or not) dressed
in an author style (terse, rambling, typos, forwarded thread, quoted reply, signature, log paste, several questions,
sarcasm) with a mood for its sentiment. The dev split takes the last core of every (intent, language) and the last
mood line of every (sentiment, language): templates training never saw, so the dev figure predicts new phrasing.
Built by a maintainer only (`packaged_text`); nothing at run time reads it.
"""

from __future__ import annotations

import random
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from hyperjourney.guardrails.tone_policy import Situation, situation_for

Language = Literal["en", "de", "es", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "de", "es", "fr")
STYLES = ("terse", "rambling", "typos", "forwarded", "quoted_reply", "signature", "log_paste", "multi", "sarcasm")
_SENTIMENT_MIX = (("very_negative", 0.15), ("negative", 0.3), ("neutral", 0.35), ("positive", 0.2))
_HS = "[hs] "


class CorpusTicket(BaseModel):
    """One composed ticket with its labels and how it was made (the split groups by template)."""

    text: str
    intent: str
    sentiment: str
    high_stakes: bool
    situation: Situation
    language: Language
    style: str
    template: str  # intent/language/core index: the group a split keeps on one side


@cache
def parts() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        (resources.files("hyperjourney.scoring") / "ticket_corpus.yaml").read_text(encoding="utf-8")
    )
    return loaded


def _side(items: list[Any], dev: bool) -> list[Any]:
    """The last item is dev's, the rest training's (a one-item list is shared)."""
    if len(items) < 2:
        return items
    return items[-1:] if dev else items[:-1]


def _typos(text: str, rng: random.Random) -> str:
    """Swapped, dropped and doubled letters, lower case, lost punctuation: how people type on a phone."""
    chars = list(text.lower() if rng.random() < 0.5 else text)
    for _ in range(max(1, len(chars) // 25)):
        i = rng.randrange(1, max(2, len(chars) - 1))
        if not chars[i].isalpha():
            continue
        how = rng.random()
        if how < 0.4 and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif how < 0.7:
            chars[i] = ""
        else:
            chars[i] = chars[i] * 2
    out = "".join(chars)
    return out.replace("?", "") if rng.random() < 0.4 else out


def _sentiment(intent: str, rng: random.Random) -> str:
    if intent == "praise":
        return "positive"
    if intent == "complaint":
        return rng.choice(("negative", "very_negative"))
    r, acc = rng.random(), 0.0
    for label, share in _SENTIMENT_MIX:
        acc += share
        if r < acc:
            return label
    return "neutral"


def _compose(core: str, lang: Language, sentiment: str, style: str, other: str, rng: random.Random, dev: bool) -> str:
    p = parts()
    mood = rng.choice(_side(p["moods"][sentiment][lang], dev)) if style != "sarcasm" else ""
    if style == "sarcasm":
        mood = rng.choice(p["sarcasm"][lang])
    opener = rng.choice(p["openers"][lang])
    body = [core, mood] if rng.random() < 0.6 else [mood, core]
    if style == "rambling":
        body = [rng.choice(p["ramble"][lang]), *body, rng.choice(p["ramble"][lang])]
    elif style == "multi":
        body = [core, other, mood]
    elif style == "log_paste":
        body = [*body, rng.choice(p["logs"])]
    text = "\n\n".join(s for s in (opener, " ".join(b for b in body if b)) if s)
    if style == "typos":
        text = _typos(text, rng)
    name = rng.choice(p["names"])
    if style in ("signature", "rambling", "multi", "log_paste", "sarcasm") or rng.random() < 0.4:
        text += f"\n\n{rng.choice(p['signoffs'][lang])}\n{name}"
        if style == "signature":
            text += f"\n{rng.choice(p['titles'])}"
    if style == "quoted_reply":
        quoted = "\n".join(f"> {line}" for line in rng.choice(p["quoted"][lang]).splitlines())
        text += f"\n\nOn Mon, 2 Nov 2026 at 10:04, Northwind Support <support@northwind.example> wrote:\n{quoted}"
    if style == "forwarded":
        note = rng.choice(p["forward_notes"][lang])
        text = (
            f"{note}\n\n---------- Forwarded message ---------\nFrom: {name} <customer@mail.example>\n"
            f"Date: Mon, 26 Oct 2026\nSubject: {rng.choice(p['subjects'][lang])}\n\n{text}"
        )
    subject = rng.choice(p["subjects"][lang])
    return f"{subject}\n{text}"


def compose(n: int, *, dev: bool, seed: int) -> list[CorpusTicket]:
    """``n`` tickets from the training (``dev=False``) or dev side of every part list, spread over languages."""
    rng = random.Random(seed)
    cores = parts()["cores"]
    pool = [
        (intent, lang, i, text)
        for intent, by_lang in sorted(cores.items())
        for lang in LANGUAGES
        for i, text in enumerate(by_lang[lang])
        if (i == len(by_lang[lang]) - 1) == dev
    ]
    out: list[CorpusTicket] = []
    for k in range(n):
        intent, lang, i, raw = pool[k % len(pool)] if k < len(pool) else rng.choice(pool)
        high_stakes = raw.startswith(_HS)
        core = raw.removeprefix(_HS)
        style = rng.choice(STYLES)
        sentiment = "negative" if style == "sarcasm" and intent != "praise" else _sentiment(intent, rng)
        if style == "sarcasm" and intent == "praise":
            style = "terse"
        others = [t for it, lg, _, t in pool if lg == lang and it not in (intent, "praise", "complaint")]
        text = _compose(core, lang, sentiment, style, rng.choice(others).removeprefix(_HS), rng, dev)
        out.append(
            CorpusTicket(
                text=text,
                intent=intent,
                sentiment=sentiment,
                high_stakes=high_stakes,
                situation=situation_for(sentiment, high_stakes=high_stakes),
                language=lang,
                style=style,
                template=f"{intent}/{lang}/{i}",
            )
        )
    return out
