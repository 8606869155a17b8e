"""Runs over HTTP against the real agent graphs: start, SSE order, interrupt and resume, isolation, roles."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hyperjourney.db.database import Database
from tests.conftest import new_tenant
from tests.surfaces_data import seeded_tenant

KeyFactory = Callable[..., dict[str, str]]
GOAL = "Lift LTV 20% in fintech SMBs"


@pytest.fixture(scope="module")
def seeded(db: Database) -> str:
    return seeded_tenant(db, "runs")


def _events(client: TestClient, path: str, headers: dict[str, str]) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(event, id, data) of a whole SSE stream."""
    out: list[tuple[str, str | None, dict[str, Any]]] = []
    event, event_id = "message", None
    with client.stream("GET", path, headers=headers) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("id: "):
                event_id = line[4:]
            elif line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                out.append((event, event_id, json.loads(line[6:])))
                event, event_id = "message", None
    return out


def _start(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post("/v1/runs", headers=headers, json=body)
    assert response.status_code == 202, response.text
    return response.json()  # type: ignore[no-any-return]


def test_canvas_streams_steps_in_order_then_pauses_for_approval(
    client: TestClient, seeded: str, auth_for: KeyFactory
) -> None:
    headers = auth_for(seeded)
    started = _start(client, headers, flow="canvas", goal=GOAL)
    assert started["run_id"].startswith("run-") and started["events_url"].endswith("/events")
    stream = _events(client, started["events_url"], headers)
    steps = [data for event, _, data in stream if event == "step"]
    numbers = [s["step_no"] for s in steps]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 4
    assert [i for e, i, _ in stream if e == "step"] == [str(n) for n in numbers]
    assert {"researcher", "copywriter", "orchestrator"} <= {s["node"] for s in steps}
    end = stream[-1]
    assert end[0] == "end" and end[2]["status"] == "awaiting_approval"
    assert end[2]["approval"]["question"] and end[2]["approval"]["variants"]

    tail = _events(client, f"{started['events_url']}?after=0", headers | {"Last-Event-ID": str(numbers[-2])})
    assert [d["step_no"] for e, _, d in tail if e == "step"] == [numbers[-1]]

    detail = client.get(started["run_url"], headers=headers).json()
    assert detail["status"] == "awaiting_approval" and detail["approval"]["plan"]["steps"]
    cited = {c for v in detail["approval"]["variants"] for c in v["citations"]}
    evidence = {e["citation_id"]: e for e in detail["evidence"]}
    assert cited <= set(evidence) and all(evidence[c]["text"] for c in cited)
    assert detail["audit"][0]["action"] == "run_started"


def test_approve_over_http_launches_once(client: TestClient, seeded: str, auth_for: KeyFactory) -> None:
    headers = auth_for(seeded)
    run = client.post("/v1/runs?wait=true", headers=headers, json={"flow": "canvas", "goal": GOAL}).json()
    assert run["status"] == "awaiting_approval" and run["approval"]
    viewer = auth_for(seeded, "viewer")
    assert (
        client.post(f"/v1/runs/{run['run_id']}/resume", headers=viewer, json={"action": "approve"}).status_code == 403
    )
    done = client.post(f"/v1/runs/{run['run_id']}/resume", headers=headers, json={"action": "approve"})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    again = client.post(f"/v1/runs/{run['run_id']}/resume", headers=headers, json={"action": "approve"})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "run_id"
    detail = client.get(run["run_url"], headers=viewer).json()
    assert detail["outcome"]["decision"] == "approved" and detail["approval"] is None
    assert "approval:approve" in [a["action"] for a in detail["audit"]]
    assert _events(client, run["events_url"], headers)[-1][2]["status"] == "completed"


def test_reject_and_bad_edit_over_http(client: TestClient, seeded: str, auth_for: KeyFactory) -> None:
    headers = auth_for(seeded)
    run = client.post("/v1/runs?wait=true", headers=headers, json={"flow": "canvas", "goal": GOAL}).json()
    variant = {**run["approval"]["variants"][0], "body": "Guaranteed 300% returns, no risk!"}
    edited = client.post(
        f"/v1/runs/{run['run_id']}/resume", headers=headers, json={"action": "edit", "variants": [variant]}
    )
    assert edited.status_code == 422 and edited.headers["content-type"] == "application/problem+json"
    refused = edited.json()
    assert refused["title"] == "Edit refused" and "still awaits approval" in refused["detail"]
    assert refused["errors"] and {e["field"] for e in refused["errors"]} == {"variants"}
    assert client.get(run["run_url"], headers=headers).json()["approval"]["edit_problems"] == [
        e["message"] for e in refused["errors"]
    ]
    rejected = client.post(
        f"/v1/runs/{run['run_id']}/resume", headers=headers, json={"action": "reject", "comment": "not now"}
    )
    assert rejected.json()["status"] == "rejected"
    malformed = client.post(f"/v1/runs/{run['run_id']}/resume", headers=headers, json={"action": "launch"})
    assert malformed.status_code == 422 and malformed.json()["errors"][0]["field"] == "action"


def test_list_filter_page_and_cancel_runs(client: TestClient, db: Database, seeded: str, auth_for: KeyFactory) -> None:
    headers = auth_for(seeded)
    tenant = new_tenant(db, "listing")
    own = auth_for(tenant)
    with db.tenant(tenant) as conn:
        for i, (flow, status) in enumerate([("canvas", "completed"), ("copilot", "completed"), ("canvas", "failed")]):
            conn.execute(
                "INSERT INTO agent_runs (run_id, flow, request, status, created_at) "
                "VALUES (%s, %s, '{}', %s, now() - make_interval(mins => %s))",
                (f"run-old{i}", flow, status, 10 - i),
            )
    started = client.post("/v1/runs", headers=own, json={"flow": "canvas", "goal": GOAL})
    assert started.status_code == 202 and started.headers["location"] == f"/v1/runs/{started.json()['run_id']}"
    assert started.headers["location"] == started.json()["run_url"]
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        page = client.get("/v1/runs", params={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=own)
        pages.append([r["run_id"] for r in page.json()["items"]])
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [2, 2] and pages[1][-1] == "run-old0"  # newest first, every run once
    canvas = client.get("/v1/runs", params={"flow": "canvas", "status": "completed"}, headers=own).json()["items"]
    assert [r["run_id"] for r in canvas] == ["run-old0"]
    bad = client.get("/v1/runs", params={"status": "sleeping"}, headers=own)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"

    run = client.post("/v1/runs?wait=true", headers=headers, json={"flow": "canvas", "goal": GOAL}).json()
    assert run["status"] == "awaiting_approval"
    viewer = auth_for(seeded, "viewer")
    assert client.post(f"/v1/runs/{run['run_id']}/cancel", headers=viewer).status_code == 403
    cancelled = client.post(f"/v1/runs/{run['run_id']}/cancel", headers=headers, json={"reason": "wrong segment"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    approve = client.post(f"/v1/runs/{run['run_id']}/resume", headers=headers, json={"action": "approve"})
    assert approve.status_code == 409 and "cancelled" in approve.json()["detail"]
    again = client.post(f"/v1/runs/{run['run_id']}/cancel", headers=headers)
    assert again.status_code == 409
    detail = client.get(run["run_url"], headers=headers).json()
    assert detail["status"] == "cancelled" and detail["outcome"] is None
    trail = [(a["action"], a["payload"]) for a in detail["audit"]]
    assert ("run_cancelled", {"reason": "wrong segment"}) in trail
    assert _events(client, run["events_url"], headers)[-1][2]["status"] == "cancelled"
    assert client.post("/v1/runs/run-nope/cancel", headers=headers).status_code == 404


def test_request_errors_name_fields_as_the_request_does(client: TestClient, seeded: str, auth_for: KeyFactory) -> None:
    headers = auth_for(seeded)
    raw = client.post("/v1/runs", headers=headers, content=b'{"flow":"canvas","goal":"Lift LTV"}')
    assert raw.status_code == 422
    assert raw.json()["errors"][0]["field"] == "body" and "Content-Type: application/json" in raw.json()["detail"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"goal": "x"}, "flow"),
        ({"flow": "launch"}, "flow"),
        ({"flow": "canvas", "goal": ""}, "goal"),
        ({"flow": "copilot", "ticket_id": "bad id!"}, "ticket_id"),
    ]
    for body, field in cases:
        answer = client.post("/v1/runs", headers=headers, json=body)
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field, (body, answer.json())
    broken = client.post("/v1/runs", headers=headers | {"content-type": "application/json"}, content=b"{nope")
    assert broken.json()["errors"][0]["field"] == "body" and "valid JSON" in broken.json()["detail"]


def test_a_key_cannot_reach_another_tenants_runs(
    client: TestClient, db: Database, seeded: str, auth_for: KeyFactory
) -> None:
    run = client.post("/v1/runs?wait=true", headers=auth_for(seeded), json={"flow": "canvas", "goal": GOAL}).json()
    other = auth_for(new_tenant(db, "other"))
    assert client.get(run["run_url"], headers=other).status_code == 404
    assert client.get(run["events_url"], headers=other).status_code == 404
    resumed = client.post(f"/v1/runs/{run['run_id']}/resume", headers=other, json={"action": "approve"})
    assert resumed.status_code == 404
    assert client.get(run["run_url"], headers=auth_for(seeded)).json()["status"] == "awaiting_approval"


def test_copilot_over_http(client: TestClient, db: Database, seeded: str, auth_for: KeyFactory) -> None:
    headers = auth_for(seeded)
    missing = client.post("/v1/runs", headers=headers, json={"flow": "copilot", "ticket_id": "no-such-ticket"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "ticket_id"
    with db.tenant(seeded) as conn:
        row = conn.execute("SELECT ticket_id FROM tickets ORDER BY ticket_id LIMIT 1").fetchone()
    assert row is not None
    done = client.post("/v1/runs?wait=true", headers=headers, json={"flow": "copilot", "ticket_id": row[0]}).json()
    assert done["status"] in {"completed", "escalated"} and done["outcome"]["reply"]
    detail = client.get(done["run_url"], headers=headers).json()
    assert {c for c in done["outcome"]["citations"]} <= {e["citation_id"] for e in detail["evidence"]}
    assert client.post("/v1/runs", headers=headers, json={"flow": "canvas", "goal": ""}).status_code == 422


def test_copilot_on_a_pasted_ticket_over_http(
    client: TestClient, db: Database, seeded: str, auth_for: KeyFactory
) -> None:
    headers = auth_for(seeded)
    body = {
        "flow": "copilot",
        "ticket_text": "I was charged twice for my subscription this month and I am really annoyed. Please refund it.",
        "customer_email": "pasted.sender@example.org",
        "subject": "Double charge",
    }
    done = client.post("/v1/runs?wait=true", headers=headers, json=body).json()
    assert done["status"] in {"completed", "escalated"} and done["outcome"]["reply"]
    assert done["ticket_id"].startswith("tkt_pasted_")
    assert {"sentiment", "intent", "channel", "tone"} <= set(done["outcome"])
    with db.tenant(seeded) as conn:
        stored = conn.execute(
            "SELECT t.subject, c.customer_id FROM tickets t JOIN identities c USING (customer_id) "
            "WHERE t.ticket_id = %s AND c.kind = 'email'",
            (done["ticket_id"],),
        ).fetchone()
        audited = conn.execute(
            "SELECT actor FROM audit_log WHERE action = 'ticket_pasted' AND entity = %s", (done["ticket_id"],)
        ).fetchone()
    assert stored is not None and stored[0] == "Double charge"
    assert audited is not None and audited[0].startswith("api:")
    other = auth_for(new_tenant(db, "other"))
    assert client.get(done["run_url"], headers=other).status_code == 404

    def problem(payload: dict[str, object]) -> tuple[int, str, str]:
        answer = client.post("/v1/runs", headers=headers, json={"flow": "copilot", **payload})
        assert answer.headers["content-type"].startswith("application/problem+json")
        field = answer.json()["errors"][0]["field"]
        return answer.status_code, field, answer.json()["detail"]

    assert problem({})[:2] == (422, "ticket_id")
    assert problem({"ticket_id": "x", "ticket_text": "hello"})[:2] == (422, "ticket_text")
    assert problem({"ticket_text": ""})[:2] == (422, "ticket_text")
    assert problem({"ticket_text": "hello", "customer_email": "not-an-email"})[:2] == (422, "customer_email")
    assert problem({"ticket_text": "hello", "customer_id": "nobody-here"})[:2] == (422, "customer_id")
    assert problem({"ticket_text": "hello", "channel": "pigeon"})[:2] == (422, "channel")
    with db.tenant(seeded) as conn:
        row = conn.execute("SELECT count(*) FROM tickets WHERE ticket_id LIKE 'tkt_pasted_%'").fetchone()
    assert row is not None and row[0] == 1
