"""A pasted ticket's personal data stays in the ticket itself: never in run state, checkpoints, outcomes,
steps, the audit trail, review items, text-model vocabularies, or what the API shows a viewer."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.db.database import Database
from hyperjourney.guardrails.pii import find_pii
from hyperjourney.scoring.text import fit_text
from hyperjourney.settings import ApiSettings, Settings

# Where the customer's own words and identity are the record itself (the vault only on the tenant's choice).
SOURCE_TABLES = {"customers", "identities", "tickets", "messages", "pii_vault"}


def _card(rng: random.Random) -> str:
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    total = sum(d if i % 2 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _secrets() -> dict[str, str]:
    rng = random.Random(uuid.uuid4().int)
    tag = uuid.uuid4().hex[:8]
    return {
        "card": _card(rng),
        "iban": "DE" + "".join(str(rng.randrange(10)) for _ in range(20)),
        "email": f"paula.{tag}@example.org",
        "phone": f"+1 415 {rng.randrange(200, 999)} {rng.randrange(1000, 9999)}",
        "address": f"{rng.randrange(10, 999)} Juniper Street",
        "password": f"Tr0ub4dor-{tag}",
    }


def _ticket_text(s: dict[str, str]) -> str:
    return (
        f"Hi, you charged my card {s['card']} twice for the March invoice. Please refund the second charge to "
        # "or write to <email>" after account data is a known false positive of the inbound detector (it reads a
        # recipient instruction; README, Security): this test is about PII at rest, so the ticket avoids it
        f"my account {s['iban']} instead. Call me on {s['phone']}, my email is {s['email']}; my address is "
        f"{s['address']}. My login password is {s['password']} if you need to check the account."
    )


@pytest.fixture
def api(db: Database, settings: Settings) -> Iterator[TestClient]:
    app = create_app(db, settings.model_copy(update={"api": ApiSettings(burst=10_000, stream_poll_seconds=0.05)}))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _where_stored(db: Database, needles: dict[str, str]) -> dict[str, list[str]]:
    """Every table (but the source tables) that holds one of the raw values, text and bytea alike."""
    found: dict[str, list[str]] = {}
    with db.admin() as conn:
        tables = [
            str(r[0])
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            if r[0] not in SOURCE_TABLES
        ]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    blob = value if isinstance(value, bytes | memoryview) else str(value).encode()
                    for kind, raw in needles.items():
                        if raw.encode() in bytes(blob):
                            found.setdefault(kind, []).append(table)
    return {k: sorted(set(v)) for k, v in found.items()}


def test_a_pasted_ticket_leaves_no_raw_pii_outside_the_ticket(db: Database, tenant: str, api: TestClient) -> None:
    s = _secrets()
    text = _ticket_text(s)
    assert {m.kind for m in find_pii(text)} == set(s), "the detector must see every kind the ticket holds"
    reviewer = {"Authorization": f"Bearer {create_key(db, tenant, 'agent', 'reviewer').token}"}
    viewer = {"Authorization": f"Bearer {create_key(db, tenant, 'look', 'viewer').token}"}
    started = api.post(
        "/v1/runs?wait=true", headers=reviewer, json={"flow": "copilot", "ticket_text": text, "subject": "Refund"}
    )
    assert started.status_code == 202, started.text
    run = started.json()
    assert run["status"] in ("completed", "escalated") and run["ticket_id"]
    assert "you charged my card [CARD_" in run["outcome"]["ticket"]["text"]
    shown = api.get(f"/v1/runs/{run['run_id']}", headers=viewer)
    assert shown.status_code == 200
    responses = {"viewer GET /v1/runs/{id}": shown.text, "reviewer POST /v1/runs": started.text}
    leaked_to = {where: [k for k, raw in s.items() if raw in body] for where, body in responses.items()}
    assert leaked_to == {where: [] for where in responses}
    with db.tenant(tenant) as conn:
        stored = conn.execute("SELECT body FROM messages WHERE ticket_id = %s", (run["ticket_id"],)).fetchone()
    assert stored == (text,), "the ticket itself keeps the customer's words"
    assert _where_stored(db, s) == {}


def test_text_model_vocabularies_hold_no_personal_data_or_long_numbers() -> None:
    s = _secrets()
    texts = [_ticket_text(s), _ticket_text(s), "where is my parcel order 12345678", "order 12345678 is late"] * 3
    labels = ["refund_request", "refund_request", "shipping_delay", "shipping_delay"] * 3
    vocabulary: dict[str, Any] = fit_text(texts, labels)["vocabulary"]
    raw_parts = {p.lower() for v in s.values() for p in v.replace("@", " ").replace("-", " ").split()}
    held = sorted(t for t in vocabulary if any(part in t.split() for part in raw_parts if len(part) > 3))
    assert held == [] and not [t for t in vocabulary if any(ch.isdigit() for ch in t) and len(t) >= 4]
    assert {"card", "iban", "email", "phone", "password"} <= set(vocabulary), "the kind stays a feature"
