"""The journey runner: reads new events (enroll, resolve waits, detect goals) and fires due timers.

Each batch of events, and each batch of due enrollments, is one transaction together with the cursor and
every step it executes, and every step taken is a row keyed by (enrollment, step_seq). A crash rolls the
whole batch back and the next run redoes it, so no step is skipped or repeated; sends go through the outbox
with keys derived from (journey, enrollment, step, seq), so even a replayed step cannot send twice. A send
the policy marks for review is written to the outbox as held, with one review item, and goes out only once
a reviewer approves it.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from hyperjourney.channels.models import Message, OutboundAction
from hyperjourney.channels.outbox import address_for, enqueue
from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.journeys import bandit, store
from hyperjourney.journeys.assign import ab_arm, in_holdout
from hyperjourney.journeys.conditions import ConditionContext, all_hold
from hyperjourney.journeys.definition import (
    ActionStep,
    BranchStep,
    ExitStep,
    JourneyDefinition,
    WaitForEventStep,
    WaitStep,
)
from hyperjourney.nba.policy_port import PolicyDecision, PolicyPort, ProposedAction
from hyperjourney.nba.signals import load_signals, with_model_scores
from hyperjourney.review.queue import hold_action

MAX_STEPS_PER_ADVANCE = 64
# Events past the cursor whose ingest transaction is older than every transaction still running: those have
# all finished, so a transaction that commits later always sorts after the cursor and is never skipped.
_NEW_EVENTS = (
    "SELECT event_id, customer_id, type, ts, properties, ingest_xid FROM events "
    "WHERE (ingest_xid, event_id) > (%s, %s) AND ingest_xid < pg_snapshot_xmin(pg_current_snapshot()) "
    "ORDER BY ingest_xid, event_id LIMIT %s"
)
TIMING_RULES = frozenset({"quiet_hours", "send_window"})


class RunStats(BaseModel):
    events: int = 0
    enrolled: int = 0
    holdout: int = 0
    actions: int = 0
    capped: int = 0
    goals: int = 0
    timeouts: int = 0
    resumed: int = 0
    exited: int = 0
    denied: int = 0
    review: int = 0
    deferred: int = 0

    def add(self, other: RunStats) -> None:
        for name in type(self).model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class JourneyRunner:
    def __init__(self, db: Database, tenant: str, *, use_models: bool = True, batch: int = 500) -> None:
        self.db, self.tenant, self.use_models, self.batch = db, tenant, use_models, batch
        self._defs: dict[tuple[str, int], JourneyDefinition] = {}
        self.policy = PolicyPort(db, tenant)

    # -- entry points -------------------------------------------------------------------------------------
    def tick(self, now: datetime) -> RunStats:
        """Process every new event, then fire every timer due by ``now``."""
        stats = self.process_events()
        stats.add(self.advance_due(now))
        return stats

    def start_cursor_here(self, conn: psycopg.Connection[Any]) -> None:
        """Begin reading after every finished ingest: launching a journey never replays history."""
        conn.execute(
            "INSERT INTO journey_cursor (ingest_xid, event_id) VALUES (pg_snapshot_xmin(pg_current_snapshot()), '') "
            "ON CONFLICT (tenant_id) DO NOTHING"
        )

    def process_events(self) -> RunStats:
        total = RunStats()
        while True:
            stats = RunStats()
            with self.db.tenant(self.tenant) as conn:
                self.start_cursor_here(conn)
                cur = conn.execute("SELECT ingest_xid, event_id FROM journey_cursor FOR UPDATE").fetchone()
                assert cur is not None
                with conn.cursor(row_factory=dict_row) as c:
                    events = c.execute(_NEW_EVENTS, (cur[0], cur[1], self.batch)).fetchall()
                if not events:
                    return total
                journeys = store.listing(conn, active_only=True)
                for ev in sorted(events, key=lambda e: (e["ts"], e["event_id"])):
                    self._on_event(conn, ev, journeys, stats)
                last = events[-1]  # the cursor follows ingest transactions; effects follow event time
                conn.execute(
                    "UPDATE journey_cursor SET ingest_xid = %s, event_id = %s", (last["ingest_xid"], last["event_id"])
                )
                stats.events = len(events)
            total.add(stats)
            if len(events) < self.batch:
                return total

    def advance_due(self, now: datetime) -> RunStats:
        total = RunStats()
        while True:
            stats = RunStats()
            with self.db.tenant(self.tenant) as conn, conn.cursor(row_factory=dict_row) as c:
                due = c.execute(
                    "SELECT * FROM journey_enrollments WHERE state IN ('active', 'waiting') AND wait_until <= %s "
                    "ORDER BY wait_until, enrollment_id LIMIT %s FOR UPDATE SKIP LOCKED",
                    (now, self.batch),
                ).fetchall()
                if not due:
                    return total
                for enr in due:
                    at = max(enr["wait_until"], enr["started_at"])
                    if enr["state"] == "waiting":
                        self._resume(conn, enr, at, None, stats)
                    else:
                        self._run_steps(conn, enr, enr["step_id"], at, stats)
            total.add(stats)
            if len(due) < self.batch:
                return total

    # -- events -------------------------------------------------------------------------------------------
    def _on_event(
        self, conn: psycopg.Connection[Any], ev: dict[str, Any], journeys: list[store.StoredJourney], stats: RunStats
    ) -> None:
        props = ev["properties"] or {}
        with conn.cursor(row_factory=dict_row) as c:
            open_enrollments = c.execute(
                "SELECT * FROM journey_enrollments WHERE customer_id = %s AND state IN ('active', 'waiting') "
                "AND started_at <= %s ORDER BY enrollment_id FOR UPDATE",
                (ev["customer_id"], ev["ts"]),
            ).fetchall()
        for enr in open_enrollments:
            defn = self._definition(conn, enr["journey_id"], enr["version"])
            step = defn.by_id().get(enr["step_id"] or "")
            if (
                enr["state"] == "waiting"
                and isinstance(step, WaitForEventStep)
                and step.event == ev["type"]
                and (step.match_on is None or props.get(step.match_on) == enr["context"].get("entity"))
            ):
                self._resume(conn, enr, ev["ts"], ev["event_id"], stats)
                continue
            goal = defn.goal
            if goal.event == ev["type"] and (
                goal.match_on is None or props.get(goal.match_on) == enr["context"].get("entity")
            ):
                self._goal(conn, enr, ev, stats)
        for sj in journeys:
            if sj.definition.trigger.event == ev["type"]:
                self._maybe_enroll(conn, sj, ev, stats)

    def _goal(self, conn: psycopg.Connection[Any], enr: dict[str, Any], ev: dict[str, Any], stats: RunStats) -> None:
        seq = enr["step_seq"] + 1
        conn.execute(
            "UPDATE journey_enrollments SET state = 'goal_met', step_seq = %s, ended_at = %s, updated_at = %s, "
            "wait_until = NULL WHERE enrollment_id = %s",
            (seq, ev["ts"], ev["ts"], enr["enrollment_id"]),
        )
        self._log(conn, enr["enrollment_id"], seq, enr["step_id"] or "-", f"goal:{ev['type']}", ev["ts"])
        audit.append(
            conn,
            actor="journey-runner",
            action="journey_goal_met",
            entity=f"enrollment:{enr['enrollment_id']}",
            payload={"journey": enr["journey_id"], "customer_id": enr["customer_id"], "event": ev["event_id"]},
        )
        stats.goals += 1

    def _maybe_enroll(
        self, conn: psycopg.Connection[Any], sj: store.StoredJourney, ev: dict[str, Any], stats: RunStats
    ) -> None:
        defn, trig = sj.definition, sj.definition.trigger
        props = ev["properties"] or {}
        customer, at = ev["customer_id"], ev["ts"]
        ctx = ConditionContext(conn, customer, props, at, lambda: self._scores(conn, customer, at))
        if not all_hold(trig.where, ctx):
            return
        if trig.after is not None:
            prior = conn.execute(
                "SELECT properties FROM events WHERE customer_id = %s AND type = %s AND ts < %s AND ts >= %s",
                (customer, trig.after.event, at, at - timedelta(days=trig.after.within_days)),
            ).fetchall()
            if not any(
                all_hold(trig.after.where, ConditionContext(conn, customer, p[0] or {}, at, ctx._scores_fn))
                for p in prior
            ):
                return
        recent = conn.execute(
            "SELECT 1 FROM journey_enrollments WHERE journey_id = %s AND customer_id = %s "
            "AND (state IN ('active', 'waiting') OR started_at > %s) LIMIT 1",
            (defn.id, customer, at - timedelta(days=defn.caps.reenter_after_days)),
        ).fetchone()
        if recent is not None:
            return
        entity = str(props.get(trig.entity_key)) if trig.entity_key and props.get(trig.entity_key) else ev["event_id"]
        self.enroll(conn, sj, customer, entity=entity, props=props, trigger_event=ev["event_id"], at=at, stats=stats)

    def enroll(
        self,
        conn: psycopg.Connection[Any],
        sj: store.StoredJourney,
        customer: str,
        *,
        entity: str,
        props: dict[str, Any],
        trigger_event: str,
        at: datetime,
        stats: RunStats,
    ) -> bool:
        """Enroll one customer (holdout by hashed id) and run the first steps; False if already enrolled."""
        defn = sj.definition
        holdout = in_holdout(defn.id, customer, defn.holdout_share)
        with conn.cursor(row_factory=dict_row) as c:
            enr = c.execute(
                "INSERT INTO journey_enrollments (journey_id, version, customer_id, entity_key, arm, state, step_id, "
                "wait_until, context, started_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT DO NOTHING RETURNING *",
                (
                    defn.id,
                    sj.version,
                    customer,
                    entity,
                    "holdout" if holdout else "treatment",
                    "holdout" if holdout else "active",
                    None if holdout else defn.start,
                    None if holdout else at,
                    Jsonb({"entity": entity, "trigger": props, "trigger_event": trigger_event}),
                    at,
                    at,
                ),
            ).fetchone()
        if enr is None:
            return False
        audit.append(
            conn, actor="journey-runner", action="journey_enroll", entity=f"enrollment:{enr['enrollment_id']}",
            payload={"journey": defn.id, "version": sj.version, "customer_id": customer, "arm": enr["arm"],
                     "trigger_event": trigger_event},
        )  # fmt: skip
        if holdout:
            stats.holdout += 1
            return True
        stats.enrolled += 1
        self._run_steps(conn, enr, defn.start, at, stats)
        return True

    # -- steps --------------------------------------------------------------------------------------------
    def _resume(
        self, conn: psycopg.Connection[Any], enr: dict[str, Any], at: datetime, event_id: str | None, stats: RunStats
    ) -> None:
        """Leave a wait: after a timer (``event_id`` None) or because the awaited event arrived."""
        defn = self._definition(conn, enr["journey_id"], enr["version"])
        step = defn.step(enr["step_id"])
        if isinstance(step, WaitForEventStep):
            target, outcome = (step.on_timeout, "timeout") if event_id is None else (step.on_event, f"event:{event_id}")
            stats.timeouts += event_id is None
        else:
            assert isinstance(step, WaitStep)
            target, outcome = step.next, "waited"
        stats.resumed += 1
        enr["step_seq"] += 1
        self._log(conn, enr["enrollment_id"], enr["step_seq"], step.id, outcome, at)
        self._run_steps(conn, enr, target, at, stats)

    def _run_steps(
        self, conn: psycopg.Connection[Any], enr: dict[str, Any], step_id: str, at: datetime, stats: RunStats
    ) -> None:
        defn = self._definition(conn, enr["journey_id"], enr["version"])
        customer, seq, state = enr["customer_id"], enr["step_seq"], "active"
        wait_until: datetime | None = at
        wait_event: str | None = None
        ctx = ConditionContext(
            conn, customer, enr["context"].get("trigger", {}), at, lambda: self._scores(conn, customer, at)
        )
        for _ in range(MAX_STEPS_PER_ADVANCE):
            step = defn.step(step_id)
            seq += 1
            if isinstance(step, ActionStep):
                outcome = self._act(conn, defn, enr, step, seq, at, stats)
                self._log(conn, enr["enrollment_id"], seq, step.id, outcome, at)
                step_id = step.next
                continue
            if isinstance(step, BranchStep):
                chosen = next((i for i, case in enumerate(step.cases) if all_hold(case.when, ctx)), None)
                self._log(
                    conn, enr["enrollment_id"], seq, step.id, "default" if chosen is None else f"case:{chosen}", at
                )
                step_id = step.default if chosen is None else step.cases[chosen].next
                continue
            if isinstance(step, WaitStep):
                state, wait_until = "waiting", at + timedelta(hours=step.hours)
                self._log(conn, enr["enrollment_id"], seq, step.id, "wait", at)
            elif isinstance(step, WaitForEventStep):
                state, wait_until, wait_event = "waiting", at + timedelta(hours=step.timeout_hours), step.event
                self._log(conn, enr["enrollment_id"], seq, step.id, f"wait_for:{step.event}", at)
            else:
                assert isinstance(step, ExitStep)
                state, wait_until = "exited", None
                self._log(conn, enr["enrollment_id"], seq, step.id, f"exit:{step.reason}", at)
                stats.exited += 1
            break
        conn.execute(
            "UPDATE journey_enrollments SET state = %s, step_id = %s, step_seq = %s, wait_until = %s, wait_event = %s, "
            "updated_at = %s, ended_at = CASE WHEN %s = 'exited' THEN %s::timestamptz END WHERE enrollment_id = %s",
            (state, step_id, seq, wait_until, wait_event, at, state, at, enr["enrollment_id"]),
        )

    def _act(
        self,
        conn: psycopg.Connection[Any],
        defn: JourneyDefinition,
        enr: dict[str, Any],
        step: ActionStep,
        seq: int,
        at: datetime,
        stats: RunStats,
    ) -> str:
        customer = enr["customer_id"]
        sent = conn.execute(
            "SELECT count(*) FROM journey_step_log l JOIN journey_enrollments e USING (tenant_id, enrollment_id) "
            "WHERE e.journey_id = %s AND e.customer_id = %s AND l.outcome LIKE 'sent:%%' AND l.at > %s",
            (defn.id, customer, at - timedelta(days=defn.caps.window_days)),
        ).fetchone()
        if sent is not None and sent[0] >= defn.caps.max_actions:
            stats.capped += 1
            return "capped"
        send_at, decision = self._policy_check(conn, defn, customer, step, at)
        rules = [h.model_dump() for h in decision.rules_fired if h.outcome != "allow"]
        fired = ",".join(sorted({r["rule"] for r in rules}))
        if not decision.allowed:
            audit.append(conn, actor="journey-runner", action="journey_action_denied",
                         entity=f"enrollment:{enr['enrollment_id']}",
                         payload={"journey": defn.id, "step": step.id, "customer_id": customer, "rules": rules,
                                  "policy_version": decision.policy_version})  # fmt: skip
            stats.denied += 1
            return f"denied:{fired}"
        stats.deferred += send_at > at and not decision.needs_review
        names = [v.name for v in step.variants]
        experiment_id = f"{defn.id}:{step.id}"
        decision_id: int | None = None
        propensity = 1.0 / len(names)
        if step.experiment == "bandit" and len(names) > 1:
            rng = random.Random(f"{enr['enrollment_id']}:{step.id}:{seq}")
            choice, decision_id = bandit.choose_logged(conn, experiment_id, customer, names, rng=rng, decided_at=at)
            arm, propensity = choice.arm, choice.propensity
        else:
            arm = ab_arm(experiment_id, customer, names)
        variant = next(v for v in step.variants if v.name == arm)
        key = f"journey:{defn.id}:v{enr['version']}:{enr['enrollment_id']}:{step.id}:{seq}"
        action = OutboundAction(
            idempotency_key=key,
            customer_id=customer,
            channel=step.channel,
            purpose=step.purpose,
            message=Message(
                to=address_for(conn, customer, step.channel),
                subject=variant.subject,
                body=variant.body,
                why=step.why,
                data={"journey": defn.id, "step": step.id},
                rendered=variant.rendered,
            ),
            rationale={
                "journey": defn.id,
                "version": enr["version"],
                "step": step.id,
                "variant": arm,
                "experiment": experiment_id,
                "decision_id": decision_id,
                "propensity": propensity,
                "trigger_event": enr["context"].get("trigger_event"),
                "scheduled_at": at.isoformat(),
            },
            journey_id=defn.id,
            enrollment_id=enr["enrollment_id"],
            variant=arm,
            send_at=send_at if send_at > at else None,
        )
        if decision.needs_review:  # written now, sent only once a reviewer approves it
            proposed = _proposed(defn, customer, step, send_at)
            held = hold_action(conn, action, proposed, decision, submitted_by="journey-runner",
                               title=f"journey {defn.id} step {step.id}: {step.channel} to {customer}")  # fmt: skip
            audit.append(conn, actor="journey-runner", action="journey_action_review",
                         entity=f"enrollment:{enr['enrollment_id']}",
                         payload={"journey": defn.id, "step": step.id, "customer_id": customer, "rules": rules,
                                  "policy_version": decision.policy_version, "review_item": held.item_id,
                                  "outbox_action_id": held.action_id})  # fmt: skip
            stats.review += 1
            return f"review:{fired}"
        enqueue(conn, action, actor="journey-runner")
        stats.actions += 1
        return f"sent:{arm}"

    def _policy_check(
        self, conn: psycopg.Connection[Any], defn: JourneyDefinition, customer: str, step: ActionStep, at: datetime
    ) -> tuple[datetime, PolicyDecision]:
        """The policy decision for this send; a send denied only for its timing moves to the next allowed hour."""
        checker = self.policy.for_customer(conn, customer, at)

        def check(when: datetime) -> PolicyDecision:
            return checker.check(_proposed(defn, customer, step, when), when)

        decision = check(at)
        denials = {h.rule for h in decision.rules_fired if h.outcome == "deny"}
        if denials and denials <= TIMING_RULES:
            start = at.replace(minute=0, second=0, microsecond=0)
            for hours in range(1, 25):
                later = check(start + timedelta(hours=hours))
                if later.allowed:
                    return start + timedelta(hours=hours), later
        return at, decision

    # -- helpers ------------------------------------------------------------------------------------------
    def _log(
        self, conn: psycopg.Connection[Any], enrollment_id: int, seq: int, step_id: str, outcome: str, at: datetime
    ) -> None:
        conn.execute(
            "INSERT INTO journey_step_log (enrollment_id, step_seq, step_id, outcome, at) VALUES (%s, %s, %s, %s, %s)",
            (enrollment_id, seq, step_id, outcome, at),
        )

    def _definition(self, conn: psycopg.Connection[Any], journey_id: str, version: int) -> JourneyDefinition:
        key = (journey_id, version)
        if key not in self._defs:
            self._defs[key] = store.get(conn, journey_id, version).definition
        return self._defs[key]

    def _scores(self, conn: psycopg.Connection[Any], customer_id: str, at: datetime) -> dict[str, float]:
        signals = load_signals(conn, customer_id, at)
        if self.use_models:
            signals = with_model_scores(self.db, self.tenant, signals, at, conn)
        return signals.scores


def _proposed(defn: JourneyDefinition, customer: str, step: ActionStep, when: datetime) -> ProposedAction:
    return ProposedAction(customer_id=customer, channel=step.channel, purpose=step.purpose, campaign_id=defn.id,
                          send_at=when, personalized=True, regulated_claim=step.regulated_claim,
                          cost=step.cost)  # fmt: skip
