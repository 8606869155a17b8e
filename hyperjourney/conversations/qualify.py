"""Qualification that learns: which question to ask next, and the typed trait an answer gives.

The catalogue is a versioned prompt file (prompts/assistant_questions.md). The next question is the unknown
trait with the highest information gain about conversion on the tenant's own customers: for each trait, the
customers with a known value (answers the assistant stored in profile_traits, else the profile attribute of
the same name) split into converted (lifecycle stage active, at risk or churned: they bought) and not; the gain
is H(converted) - sum_v p(v) H(converted | v), in bits. A trait no customer has a value for gains 0; ties keep
the catalogue's order, so a tenant without data asks in the order the catalogue lists.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Any

import psycopg
import yaml
from pydantic import BaseModel, Field

from hyperjourney.prompts.loader import load

CATALOGUE = "assistant_questions"
CONVERTED_STAGES = ("active", "at_risk", "churned", "customer")
BUSINESSES = ("b2b", "plg", "shop")
PRODUCT_BUSINESS = {"ledger": "b2b", "boards": "plg", "goods": "shop"}
SEGMENT_BUSINESS = {"b2b": "b2b", "plg": "plg", "dtc": "shop"}


class Question(BaseModel):
    trait: str
    ask: str
    bands: list[tuple[float | None, str]] = Field(default_factory=list)
    words: dict[str, list[str]] = Field(default_factory=dict)

    def parse(self, answer: str) -> str | None:
        """The typed value the answer gives, or None when it says nothing this question can use."""
        low = answer.lower()
        for value, cues in self.words.items():
            if any(re.search(r"\b" + re.escape(cue), low) for cue in cues):
                return value
        number = re.search(r"\d[\d,]*", answer)
        if self.bands and number:
            n = float(number.group().replace(",", ""))
            return next(v for bound, v in self.bands if bound is None or n < bound)
        return None


class Catalogue(BaseModel):
    version: str
    questions: dict[str, list[Question]]


def catalogue() -> Catalogue:
    prompt = load(CATALOGUE)
    table: dict[str, list[dict[str, Any]]] = yaml.safe_load(prompt.text)
    return Catalogue(
        version=prompt.version,
        questions={k: [Question.model_validate(q) for q in v] for k, v in table.items()},
    )


def entropy(counts: Counter[bool]) -> float:
    total = sum(counts.values())
    return -sum(c / total * math.log2(c / total) for c in counts.values() if c)


def information_gain(conn: psycopg.Connection[Any], traits: list[str]) -> dict[str, float]:
    """Each trait's information gain (bits) about conversion over the bound tenant's customers."""
    rows = conn.execute(
        "SELECT t.trait, coalesce(p.value, c.attributes->>t.trait) AS value, c.lifecycle_stage = ANY(%s) "
        "FROM customers c CROSS JOIN unnest(%s::text[]) AS t(trait) "
        "LEFT JOIN profile_traits p ON p.customer_id = c.customer_id AND p.trait = t.trait "
        "WHERE c.merged_into IS NULL",
        (list(CONVERTED_STAGES), traits),
    ).fetchall()
    by_value: dict[str, dict[str, Counter[bool]]] = defaultdict(lambda: defaultdict(Counter))
    for trait, value, converted in rows:
        if value is not None:
            by_value[trait][value][bool(converted)] += 1
    gains = {}
    for trait in traits:
        groups = by_value.get(trait, {})
        overall: Counter[bool] = sum(groups.values(), Counter())
        n = sum(overall.values())
        gains[trait] = entropy(overall) - sum(sum(g.values()) / n * entropy(g) for g in groups.values()) if n else 0.0
    return gains


def next_question(questions: list[Question], skip: set[str], gains: dict[str, float]) -> Question | None:
    """The unknown, unasked trait that tells most about conversion (catalogue order breaks ties)."""
    open_ = [q for q in questions if q.trait not in skip]
    if not open_:
        return None
    return max(open_, key=lambda q: (round(gains.get(q.trait, 0.0), 9), -questions.index(q)))


def business_of(segment: str | None, products: list[str]) -> str:
    """Which catalogue: the customer's segment, else the product line the visitor names, else b2b."""
    if segment in SEGMENT_BUSINESS:
        return SEGMENT_BUSINESS[segment]
    return next((PRODUCT_BUSINESS[p] for p in products if p in PRODUCT_BUSINESS), "b2b")
