"""Keys: required on every /v1 route, hashed at rest, revocable, expiring, role-checked and rate limited."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key, list_keys, revoke_key
from hyperjourney.api.ratelimit import RateLimiter, retry_after_seconds
from hyperjourney.db.database import Database
from hyperjourney.settings import ApiSettings, Settings
from tests.cli_runner import invoke

KeyFactory = Callable[..., dict[str, str]]


def _routes(client: TestClient) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "x", path))
        for path, ops in spec["paths"].items()
        for method in ops
        if path not in ("/health", "/ready", "/metrics")
    ]


def test_health_readiness_and_metrics_need_no_key(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/ready").json()["status"] == "ready"
    assert client.get("/metrics").status_code == 200


def test_every_other_route_needs_a_key(client: TestClient) -> None:
    routes = _routes(client)
    assert ("POST", "/v1/events") in routes
    for method, path in routes:
        for headers in ({}, {"Authorization": "Bearer hj_nope_nope"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
            response = client.request(method, path, headers=headers, json={})
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 401


def test_keys_are_stored_hashed_and_revocable(client: TestClient, db: Database, tenant: str) -> None:
    created = create_key(db, tenant, "crm")
    with db.tenant(tenant) as conn:
        stored = conn.execute("SELECT row_to_json(k)::text FROM api_keys k").fetchone()
    assert stored is not None and created.token not in stored[0]
    headers = {"Authorization": f"Bearer {created.token}"}
    # past authentication: the empty event is then refused as invalid (422), not as unauthorized
    assert client.post("/v1/events", headers=headers, json={"events": [{}]}).status_code == 422
    assert revoke_key(db, tenant, created.info.key_id)
    assert not revoke_key(db, tenant, created.info.key_id)
    assert client.post("/v1/events", headers=headers, json={"events": [{}]}).status_code == 401
    assert list_keys(db, tenant)[0].revoked_at is not None


def test_a_tenant_cannot_see_or_revoke_another_tenants_keys(db: Database, make_tenant: object) -> None:
    a, b = make_tenant("a"), make_tenant("b")  # type: ignore[operator]
    key = create_key(db, a, "a-key")
    assert list_keys(db, b) == []
    assert not revoke_key(db, b, key.info.key_id)
    assert [k.key_id for k in list_keys(db, a)] == [key.info.key_id]


def test_viewer_keys_cannot_change_state(client: TestClient, tenant: str, auth_for: KeyFactory) -> None:
    response = client.post("/v1/events", headers=auth_for(tenant, "viewer"), json={"events": [{}]})
    assert response.status_code == 403
    assert "viewer" in response.json()["detail"]


def test_rate_limit_answers_429_with_retry_after(db: Database, settings: Settings, tenant: str) -> None:
    app = create_app(db, settings.model_copy(update={"api": ApiSettings(burst=3, rate_per_second=0.01)}))
    headers = {"Authorization": f"Bearer {create_key(db, tenant, 'burst').token}"}
    other = {"Authorization": f"Bearer {create_key(db, tenant, 'other').token}"}
    with TestClient(app) as c:
        codes = [c.post("/v1/events", headers=headers, json={"events": [{}]}).status_code for _ in range(4)]
        assert codes == [422, 422, 422, 429]  # authenticated (the empty event is invalid) until the limit
        limited = c.post("/v1/events", headers=headers, json={"events": [{}]})
        assert limited.headers["content-type"] == "application/problem+json"
        assert int(limited.headers["Retry-After"]) >= 1
        assert c.post("/v1/events", headers=other, json={"events": [{}]}).status_code == 422


def test_requests_without_a_valid_key_are_limited_by_address(db: Database, settings: Settings, tenant: str) -> None:
    """Unknown keys once cost nothing: an address could guess keys at any rate."""
    app = create_app(db, settings.model_copy(update={"api": ApiSettings(burst=3, rate_per_second=0.5)}))
    good = {"Authorization": f"Bearer {create_key(db, tenant, 'good').token}"}
    with TestClient(app) as c:
        codes = [c.get("/v1/review", headers={"Authorization": f"Bearer hj_x_guess{i}"}).status_code for i in range(4)]
        assert codes == [401, 401, 401, 429]
        limited = c.get("/v1/review")
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
        assert limited.json()["detail"].endswith("retry after 2 s")
        assert c.get("/v1/review", headers=good).status_code == 200  # a valid key keeps its own bucket


def test_keys_may_expire_with_a_clear_401(client: TestClient, db: Database, tenant: str) -> None:
    from datetime import timedelta

    key = create_key(db, tenant, "short", expires_in=timedelta(hours=1))
    headers = {"Authorization": f"Bearer {key.token}"}
    assert key.info.expires_at is not None and client.get("/v1/review", headers=headers).status_code == 200
    with db.tenant(tenant) as conn:
        conn.execute("UPDATE api_keys SET expires_at = now() - interval '1 s' WHERE key_id = %s", (key.info.key_id,))
    expired = client.get("/v1/review", headers=headers)
    assert expired.status_code == 401 and f"API key {key.info.key_id} expired at" in expired.json()["detail"]
    code, out = invoke("apikeys", "create", "--name", "month", "--expires-in", "30d", "--tenant", tenant)
    assert code == 0 and "expires" in out
    code, out = invoke("apikeys", "list", "--tenant", tenant)
    assert code == 0 and "(expired)" in out and "never" not in out
    code, out = invoke("apikeys", "create", "--name", "bad", "--expires-in", "soon", "--tenant", tenant)
    assert code != 0 and "--expires-in" in out


def test_token_bucket_refills_at_the_rate_and_is_shared_by_api_processes(db: Database) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    now = [t0]
    one, other = (RateLimiter(db, rate_per_second=2.0, burst=2, clock=lambda: now[0]) for _ in range(2))
    key = f"k-{uuid.uuid4().hex}"
    assert [one.acquire(key), other.acquire(key)] == [0.0, 0.0]  # two instances spend one bucket
    assert other.acquire(key) == 0.5 and one.acquire(key) == 0.5
    now[0] = t0 + timedelta(seconds=0.5)
    assert one.acquire(key) == 0.0
    assert retry_after_seconds(0.2) == 1 and retry_after_seconds(1.0) == 1 and retry_after_seconds(1.01) == 2


def test_apikeys_commands(db: Database, tenant: str) -> None:
    code, out = invoke("apikeys", "create", "--name", "zapier", "--role", "viewer", "--tenant", tenant)
    assert code == 0, out
    token = re.search(r"hj_[A-Za-z0-9_-]+", out)
    assert token is not None
    key_id = token.group(0).split("_")[1]
    code, out = invoke("apikeys", "list", "--tenant", tenant)
    assert code == 0 and key_id in out and "viewer" in out and token.group(0) not in out
    assert invoke("apikeys", "revoke", key_id, "--tenant", tenant)[0] == 0
    code, out = invoke("apikeys", "revoke", key_id, "--tenant", tenant)
    assert code == 1 and "no live key" in out
    code, out = invoke("apikeys", "create", "--name", "x", "--role", "admin", "--tenant", tenant)
    assert code != 0 and "--role" in out


def test_demo_step_makes_one_key_and_shows_it_once(db: Database, tenant: str, capsys: object) -> None:
    import pytest

    from hyperjourney.cli.surfaces_commands import demo_step

    cap: pytest.CaptureFixture[str] = capsys  # type: ignore[assignment]
    demo_step(db, tenant)
    first = cap.readouterr().out
    token = re.search(r"hj_[A-Za-z0-9_-]+", first)
    assert token is not None and "shown once" in first
    demo_step(db, tenant)
    second = cap.readouterr().out
    assert token.group(0) not in second and "earlier run" in second
    assert len(list_keys(db, tenant)) == 1
