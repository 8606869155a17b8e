"""The dispatcher drains the outbox: claim with FOR UPDATE SKIP LOCKED under a lease, re-check consent, send,
record. A crash between send and record leaves the lease to expire and the action to be sent again with
the same idempotency key, which receivers drop; retries back off exponentially, the last failure dead-letters.
"""

from __future__ import annotations

import os
import random
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb
from pydantic import BaseModel

from hyperjourney.channels.adapters import Adapter
from hyperjourney.channels.consent import consent_verdicts
from hyperjourney.channels.models import Delivery, Message, SendError
from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.policy.ledger import record_contact
from hyperjourney.policy.models import PolicyDecision, ProposedAction, RuleHit
from hyperjourney.settings import ChannelSettings

CLAIM_SQL = """
UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1, claimed_by = %(worker)s,
       claimed_until = now() + make_interval(secs => %(lease)s)
WHERE o.action_id IN (
    SELECT action_id FROM outbox
    WHERE (status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND claimed_until < now())
    ORDER BY next_attempt_at, action_id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED)
RETURNING o.action_id, o.idempotency_key, o.customer_id, o.channel, o.purpose, o.payload, o.attempts, o.max_attempts
"""


class DispatchStats(BaseModel):
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    refused: int = 0

    def add(self, other: DispatchStats) -> None:
        for name in type(self).model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def backoff_seconds(attempts: int, cfg: ChannelSettings, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: base·2^(n-1), capped, scaled by a random factor in [0.5, 1]."""
    delay = min(cfg.backoff_base_s * 2 ** max(attempts - 1, 0), cfg.backoff_max_s)
    return delay * (0.5 + 0.5 * (rng or random).random())


class Dispatcher:
    def __init__(
        self,
        db: Database,
        tenant: str,
        adapters: dict[str, Adapter],
        cfg: ChannelSettings,
        *,
        worker_id: str | None = None,
    ) -> None:
        self.db = db
        self.tenant = tenant
        self.adapters = adapters
        self.cfg = cfg
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"

    def claim(self, limit: int) -> tuple[list[tuple[Delivery, str]], int]:
        """Claim due actions and re-check consent for all of them in the same transaction; refused ones are
        closed there and then, the rest come back with the consent reason for the audit entry."""
        with self.db.tenant(self.tenant) as conn:
            rows = conn.execute(
                CLAIM_SQL, {"worker": self.worker_id, "lease": self.cfg.lease_s, "limit": limit}
            ).fetchall()
            claimed = [
                Delivery(
                    action_id=r[0],
                    idempotency_key=r[1],
                    customer_id=r[2],
                    channel=r[3],
                    purpose=r[4],
                    message=Message(**r[5]),
                    attempts=r[6],
                    max_attempts=self.cfg.max_attempts if r[7] is None else r[7],
                )
                for r in rows
            ]
            if not claimed:
                return [], 0
            verdicts = consent_verdicts(conn, [(d.customer_id, d.channel, d.purpose) for d in claimed])
            out = []
            for d in claimed:
                verdict = verdicts[(d.customer_id, d.channel, d.purpose)]
                if verdict.allowed:
                    out.append((d, verdict.reason))
                else:
                    self._finish(conn, d, "refused", verdict.reason, {"consent": verdict.reason})
        return out, len(claimed) - len(out)

    def process(self, item: tuple[Delivery, str]) -> str:
        """Deliver one claimed, consent-checked action; returns its outcome (delivered, retried, dead)."""
        d, consent = item
        adapter = self.adapters[d.channel]
        try:
            receipt = adapter.send(d)
        except SendError as exc:
            return self._failed(d, exc)
        with self.db.tenant(self.tenant) as conn:
            row = conn.execute(
                "UPDATE outbox SET status = 'delivered', sent_at = now(), receipt = %s, last_error = NULL "
                "WHERE action_id = %s AND status = 'sending' AND claimed_by = %s "
                "RETURNING rationale, journey_id, now()",
                (Jsonb(receipt.model_dump()), d.action_id, self.worker_id),
            ).fetchone()
            if row is not None:
                rationale, journey_id, now = row
                audit.append(
                    conn,
                    actor="dispatcher",
                    action="channel_send",
                    entity=f"outbox:{d.action_id}",
                    payload={
                        "key": d.idempotency_key,
                        "customer_id": d.customer_id,
                        "channel": d.channel,
                        "adapter": receipt.adapter,
                        "attempt": d.attempts,
                        "why": d.message.why,
                        "consent": consent,
                        "rationale": rationale,
                    },
                )
                self._record_contact(conn, d, rationale, journey_id, now, consent)
        return "delivered"

    def _record_contact(
        self, conn: Any, d: Delivery, rationale: dict[str, Any], journey_id: str | None, now: datetime, consent: str
    ) -> None:
        """The policy's contact log counts this send (caps, fatigue, budgets), at the time it was scheduled for."""
        scheduled = rationale.get("scheduled_at")
        sent_at = datetime.fromisoformat(scheduled) if scheduled else now
        version = str(rationale.get("policy_version") or "dispatch-consent")
        decision = PolicyDecision(
            allowed=True,
            rules_fired=[RuleHit(rule="consent", outcome="allow", reason=f"re-checked at dispatch: {consent}")],
            policy_version=version,
            needs_review=False,
        )
        action = ProposedAction(
            customer_id=d.customer_id, channel=d.channel, purpose=d.purpose, campaign_id=journey_id, send_at=sent_at
        )
        record_contact(conn, action, decision, actor="dispatcher")

    def _failed(self, d: Delivery, exc: SendError) -> str:
        with self.db.tenant(self.tenant) as conn:
            if not exc.transient or d.attempts >= d.max_attempts:
                self._finish(conn, d, "dead", str(exc), {"attempts": d.attempts, "transient": exc.transient})
                return "dead"
            conn.execute(
                "UPDATE outbox SET status = 'pending', last_error = %s, claimed_by = NULL, claimed_until = NULL, "
                "next_attempt_at = now() + make_interval(secs => %s) "
                "WHERE action_id = %s AND status = 'sending' AND claimed_by = %s",
                (str(exc), backoff_seconds(d.attempts, self.cfg), d.action_id, self.worker_id),
            )
        return "retried"

    def _finish(self, conn: Any, d: Delivery, status: str, error: str, detail: dict[str, Any]) -> None:
        conn.execute(
            "UPDATE outbox SET status = %s, last_error = %s WHERE action_id = %s AND claimed_by = %s",
            (status, error, d.action_id, self.worker_id),
        )
        audit.append(
            conn,
            actor="dispatcher",
            action=f"outbox_{status}",
            entity=f"outbox:{d.action_id}",
            payload={"key": d.idempotency_key, "customer_id": d.customer_id, "reason": error, **detail},
        )

    def run_once(self, batch: int = 64) -> DispatchStats:
        stats = DispatchStats()
        claimed, refused = self.claim(batch)
        stats.claimed, stats.refused = len(claimed) + refused, refused
        if not claimed:
            return stats
        with ThreadPoolExecutor(max_workers=min(self.cfg.workers, len(claimed))) as pool:
            for outcome in pool.map(self.process, claimed):
                setattr(stats, outcome, getattr(stats, outcome) + 1)
        return stats

    def outstanding(self) -> tuple[int, float | None]:
        """Actions not final yet, and seconds until the earliest can be claimed."""
        with self.db.tenant(self.tenant) as conn:
            row = conn.execute(
                "SELECT count(*), extract(epoch FROM min(CASE WHEN status = 'pending' THEN next_attempt_at "
                "ELSE claimed_until END) - now()) FROM outbox WHERE status IN ('pending', 'sending')"
            ).fetchone()
        assert row is not None
        return int(row[0]), None if row[1] is None else float(row[1])

    def run(
        self,
        *,
        batch: int = 64,
        drain: bool = True,
        max_seconds: float | None = None,
        progress: Callable[[DispatchStats], None] | None = None,
    ) -> DispatchStats:
        """Dispatch until nothing is due (``drain=False``) or until every action is final (``drain=True``)."""
        total = DispatchStats()
        started = time.monotonic()
        while max_seconds is None or time.monotonic() - started < max_seconds:
            stats = self.run_once(batch)
            total.add(stats)
            if progress is not None:
                progress(total)
            if stats.claimed:
                continue
            if not drain:
                break
            left, due_in = self.outstanding()
            if left == 0:
                break
            time.sleep(min(max(due_in or 0.05, 0.05), 1.0))
        return total
