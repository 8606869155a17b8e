"""A deterministic LLM judge for ragas' prompts, to plug into ``openai_stub(answer=judge_answer)``.

It reads the input JSON ragas puts after "Now perform the same with the following input" and answers each prompt
the way a careful judge would, by evidence rather than by constant: a statement is supported by a context when
every number it states appears there and most of its content words do. So a grounded answer scores high and an
invented one low, and a broken wiring (wrong fields, contexts not passed, verdicts ignored) changes the scores.
Prompts it does not know get ``None`` (the stub's schema default answers them).
"""

from __future__ import annotations

import json
import re
from typing import Any

MARKER = "Now perform the same with the following input"
SUPPORTED_SHARE = 0.6
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
_CITE = re.compile(r"\[cite:[^\]]*\]")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "they",
        "this",
        "to",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)
_EVASIVE = ("i don't know", "i do not know", "not sure", "cannot help", "can't help")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(_CITE.sub(" ", text.lower())) if w not in _STOP and not w.isdigit()}


def _numbers(text: str) -> set[str]:
    return set(_NUMBER.findall(_CITE.sub(" ", text)))


def supported(statement: str, context: str) -> bool:
    words = _words(statement)
    if not _numbers(statement) <= _numbers(context):
        return False
    return not words or len(words & _words(context)) / len(words) >= SUPPORTED_SHARE


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n+", _CITE.sub("", text))
    return [p.strip() for p in parts if len(_words(p)) >= 2]


def _input(prompt: str) -> dict[str, Any] | None:
    if MARKER not in prompt:
        return None
    tail = prompt.rsplit(MARKER, 1)[1]
    start, end = tail.find("{"), tail.rfind("}")
    data = json.loads(tail[start : end + 1]) if start >= 0 else None
    return data if isinstance(data, dict) else None


def judge_answer(prompt: str) -> str | None:
    """ragas' prompt text in, the JSON a judge would answer out (None for prompts that are not ragas')."""
    data = _input(prompt)
    if data is None:
        return None
    head = prompt[:200]
    out: dict[str, Any]
    if head.startswith("Given a question and an answer, analyze the complexity"):
        out = {"statements": sentences(data["answer"])}
    elif head.startswith("Your task is to judge the faithfulness"):
        context = data["context"]
        out = {
            "statements": [
                {"statement": s, "reason": "checked against the context", "verdict": int(supported(s, context))}
                for s in data["statements"]
            ]
        }
    elif head.startswith("Generate a question for the given answer"):
        response = data["response"]
        gist = max(sentences(response) or [response], key=lambda s: len(_words(s)))  # the greeting is not the point
        out = {
            "question": f"What about {gist.rstrip('.!?')}?",
            "noncommittal": int(any(e in response.lower() for e in _EVASIVE)),
        }
    elif head.startswith("Given question, answer and context verify"):
        useful = any(supported(s, data["context"]) for s in sentences(data["answer"]))
        out = {"reason": "the context states the answer" if useful else "unrelated", "verdict": int(useful)}
    elif head.startswith("Given a context, and an answer, analyze each sentence"):
        context = data["context"]
        out = {
            "classifications": [
                {"statement": s, "reason": "looked up in the context", "attributed": int(supported(s, context))}
                for s in sentences(data["answer"])
            ]
        }
    else:
        return None
    return json.dumps(out)
