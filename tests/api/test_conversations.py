"""The assistant's HTTP routes through the real ASGI app: widget keys, SSE replies, retries, rate limits."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from hyperjourney.api.app import create_app
from hyperjourney.db.database import Database
from hyperjourney.settings import ApiSettings, AssistantSettings, Settings
from tests.api.conftest import KeyFactory


def events(text: str) -> list[tuple[str, Any]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def start(client: TestClient, key: dict[str, str], visitor: str) -> str:
    resp = client.post("/v1/conversations", json={"visitor_id": visitor}, headers=key)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["conversation_id"])


def test_a_widget_key_chats_and_a_retry_streams_the_same_reply(
    client: TestClient, db: Database, tenant: str, auth_for: KeyFactory
) -> None:
    key = auth_for(tenant, "widget")
    cid = start(client, key, "visitor-0001")
    body = {"visitor_id": "visitor-0001", "message_id": "w1", "text": "Can we book a call with your team?"}
    first = client.post(f"/v1/conversations/{cid}/messages", json=body, headers=key)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/event-stream")
    got = events(first.text)
    assert [e for e, _ in got] == ["delta", "reply", "end"]
    assert got[0][1]["text"] == "Happy to set up a call. Which email should the invite go to?"
    assert got[1][1]["message_id"] == "w1" and got[1][1]["handed_off"] is False
    again = client.post(f"/v1/conversations/{cid}/messages", json=body, headers=key)
    assert events(again.text) == got
    with db.tenant(tenant) as conn:
        n = conn.execute("SELECT count(*) FROM conversation_messages WHERE conversation_id = %s", (cid,)).fetchone()
    assert n == (2,)  # one visitor message, one reply: the retry added nothing


def test_a_widget_key_reaches_the_assistant_only_and_only_its_visitors_chat(
    client: TestClient, tenant: str, auth_for: KeyFactory
) -> None:
    key = auth_for(tenant, "widget")
    assert client.get("/v1/runs", headers=key).status_code == 403
    assert (
        client.post(
            "/v1/conversations", json={"visitor_id": "visitor-0002"}, headers=auth_for(tenant, "viewer")
        ).status_code
        == 403
    )
    cid = start(client, key, "visitor-0002")
    stranger = {"visitor_id": "visitor-9999", "message_id": "x1", "text": "Can we book a call?"}
    resp = client.post(f"/v1/conversations/{cid}/messages", json=stranger, headers=key)
    assert resp.status_code == 404
    other_tenant = client.post(
        f"/v1/conversations/{cid}/messages",
        json={**stranger, "visitor_id": "visitor-0002"},
        headers=auth_for(f"{tenant}", "reviewer"),
    )
    assert other_tenant.status_code == 200  # the same tenant's reviewer key may talk as the widget does


def test_each_visitor_has_a_rate_of_their_own(
    db: Database, settings: Settings, tenant: str, auth_for: KeyFactory
) -> None:
    slow = AssistantSettings(visitor_rate_per_second=0.001, visitor_burst=2)
    app = create_app(db, settings.model_copy(update={"api": ApiSettings(burst=10_000), "assistant": slow}))
    key = auth_for(tenant, "widget")
    with TestClient(app, raise_server_exceptions=False) as client:
        start(client, key, "visitor-busy")
        start(client, key, "visitor-busy")
        third = client.post("/v1/conversations", json={"visitor_id": "visitor-busy"}, headers=key)
        assert third.status_code == 429 and int(third.headers["Retry-After"]) >= 1
        start(client, key, "visitor-calm")  # another visitor of the same site is not held back


def test_a_nul_or_blank_message_is_a_field_error(client: TestClient, tenant: str, auth_for: KeyFactory) -> None:
    key = auth_for(tenant, "widget")
    cid = start(client, key, "visitor-0003")
    for text in ("nul \x00 here", "   "):
        body = {"visitor_id": "visitor-0003", "message_id": "n1", "text": text}
        resp = client.post(f"/v1/conversations/{cid}/messages", json=body, headers=key)
        assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "text", resp.text
