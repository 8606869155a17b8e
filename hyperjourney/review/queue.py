"""The review queue: risky assets and actions wait with their evidence and reasons until a person decides.

Only pending items move: approve, reject (with a reason) or edit. An edit is re-validated first (assets
by their guard against the stored evidence, actions by the policy engine) and refused if it fails.
Every transition, refused edits included, is appended to the audit log in the same transaction, with
PII redacted from the payload. An action item may hold an outbox action (``outbox_action_id``, see
review/held.py): approving the item releases that action to the dispatcher, rejecting it cancels it, in the
same transaction as the decision, so a held action moves exactly once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel, Field, ValidationError

from hyperjourney.channels.models import OutboundAction
from hyperjourney.channels.outbox import enqueue
from hyperjourney.db.database import Database
from hyperjourney.guardrails.assets import validate_asset
from hyperjourney.guardrails.customer_names import NAMES
from hyperjourney.guardrails.models import Asset, Evidence, GuardReport
from hyperjourney.guardrails.pii_vault import audit_redacted
from hyperjourney.guardrails.rules import ContentRules
from hyperjourney.guardrails.rules_store import active_content_rules
from hyperjourney.policy.context import context_from
from hyperjourney.policy.engine import check_action
from hyperjourney.policy.models import PolicyDecision, ProposedAction
from hyperjourney.policy.store import active_policy
from hyperjourney.review.held import HELD_EDITABLE, HeldAction, cancel_held, preview_of, release, reschedule_held

Status = Literal["pending", "approved", "rejected"]


class ReviewError(ValueError):
    pass


Stage = Literal["route", "segment", "sizing", "metric", "copy", "journey", "reply", "tone", "nba"]


class Escalation(BaseModel):
    """One decision no model tier could make with confidence, and why."""

    stage: Stage
    reasons: list[str] = Field(min_length=1)


class EscalationRequest(BaseModel):
    """The payload of an escalation item: the run it holds, what is asked, each escalated decision."""

    run_id: str = Field(min_length=1)
    flow: str
    question: str = Field(min_length=1)
    escalations: list[Escalation] = Field(min_length=1)
    proposal: dict[str, Any] = Field(default_factory=dict, description="what approving lets the run do next")


class ReviewItem(BaseModel):
    kind: Literal["asset", "action", "escalation"]
    title: str = Field(min_length=1)
    payload: dict[str, Any]
    evidence: list[Evidence] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list, description="why it is here: guard codes, rules that fired")
    risk: list[str] = Field(default_factory=list, description="large_cohort, budget_shift, low_confidence, ...")
    submitted_by: str = "system"
    run_id: str | None = None
    outbox_action_id: int | None = Field(None, description="the held outbox action this item releases or cancels")
    preview: dict[str, Any] | None = Field(None, description="what the customer would get: channel, subject, body")


class StoredReviewItem(ReviewItem):
    item_id: str
    status: Status
    revision: int
    reviewer: str | None
    note: str | None
    created_at: datetime
    decided_at: datetime | None


class EditResult(BaseModel):
    applied: bool
    item: StoredReviewItem
    guard: GuardReport | None = None
    policy: PolicyDecision | None = None
    problems: list[str] = Field(default_factory=list)


def risks_for(action: ProposedAction, decision: PolicyDecision) -> list[str]:
    """Risk labels for an action the policy flagged for review (what a reviewer filters on)."""
    names = {
        "review_cohort": "large_cohort",
        "review_cost": "budget_shift",
        "review_confidence": "low_confidence",
        "review_regulated_claim": "regulated_claim",
    }
    return [names.get(h.rule, h.rule) for h in decision.rules_fired if h.outcome == "review"]


def _validate_payload(item: ReviewItem) -> None:
    try:
        if item.kind == "asset":
            Asset.model_validate(item.payload)
        elif item.kind == "escalation":
            EscalationRequest.model_validate(item.payload)
        else:
            ProposedAction.model_validate(item.payload)
    except ValidationError as exc:
        fields = "; ".join(f"payload.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ReviewError(f"not a valid {item.kind}: {fields}") from exc


def submit(db: Database, tenant: str, item: ReviewItem) -> str:
    with db.tenant(tenant) as conn:
        return submit_in(conn, item)


def submit_in(conn: psycopg.Connection[Any], item: ReviewItem) -> str:
    """Queue an item inside the caller's transaction (so it commits together with what it holds)."""
    _validate_payload(item)
    item_id = f"rv_{uuid.uuid4().hex[:12]}"
    conn.execute(
        "INSERT INTO review_items (item_id, kind, title, payload, evidence, reasons, risk, submitted_by, run_id, "
        "outbox_action_id, preview) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            item_id,
            item.kind,
            item.title,
            Jsonb(item.payload),
            Jsonb([e.model_dump() for e in item.evidence]),
            Jsonb(item.reasons),
            Jsonb(item.risk),
            item.submitted_by,
            item.run_id,
            item.outbox_action_id,
            Jsonb(item.preview) if item.preview is not None else None,
        ),
    )
    audit_redacted(
        conn,
        actor=item.submitted_by,
        action="review_submit",
        entity=item_id,
        payload={
            "kind": item.kind,
            "title": item.title,
            "reasons": item.reasons,
            "risk": item.risk,
            "outbox_action_id": item.outbox_action_id,
        },
    )
    return item_id


