"""The review queue: submit, list, approve, reject, edit (re-validated); only pending items move; all audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.guardrails.models import Evidence
from hyperjourney.policy.engine import check_action
from hyperjourney.policy.models import ConsentState, CustomerPolicyContext, ProposedAction
from hyperjourney.policy.store import demo_policy
from hyperjourney.review import queue
from hyperjourney.review.queue import ReviewError, ReviewItem

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
EVIDENCE = [Evidence(citation_id="faq#1", text="Refunds reach your card within 5 business days.")]


def asset_item(body: str = "Your refund reaches your card within 5 business days [cite:faq#1].") -> ReviewItem:
    return ReviewItem(
        kind="asset",
        title="refund reply",
        payload={"kind": "support_reply", "purpose": "support", "body": body},
        evidence=EVIDENCE,
        reasons=["low confidence"],
        risk=["low_confidence"],
        submitted_by="copilot",
    )


def test_submit_list_approve_and_audit(db: Database, tenant: str) -> None:
    item_id = queue.submit(db, tenant, asset_item())
    pending = queue.list_pending(db, tenant)
    assert [p.item_id for p in pending] == [item_id] and pending[0].evidence == EVIDENCE
    done = queue.approve(db, tenant, item_id, "rita", note="fine")
    assert done.status == "approved" and done.reviewer == "rita" and done.decided_at is not None
    assert queue.list_pending(db, tenant) == []
    with pytest.raises(ReviewError, match="already approved"):
        queue.reject(db, tenant, item_id, "sam", reason="late")
    with db.tenant(tenant) as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
        assert actions == ["review_submit", "review_approve"]
        assert audit.verify(conn).ok


def test_reject_needs_a_reason_and_unknown_items_are_errors(db: Database, tenant: str) -> None:
    item_id = queue.submit(db, tenant, asset_item())
    with pytest.raises(ReviewError, match="reason"):
        queue.reject(db, tenant, item_id, "rita", reason=" ")
    assert queue.reject(db, tenant, item_id, "rita", reason="off brand").status == "rejected"
    with pytest.raises(ReviewError, match="no review item"):
        queue.approve(db, tenant, "rv_missing", "rita")
    with pytest.raises(ReviewError, match=r"payload\.body"):
        queue.submit(db, tenant, ReviewItem(kind="asset", title="x", payload={"kind": "email"}))


def test_edit_is_revalidated_before_it_counts(db: Database, tenant: str) -> None:
    item_id = queue.submit(db, tenant, asset_item())
    bad = queue.edit(
        db, tenant, item_id, "rita", changes={"body": "Refunds are risk-free and reach you in 2 days [cite:faq#1]."}
    )
    assert not bad.applied and bad.guard is not None
    assert {"banned_claim", "number_unsupported"} <= bad.guard.codes()
    assert queue.get(db, tenant, item_id).status == "pending"
    good = queue.edit(
        db, tenant, item_id, "rita", changes={"body": "Refunds reach your card within 5 business days [cite:faq#1]."}
    )
    assert good.applied and good.item.status == "approved" and good.item.revision == 2
    with db.tenant(tenant) as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert actions == ["review_submit", "review_edit_refused", "review_edit", "review_approve"]


def test_risky_action_waits_and_edits_are_policy_checked(db: Database, tenant: str) -> None:
    with db.tenant(tenant) as conn:
        conn.execute("INSERT INTO customers (tenant_id, customer_id, timezone) VALUES (current_tenant(), 'c1', 'UTC')")
        conn.execute(
            "INSERT INTO consents (tenant_id, customer_id, channel, purpose, status, source, captured_at) "
            "VALUES (current_tenant(), 'c1', 'email', 'marketing', 'granted', 'signup_form', %s)",
            (NOW - timedelta(days=3),),
        )
    action = ProposedAction(customer_id="c1", channel="email", purpose="marketing", send_at=NOW, cohort_size=9000)
    granted = ConsentState(channel="email", purpose="marketing", status="granted", captured_at=NOW)
    decision = check_action(
        CustomerPolicyContext(customer_id="c1", consents={("email", "marketing"): granted}),
        action,
        demo_policy(),
        now=NOW,
    )
    assert decision.needs_review
    risks = queue.risks_for(action, decision)
    assert risks == ["large_cohort"]
    item_id = queue.submit_action(db, tenant, action, decision, submitted_by="orchestrator")
    assert queue.get(db, tenant, item_id).risk == risks
    refused = queue.edit(db, tenant, item_id, "rita", changes={"channel": "sms"}, now=NOW)
    assert not refused.applied and any(p.startswith("consent") for p in refused.problems)
    ok = queue.edit(db, tenant, item_id, "rita", changes={"cohort_size": 800}, now=NOW)
    assert ok.applied and ok.item.payload["cohort_size"] == 800


def test_failed_guard_report_goes_to_the_queue(db: Database, tenant: str) -> None:
    from hyperjourney.guardrails.assets import validate_asset
    from hyperjourney.guardrails.models import Asset

    asset = Asset(kind="sms", body="Northwind: risk-free boots. Reply STOP to opt out")
    report = validate_asset(asset, [])
    item_id = queue.submit_asset(db, tenant, asset, [], report, submitted_by="copywriter", run_id="run-1")
    item = queue.get(db, tenant, item_id)
    assert item.risk == ["guard_failed"] and item.run_id == "run-1"
    assert any(r.startswith("banned_claim") for r in item.reasons)


def test_tenants_never_see_each_others_queue(db: Database, make_tenant) -> None:  # type: ignore[no-untyped-def]
    a, b = make_tenant("ra"), make_tenant("rb")
    item_id = queue.submit(db, a, asset_item())
    assert queue.list_pending(db, b) == []
    with pytest.raises(ReviewError):
        queue.approve(db, b, item_id, "intruder")
