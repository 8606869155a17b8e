"""Ticket intent and sentiment: the tenant's own trained version, the packaged fallback, and bad text."""

from __future__ import annotations

import uuid

from hyperjourney.db.database import Database
from hyperjourney.scoring.text import FALLBACK_VERSION, INTENTS, SENTIMENTS, classify_ticket
from hyperjourney.scoring.train import TrainReport

Trained = tuple[str, TrainReport]


def test_tenant_model_classifies_with_reasons(db: Database, trained: Trained) -> None:
    tenant = trained[0]
    result = classify_ticket(
        "Where is my order? Tracking has not moved in two weeks and this is unacceptable.", db=db, tenant=tenant
    )
    assert result.model_version.startswith("ticket_intent@v")
    assert result.intent == "shipping_delay"
    assert result.sentiment in ("negative", "very_negative") and result.sentiment_score < 0
    assert 0 < result.confidence <= result.intent_confidence <= 1
    assert any("tracking" in r.text or "order" in r.text for r in result.reasons)
    assert trained[1].metrics["ticket_intent"]["labels"] == INTENTS
    assert trained[1].metrics["ticket_sentiment"]["labels"] == sorted(SENTIMENTS)


def test_fallback_without_tenant_models(db: Database) -> None:
    empty = f"text-{uuid.uuid4().hex[:8]}"
    db.create_tenant(empty)
    result = classify_ticket("I love the new boots, thank you so much!", db=db, tenant=empty)
    assert result.model_version == FALLBACK_VERSION
    assert result.intent == "praise" and result.sentiment == "positive" and result.sentiment_score > 0


def test_empty_or_unknown_text_gets_low_confidence_and_a_reason() -> None:
    for text in ("", "zzqx vvbn"):
        result = classify_ticket(text)
        assert result.confidence <= 0.1
        assert result.reasons[0].direction == "-"
        assert "empty" in result.reasons[0].text or "no words" in result.reasons[0].text
