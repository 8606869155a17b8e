"""Review queue and next-best action over HTTP: real facades, real tenant data, no cross-tenant reads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from hyperjourney.db.database import Database
from hyperjourney.review.queue import ReviewItem, submit
from tests.conftest import new_tenant

KeyFactory = Callable[..., dict[str, str]]


@pytest.fixture(scope="module")
def shop(db: Database) -> str:
    from hyperjourney.data.demo_tenant import seed

    tenant = new_tenant(db, "nba")
    seed(db, tenant, customers=200, events=2000, tickets=10)
    return tenant


def test_review_queue_lists_only_the_keys_tenant(
    client: TestClient, db: Database, make_tenant: Callable[[str], str], auth_for: KeyFactory
) -> None:
    a, b = make_tenant("rq"), make_tenant("rq")
    asset = {"kind": "email", "subject": "Hi", "body": "Save 10% today [cite:kb-1#0]", "citations": ["kb-1#0"]}
    item_id = submit(db, a, ReviewItem(kind="asset", title="Spring email", payload=asset, reasons=["GUARD"]))
    listed = client.get("/v1/review", headers=auth_for(a, "viewer")).json()["items"]
    assert [i["item_id"] for i in listed] == [item_id] and listed[0]["status"] == "pending"
    assert client.get("/v1/review", headers=auth_for(b)).json() == {"items": [], "next_cursor": None}
    assert client.get("/v1/review?status=approved", headers=auth_for(a)).json()["items"] == []
    bad = client.get("/v1/review?status=maybe", headers=auth_for(a))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"


def test_review_queue_pages_through_every_item_with_filters(
    client: TestClient, db: Database, make_tenant: Callable[[str], str], auth_for: KeyFactory
) -> None:
    """It once listed at most 500 pending items: a reviewer could not reach the rest, nor decided ones."""
    from hyperjourney.review.queue import approve

    tenant = make_tenant("rq")
    asset = {"kind": "email", "subject": "Hi", "body": "Hello [cite:kb-1#0]", "citations": ["kb-1#0"]}
    ids = [submit(db, tenant, ReviewItem(kind="asset", title=f"email {i}", payload=asset)) for i in range(5)]
    action = {"customer_id": "c1", "channel": "email", "purpose": "marketing", "send_at": "2026-03-01T09:00:00Z"}
    ids += [submit(db, tenant, ReviewItem(kind="action", title=f"send {i}", payload=action)) for i in range(2)]
    approve(db, tenant, ids[0], "ana")
    headers = auth_for(tenant, "viewer")

    def walk(query: str) -> list[str]:
        seen: list[str] = []
        cursor: str | None = None
        for _ in range(10):
            params = f"{query}&cursor={cursor}" if cursor else query
            page = client.get(f"/v1/review?{params}", headers=headers).json()
            assert len(page["items"]) <= 2
            seen += [i["item_id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return seen
        raise AssertionError("the pages never ended")

    every = walk("status=all&limit=2")
    assert sorted(every) == sorted(ids) and len(every) == 7
    assert sorted(walk("status=pending&limit=2")) == sorted(ids[1:])
    assert sorted(walk("status=all&kind=action&limit=2")) == sorted(ids[5:])
    assert walk("status=approved&limit=2") == [ids[0]]
    bad = client.get("/v1/review?cursor=nonsense", headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


def test_review_queue_lists_held_actions_with_their_preview(
    client: TestClient, db: Database, make_tenant: Callable[[str], str], auth_for: KeyFactory
) -> None:
    from datetime import UTC, datetime

    from hyperjourney.channels.models import Message, OutboundAction
    from hyperjourney.policy.models import PolicyDecision, ProposedAction, RuleHit
    from hyperjourney.review.queue import hold_action

    tenant = make_tenant("rq")
    at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    proposed = ProposedAction(customer_id="c1", channel="email", purpose="marketing", send_at=at, regulated_claim=True)
    decision = PolicyDecision(
        allowed=True, needs_review=True, policy_version="p1",
        rules_fired=[RuleHit(rule="review_regulated_claim", outcome="review", reason="copy makes a regulated claim")],
    )  # fmt: skip
    outbound = OutboundAction(
        idempotency_key="k-held", customer_id="c1", channel="email",
        message=Message(to="c1", subject="Rates", body="Our best rate yet."), send_at=at,
    )  # fmt: skip
    with db.tenant(tenant) as conn:
        held = hold_action(conn, outbound, proposed, decision, submitted_by="journey-runner")
    (listed,) = client.get("/v1/review", headers=auth_for(tenant, "viewer")).json()["items"]
    assert listed["item_id"] == held.item_id and listed["outbox_action_id"] == held.action_id
    assert listed["preview"]["body"] == "Our best rate yet." and listed["risk"] == ["regulated_claim"]


def test_next_best_action_for_one_event(client: TestClient, db: Database, shop: str, auth_for: KeyFactory) -> None:
    with db.tenant(shop) as conn:
        row = conn.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1").fetchone()
    assert row is not None
    body = {"customer_id": row[0], "event": {"type": "pricing_view", "ts": "2026-03-01T10:00:00Z"}}
    decision = client.post("/v1/nba", headers=auth_for(shop), json=body)
    assert decision.status_code == 200, decision.text
    ranked = decision.json()["ranked"]
    assert decision.json()["signals_source"] == "rules"  # this tenant has no trained models
    assert ranked and all("policy" in r and r["reasons"] for r in ranked)
    allowed = [r for r in ranked if r["policy"]["allowed"]]
    assert [r["score"] for r in allowed] == sorted((r["score"] for r in allowed), reverse=True)
    assert decision.json()["chosen"] == (allowed[0] if allowed else None)
    other = client.post("/v1/nba", headers=auth_for(new_tenant(db, "x")), json=body)
    assert other.status_code == 404 and other.json()["errors"][0]["field"] == "customer_id"
    naive = client.post("/v1/nba", headers=auth_for(shop), json={**body, "now": "2026-03-01T10:00:00"})
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "now"
    ancient = client.post("/v1/nba", headers=auth_for(shop), json={**body, "now": "0001-01-02T00:00:00Z"})
    assert ancient.status_code == 422 and ancient.json()["errors"][0]["field"] == "now"
    assert client.post("/v1/nba", headers=auth_for(shop, "viewer"), json=body).status_code == 403
