"""POST /v1/events validates each event, reports rejects by line, and stays inside the key's tenant."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from hyperjourney.data.ingest.loader import dataset, load_rows, validate
from hyperjourney.db.database import Database

KeyFactory = Callable[..., dict[str, str]]


def _customer(db: Database, tenant: str, customer_id: str) -> None:
    ds = dataset("customers")
    with db.tenant(tenant) as conn:
        load_rows(conn, ds, validate(ds, [(1, {"customer_id": customer_id, "created_at": "2026-01-01T00:00:00Z"})]))


EVENTS = [
    {"event_id": "e1", "customer_id": "c1", "type": "page_view", "ts": "2026-03-01T10:00:00Z", "properties": {}},
    {"event_id": "e2", "customer_id": "c1", "type": "page_view", "ts": "2026-03-01T10:00:00"},
    {"event_id": "e3", "customer_id": "ghost", "type": "login", "ts": "2026-03-01T10:00:00Z"},
    {"event_id": "e4", "customer_id": "c1", "type": "Bad Type", "ts": "2026-03-01T10:00:00Z", "extra": 1},
]


def test_partial_rejects_are_reported_per_line(
    client: TestClient, db: Database, tenant: str, auth_for: KeyFactory
) -> None:
    _customer(db, tenant, "c1")
    headers = auth_for(tenant)
    body = client.post("/v1/events", headers=headers, json={"events": EVENTS}).json()
    assert (body["received"], body["inserted"], body["duplicates"]) == (4, 1, 0)
    rejected = {(r["line"], r["field"]) for r in body["rejected"]}
    assert rejected == {(2, "ts"), (3, "customer_id"), (4, "type"), (4, "extra")}
    again = client.post("/v1/events", headers=headers, json={"events": EVENTS[:1]}).json()
    assert (again["inserted"], again["duplicates"]) == (0, 1)
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (1,)
        assert conn.execute("SELECT actor FROM audit_log WHERE action = 'ingest'").fetchone()[0].startswith("api:")  # type: ignore[index]


def test_a_key_writes_only_into_its_own_tenant(
    client: TestClient, db: Database, make_tenant: object, auth_for: KeyFactory
) -> None:
    a, b = make_tenant("a"), make_tenant("b")  # type: ignore[operator]
    _customer(db, a, "only-in-a")
    response = client.post(
        "/v1/events", headers=auth_for(b), json={"events": [{**EVENTS[0], "customer_id": "only-in-a"}]}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "events[0].customer_id"
    with db.tenant(a) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (0,)


def test_malformed_requests_are_problems_naming_the_field(
    client: TestClient, tenant: str, auth_for: KeyFactory
) -> None:
    headers = auth_for(tenant)
    for payload, field in (({}, "events"), ({"events": []}, "events"), ({"events": [1]}, "events[0]")):
        response = client.post("/v1/events", headers=headers, json=payload)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["errors"][0]["field"] == field and problem["detail"].startswith(field)
    broken = client.post("/v1/events", headers=headers | {"content-type": "application/json"}, content=b"{nope")
    assert broken.status_code == 422 and broken.json()["errors"]


def test_a_nul_in_one_event_rejects_that_event_and_keeps_the_others(
    client: TestClient, db: Database, tenant: str, auth_for: KeyFactory
) -> None:
    _customer(db, tenant, "c1")
    headers = auth_for(tenant)
    nul = {**EVENTS[0], "event_id": "n1", "properties": {"note": "a\u0000b"}}
    body = client.post("/v1/events", headers=headers, json={"events": [EVENTS[0], nul]})
    assert body.status_code == 200
    assert body.json()["inserted"] == 1
    assert [(r["line"], r["field"]) for r in body.json()["rejected"]] == [(2, "properties.note")]
    alone = client.post("/v1/events", headers=headers, json={"events": [nul]})
    assert alone.status_code == 422 and alone.headers["content-type"] == "application/problem+json"
    assert alone.json()["errors"][0]["field"] == "events[0].properties.note"


def test_implausible_times_and_oversized_bodies_are_refused(
    client: TestClient, db: Database, tenant: str, auth_for: KeyFactory
) -> None:
    _customer(db, tenant, "c1")
    headers = auth_for(tenant)
    future = client.post("/v1/events", headers=headers, json={"events": [{**EVENTS[0], "ts": "9999-01-01T00:00:00Z"}]})
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "events[0].ts"
    huge = {**EVENTS[0], "properties": {"blob": "x" * 6_000_000}}
    too_big = client.post("/v1/events", headers=headers, json={"events": [huge]})
    assert too_big.status_code == 413 and too_big.headers["content-type"] == "application/problem+json"
    big_field = client.post(
        "/v1/events", headers=headers, json={"events": [{**EVENTS[0], "properties": {"b": "x" * 70_000}}]}
    )
    assert big_field.status_code == 422 and big_field.json()["errors"][0]["field"] == "events[0].properties"
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (0,)