def submit_asset(
    db: Database,
    tenant: str,
    asset: Asset,
    evidence: list[Evidence],
    report: GuardReport,
    *,
    submitted_by: str,
    title: str | None = None,
    risk: list[str] | None = None,
    run_id: str | None = None,
) -> str:
    """Queue an asset with its guard report as the reasons (what the agents call when a guard fails)."""
    reasons = [f"{f.code}: {f.message}" for f in report.failures]
    item = ReviewItem(
        kind="asset",
        title=title or (asset.subject or asset.body[:60]),
        payload=asset.model_dump(mode="json"),
        evidence=evidence,
        reasons=reasons,
        risk=risk if risk is not None else (["guard_failed"] if not report.passed else []),
        submitted_by=submitted_by,
        run_id=run_id,
    )
    return submit(db, tenant, item)


def submit_action(
    db: Database,
    tenant: str,
    action: ProposedAction,
    decision: PolicyDecision,
    *,
    submitted_by: str,
    title: str | None = None,
    run_id: str | None = None,
) -> str:
    """Queue an action the policy flagged for review, with the rules that fired as reasons."""
    item = ReviewItem(
        kind="action",
        title=title or f"{action.purpose} {action.channel} to {action.customer_id}",
        payload=action.model_dump(mode="json"),
        reasons=[f"{h.rule}: {h.reason}" for h in decision.rules_fired if h.outcome != "allow"],
        risk=risks_for(action, decision),
        submitted_by=submitted_by,
        run_id=run_id,
    )
    return submit(db, tenant, item)


def hold_action(
    conn: psycopg.Connection[Any],
    outbound: OutboundAction,
    proposed: ProposedAction,
    decision: PolicyDecision,
    *,
    submitted_by: str,
    title: str | None = None,
    run_id: str | None = None,
) -> HeldAction:
    """Write an action the policy sent to review as 'held' in the outbox, with one review item for it, in the
    caller's transaction. Idempotent on the outbox key: a replayed hold returns the existing pair."""
    action_id, created = enqueue(conn, outbound, actor=submitted_by, held=True)
    if not created:
        row = conn.execute("SELECT item_id FROM review_items WHERE outbox_action_id = %s", (action_id,)).fetchone()
        if row is not None:
            return HeldAction(action_id=action_id, item_id=str(row[0]), created=False)
    item = ReviewItem(
        kind="action",
        title=title or f"{proposed.purpose} {proposed.channel} to {proposed.customer_id}",
        payload=proposed.model_dump(mode="json"),
        reasons=[f"{h.rule}: {h.reason}" for h in decision.rules_fired if h.outcome != "allow"],
        risk=risks_for(proposed, decision),
        submitted_by=submitted_by,
        run_id=run_id,
        outbox_action_id=action_id,
        preview=preview_of(outbound),
    )
    return HeldAction(action_id=action_id, item_id=submit_in(conn, item), created=True)


