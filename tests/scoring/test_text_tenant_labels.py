"""A tenant's own 30+-intent taxonomy without sentiment labels: ticket_intent trains alone on it, matches a
TF-IDF + logistic-regression reference on the same split, and a worse retrain is stored but not activated."""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from hyperjourney.data.ingest.loader import ingest_file
from hyperjourney.db.database import Database
from hyperjourney.scoring import registry
from hyperjourney.scoring.text import classify_ticket, labelled_tickets, split
from hyperjourney.scoring.train import train_all, train_ticket_models

_TOPICS = [
    ("card", "declined"), ("parcel", "damaged"), ("password", "reset"), ("invoice", "vat"), ("voucher", "expired"),
    ("warranty", "claim"), ("address", "change"), ("newsletter", "unsubscribe"), ("loyalty", "points"),
    ("gift", "wrapping"), ("app", "crash"), ("login", "twofactor"), ("export", "csv"), ("api", "token"),
    ("seat", "licence"), ("plan", "downgrade"), ("trial", "extend"), ("store", "hours"), ("pickup", "locker"),
    ("courier", "missed"), ("colour", "faded"), ("zipper", "broken"), ("battery", "drain"), ("screen", "flicker"),
    ("subscription", "pause"), ("receipt", "duplicate"), ("delivery", "weekend"), ("size", "exchange"),
    ("account", "delete"), ("data", "download"), ("price", "match"), ("stock", "restock"), ("bulk", "order"),
]  # fmt: skip
_FRAMES = [
    "Hi, I have a question about my {a}: it is {b} and I do not know why.",
    "Hello team, {b} {a} again today. Can someone help?",
    "My {a} seems {b}. What should I do next?",
    "Urgent: {a} problem, looks {b}, please advise.",
    "Could you check the {a}? I think it is {b}.",
    "{b} {a} — second time this month, thanks for looking.",
    "I wanted to ask whether a {a} that is {b} can be fixed.",
]
_NOISE = ["order", "please", "thanks", "today", "week", "again", "help", "soon", "email", "store"]


def _tickets(n_per_intent: int, seed: int, shuffle_labels: bool = False) -> list[dict[str, str]]:
    rng, relabel = random.Random(seed), random.Random(seed + 1)  # relabelling leaves the texts unchanged
    rows: list[dict[str, str]] = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    labels = [f"intent_{i:02d}_{a}_{b}" for i, (a, b) in enumerate(_TOPICS)]
    items = [(i, k) for i in range(len(_TOPICS)) for k in range(n_per_intent)]
    rng.shuffle(items)
    for n, (i, _) in enumerate(items):
        a, b = _TOPICS[i]
        body = rng.choice(_FRAMES).format(a=a, b=b) + " " + " ".join(rng.sample(_NOISE, 3))
        if rng.random() < 0.15:  # some tickets name another intent's words too
            other = _TOPICS[rng.randrange(len(_TOPICS))]
            body += f" Also my {other[0]} is fine."
        label = labels[relabel.randrange(len(labels))] if shuffle_labels else labels[i]
        rows.append(
            {
                "ticket_id": f"tk{n:05d}",
                "message_id": f"tk{n:05d}_m1",
                "customer_id": "c1",
                "channel": "email",
                "subject": f"Ticket {n}",
                "labels": json.dumps({"intent": label}),
                "body": body,
                "sent_at": (start + timedelta(hours=n)).isoformat(),
            }
        )
    return rows


def _ingest(db: Database, tenant: str, rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO customers (tenant_id, customer_id) VALUES (current_tenant(), 'c1') ON CONFLICT DO NOTHING"
        )
        result = ingest_file(conn, "tickets", path)
    assert not result.rejects


def test_own_taxonomy_trains_intent_alone_and_matches_reference(db: Database, tenant: str, tmp_path: Path) -> None:
    rows = _tickets(24, seed=3)
    _ingest(db, tenant, rows, tmp_path / "tickets.csv")

    report = train_ticket_models(db, tenant)

    assert list(report.versions) == ["ticket_intent"]  # no sentiment labels: intent trains alone
    q = report.metrics["ticket_intent"]
    assert len(q["labels"]) == len(_TOPICS) >= 30
    assert q["label_counts"]["with_intent"] == len(rows) and q["label_counts"]["with_sentiment"] == 0
    assert "sentiment_skipped" in q
    assert q["classes_missing_from_training"] == [] and q["activate"] is True
    with db.tenant(tenant) as conn:
        active = registry.get(conn, "ticket_intent")
        tickets = labelled_tickets(conn)
    assert active is not None and active.active and set(active.artifact["classes"]) == set(q["labels"])

    # the reference: TF-IDF + logistic regression fitted on the same split
    tr, te = split([t.intent for t in tickets])
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    ref = LogisticRegression(max_iter=2000).fit(vec.fit_transform([tickets[i].text for i in tr]),
                                                [tickets[i].intent for i in tr])  # fmt: skip
    predicted = ref.predict(vec.transform([tickets[i].text for i in te]))
    reference = sum(p == tickets[i].intent for p, i in zip(predicted, te, strict=True)) / len(te)
    assert q["n"] == len(te)
    assert q["accuracy"] >= reference - 0.02, (q["accuracy"], reference)

    result = classify_ticket("Subject\nMy parcel arrived damaged, the box was crushed.", db=db, tenant=tenant)
    assert result.intent == "intent_01_parcel_damaged"
    assert result.source == "tenant" and result.model_version.startswith("ticket_intent@v1+sentiment:")
    assert set(result.intents) == set(q["labels"])


def test_worse_retrain_is_stored_but_not_activated_and_reingest_corrects_labels(
    db: Database, tenant: str, tmp_path: Path
) -> None:
    rows = _tickets(12, seed=5)
    _ingest(db, tenant, rows, tmp_path / "good.csv")
    assert train_ticket_models(db, tenant).metrics["ticket_intent"]["activate"] is True

    # the same tickets re-ingested with labels unrelated to the text: a label correction (upsert of labels)
    noisy = _tickets(12, seed=5, shuffle_labels=True)
    _ingest(db, tenant, noisy, tmp_path / "noisy.csv")
    with db.tenant(tenant) as conn:
        stored = dict(conn.execute("SELECT ticket_id, labels->>'intent' FROM tickets").fetchall())
    assert stored == {r["ticket_id"]: json.loads(r["labels"])["intent"] for r in noisy}

    report = train_all(db, tenant, only="ticket_intent")  # `models train ticket_intent`
    q = report.metrics["ticket_intent"]
    assert q["activate"] is False
    with db.tenant(tenant) as conn:
        assert registry.active_versions(conn)["ticket_intent"] == 1
        assert registry.get(conn, "ticket_intent", 2) is not None
