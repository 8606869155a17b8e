"""The Segment/RudderStack-compatible source: the spec's example messages land mapped; a bad batch stores nothing."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hyperjourney.data import identities
from hyperjourney.db.database import Database

KeyFactory = Callable[..., dict[str, str]]
BATCH: dict[str, Any] = json.loads((Path(__file__).parents[1] / "data/fixtures/segment_batch.json").read_text())


def _basic(headers: dict[str, str]) -> dict[str, str]:
    """The SDKs' form: the write key as the HTTP Basic user name, no password."""
    token = headers["Authorization"].removeprefix("Bearer ")
    return {"Authorization": "Basic " + base64.b64encode(f"{token}:".encode()).decode()}


def _counts(db: Database, tenant: str) -> tuple[int, int, int]:
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM events), (SELECT count(*) FROM identities)"
        ).fetchone()
    assert row is not None
    return row[0], row[1], row[2]


def test_the_spec_examples_map_onto_customers_events_and_identities(
    client: TestClient, db: Database, tenant: str, auth_for: KeyFactory
) -> None:
    headers = _basic(auth_for(tenant))
    response = client.post("/segment/v1/batch", headers=headers, json=BATCH)
    assert response.status_code == 200, response.text
    assert response.json()["events_inserted"] == 4
    with db.tenant(tenant) as conn:
        customer = conn.execute(
            "SELECT first_name, last_name, job_title, country, account_id, company, industry, attributes "
            "FROM customers WHERE customer_id = '97980cfea0067'"
        ).fetchone()
        events = conn.execute(
            "SELECT event_id, customer_id, type, channel, properties FROM events ORDER BY ts"
        ).fetchall()
        idents = set(conn.execute("SELECT customer_id, kind, value FROM identities").fetchall())
        merged = identities.resolve(conn)
    assert customer is not None
    assert customer[:7] == (
        "Peter",
        "Gibbons",
        "Software Engineer",
        "US",
        "0e8c78ea9d97a7b8185e8632",
        "Initech",
        "Technology",
    )
    assert customer[7]["plan"] == "premium" and customer[7]["logins"] == 5
    assert customer[7]["group"]["employees"] == 329
    assert [(e[2], e[3]) for e in events] == [
        ("registered", None),
        ("page_view", "web"),
        ("screen_view", "app"),
        ("product_viewed", None),
    ]
    assert events[0][4] == {"plan": "Pro Annual", "accountType": "Facebook", "$event": "Registered"}
    assert events[3][1] == "anon:23adfd82-aa0f-45a7-a756-24f2a7a4c895"
    assert {
        ("97980cfea0067", "email", "peter@example.com"),
        ("97980cfea0067", "phone", "+14155550100"),
        ("97980cfea0067", "cookie", "507f191e810c19729de860ea"),
        ("97980cfea0067", "alias", "97980cfea0067"),
        ("anon:23adfd82-aa0f-45a7-a756-24f2a7a4c895", "alias", "97980cfea0067"),
    } <= idents
    assert merged.merged_now == 1  # the alias links the anonymous visitor to the user
    again = client.post("/segment/v1/batch", headers=headers, json=BATCH).json()
    assert (again["events_inserted"], again["events_already_stored"]) == (0, 4)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b["batch"][3].update(timestamp="9999-01-01T00:00:00Z"), "batch[3].timestamp"),
        (lambda b: b["batch"][3].update(timestamp="yesterday"), "batch[3].timestamp"),
        (lambda b: b["batch"][1].pop("event"), "batch[1].event"),
        (lambda b: b["batch"][2].update(type="teleport"), "batch[2].type"),
        (lambda b: b["batch"][1].update(properties={"note": "a\u0000b"}), "batch[1].properties.note"),
        (lambda b: b["batch"][0]["traits"].update(email="not-an-email"), "batch[0].traits.email"),
        (lambda b: b["batch"][5].pop("anonymousId"), "batch[5].userId"),
    ],
)
def test_a_bad_message_names_its_field_and_nothing_of_the_batch_is_stored(
    client: TestClient, db: Database, tenant: str, auth_for: KeyFactory, change: Any, field: str
) -> None:
    bad = copy.deepcopy(BATCH)
    change(bad)
    response = client.post("/segment/v1/batch", headers=auth_for(tenant), json=bad)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert _counts(db, tenant) == (0, 0, 0)


def test_a_reused_message_id_with_other_content_rolls_the_whole_batch_back(
    client: TestClient, db: Database, tenant: str, auth_for: KeyFactory
) -> None:
    headers = auth_for(tenant)
    assert client.post("/segment/v1/batch", headers=headers, json=BATCH).status_code == 200
    before = _counts(db, tenant)
    reused = {**BATCH["batch"][1], "event": "Deleted Account"}
    fresh = {**BATCH["batch"][1], "messageId": "new-message-1", "userId": "someone-new"}
    response = client.post("/segment/v1/batch", headers=headers, json={"batch": [fresh, reused]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "batch[1].messageId"
    assert _counts(db, tenant) == before


def test_single_message_routes_and_auth(client: TestClient, db: Database, tenant: str, auth_for: KeyFactory) -> None:
    track = {k: v for k, v in BATCH["batch"][1].items() if k != "type"}
    assert client.post("/segment/v1/track", json=track).status_code == 401
    assert client.post("/segment/v1/track", headers=_basic(auth_for(tenant, "viewer")), json=track).status_code == 403
    missing = client.post("/segment/v1/track", headers=auth_for(tenant), json={**track, "event": ""})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "event"
    identify = {k: v for k, v in BATCH["batch"][0].items() if k != "type"}
    assert client.post("/segment/v1/identify", headers=auth_for(tenant), json=identify).status_code == 200
    assert client.post("/segment/v1/track", headers=auth_for(tenant), json=track).json()["events_inserted"] == 1
    assert _counts(db, tenant)[1] == 1