_COLUMNS = (
    "item_id, kind, status, title, payload, evidence, reasons, risk, submitted_by, run_id, outbox_action_id, preview, "
    "revision, reviewer, note, created_at, decided_at"
)


def _row(row: dict[str, Any]) -> StoredReviewItem:
    return StoredReviewItem.model_validate(row)


def list_pending(db: Database, tenant: str, *, limit: int = 100) -> list[StoredReviewItem]:
    with db.tenant(tenant) as conn, conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"SELECT {_COLUMNS} FROM review_items WHERE status = 'pending' ORDER BY created_at LIMIT %s", (limit,)
        ).fetchall()
    return [_row(r) for r in rows]


def list_items(
    db: Database,
    tenant: str,
    *,
    status: Status | None = None,
    kind: Literal["asset", "action", "escalation"] | None = None,
    before: tuple[datetime, str] | None = None,
    limit: int = 100,
) -> list[StoredReviewItem]:
    """Newest first, optionally of one status and kind; ``before`` is the (created_at, item_id) of the last
    item of the previous page, so a caller can walk every item."""
    at, last = before if before is not None else (None, None)
    with db.tenant(tenant) as conn, conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"SELECT {_COLUMNS} FROM review_items "
            "WHERE (%(status)s::text IS NULL OR status = %(status)s) AND (%(kind)s::text IS NULL OR kind = %(kind)s) "
            "AND (%(at)s::timestamptz IS NULL OR (created_at, item_id) < (%(at)s, %(last)s)) "
            "ORDER BY created_at DESC, item_id DESC LIMIT %(limit)s",
            {"status": status, "kind": kind, "at": at, "last": last, "limit": limit},
        ).fetchall()
    return [_row(r) for r in rows]


def get(db: Database, tenant: str, item_id: str) -> StoredReviewItem:
    with db.tenant(tenant) as conn:
        return _locked(conn, item_id, lock=False)


def _locked(conn: psycopg.Connection[Any], item_id: str, *, lock: bool = True) -> StoredReviewItem:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            f"SELECT {_COLUMNS} FROM review_items WHERE item_id = %s" + (" FOR UPDATE" if lock else ""), (item_id,)
        ).fetchone()
    if row is None:
        raise ReviewError(f"no review item {item_id!r} in this tenant")
    return _row(row)


def _pending(conn: psycopg.Connection[Any], item_id: str) -> StoredReviewItem:
    item = _locked(conn, item_id)
    if item.status != "pending":
        raise ReviewError(f"{item_id} is already {item.status} (by {item.reviewer}); only pending items can change")
    if item.kind == "escalation":  # its run waits on it: deciding it here alone would strand the run
        raise ReviewError(
            f"{item_id} is an escalation of run {item.run_id}: decide it with `hyperjourney review approve|reject "
            f"{item_id}` or `hyperjourney approve|reject|edit {item.run_id}`, which continue or end the run"
        )
    return item


def _decide(
    conn: psycopg.Connection[Any], item_id: str, status: Status, reviewer: str, note: str | None
) -> StoredReviewItem:
    conn.execute(
        "UPDATE review_items SET status = %s, reviewer = %s, note = %s, decided_at = %s WHERE item_id = %s",
        (status, reviewer, note, datetime.now(UTC), item_id),
    )
    return _locked(conn, item_id, lock=False)


def approve(db: Database, tenant: str, item_id: str, reviewer: str, *, note: str | None = None) -> StoredReviewItem:
    _require_reviewer(reviewer)
    with db.tenant(tenant) as conn:
        item = _pending(conn, item_id)
        done = _decide(conn, item_id, "approved", reviewer, note)
        audit_redacted(
            conn,
            actor=reviewer,
            action="review_approve",
            entity=item_id,
            payload={"revision": item.revision, "note": note or ""},
        )
        if item.outbox_action_id is not None:
            release(conn, item.outbox_action_id, item_id, reviewer)
    return done


def reject(db: Database, tenant: str, item_id: str, reviewer: str, *, reason: str) -> StoredReviewItem:
    _require_reviewer(reviewer)
    if not reason.strip():
        raise ReviewError("a rejection needs a reason")
    with db.tenant(tenant) as conn:
        item = _pending(conn, item_id)
        done = _decide(conn, item_id, "rejected", reviewer, reason)
        audit_redacted(
            conn,
            actor=reviewer,
            action="review_reject",
            entity=item_id,
            payload={"revision": item.revision, "reason": reason},
        )
        if item.outbox_action_id is not None:
            cancel_held(conn, item.outbox_action_id, item_id, reviewer, reason)
    return done


def edit(
    db: Database,
    tenant: str,
    item_id: str,
    reviewer: str,
    *,
    changes: dict[str, Any],
    note: str | None = None,
    approve_if_valid: bool = True,
    rules: ContentRules | None = None,
    now: datetime | None = None,
) -> EditResult:
    """Apply `changes` to the payload, re-validate, and (by default) approve the edited revision."""
    _require_reviewer(reviewer)
    if not changes:
        raise ReviewError("an edit needs at least one changed field")
    with db.tenant(tenant) as conn:
        item = _pending(conn, item_id)
        if item.outbox_action_id is not None and set(changes) - HELD_EDITABLE:
            raise ReviewError(
                f"{item_id} holds outbox action {item.outbox_action_id}: an edit may change only "
                f"{', '.join(sorted(HELD_EDITABLE))}, not {', '.join(sorted(set(changes) - HELD_EDITABLE))}; "
                "reject it and propose a new action instead"
            )
        payload = {**item.payload, **changes}
        candidate = item.model_copy(update={"payload": payload})
        _validate_payload(candidate)
        guard: GuardReport | None = None
        decision: PolicyDecision | None = None
        problems: list[str] = []
        if item.kind == "asset":
            names = NAMES.get_in(conn, tenant)
            rules = rules or active_content_rules(conn)  # the tenant's own rules, not the packaged demo ones
            guard = validate_asset(Asset.model_validate(payload), item.evidence, rules, names=names)
            problems = [f"{f.code}: {f.message}" for f in guard.failures]
        else:
            action = ProposedAction.model_validate(payload)
            at = now or datetime.now(UTC)
            ctx = context_from(conn, action.customer_id, now=at, product_ids=action.product_ids)
            decision = check_action(ctx, action, active_policy(conn), now=at)
            problems = [f"{h.rule}: {h.reason}" for h in decision.denials]
        if problems:
            audit_redacted(
                conn,
                actor=reviewer,
                action="review_edit_refused",
                entity=item_id,
                payload={"changes": changes, "problems": problems},
            )
            return EditResult(applied=False, item=item, guard=guard, policy=decision, problems=problems)
        conn.execute(
            "UPDATE review_items SET payload = %s, revision = revision + 1 WHERE item_id = %s",
            (Jsonb(payload), item_id),
        )
        if item.outbox_action_id is not None:
            reschedule_held(conn, item.outbox_action_id, ProposedAction.model_validate(payload).send_at)
        audit_redacted(
            conn,
            actor=reviewer,
            action="review_edit",
            entity=item_id,
            payload={"changes": changes, "revision": item.revision + 1, "note": note or ""},
        )
        if approve_if_valid:
            updated = _decide(conn, item_id, "approved", reviewer, note)
            audit_redacted(
                conn,
                actor=reviewer,
                action="review_approve",
                entity=item_id,
                payload={"revision": item.revision + 1, "note": note or ""},
            )
            if item.outbox_action_id is not None:
                release(conn, item.outbox_action_id, item_id, reviewer)
        else:
            updated = _locked(conn, item_id, lock=False)
    return EditResult(applied=True, item=updated, guard=guard, policy=decision)


def _require_reviewer(reviewer: str) -> None:
    if not reviewer or not reviewer.strip():
        raise ReviewError("a reviewer name is required")
