"""Next-best action for one customer at one moment.

Candidates (offers, content, recommendations, nudges, a human touch, doing nothing) get objective
components: expected value (conversion probability × value), margin, risk (churn, returns, complaints),
inventory and fatigue. Policy filters them; a blend with tenant-set weights ranks the rest. Every ranked
action says why, and the decision is logged with its propensity for later off-policy evaluation. A chosen
action the policy marks for review is held in the outbox with a review item (nba/hold.py).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any, Literal

import psycopg
from psycopg.types.json import Jsonb
from pydantic import BaseModel, Field

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.nba.hold import hold_choice
from hyperjourney.nba.policy_port import CustomerPolicy, PolicyDecision, PolicyPort, ProposedAction
from hyperjourney.nba.recommend import CACHE, RECENT_SQL, Recommendation, recent_params, split_recent
from hyperjourney.nba.signals import SIGNALS_SQL, Signals, signals_from_row, with_model_scores

Kind = Literal["offer", "content", "recommendation", "nudge", "human", "nothing"]
WEIGHTS_KEY = "nba_weights"
WEIGHTS_SQL = "SELECT value FROM tenant_settings WHERE key = %s"


class Weights(BaseModel):
    """Multi-objective blend; the tenant sets these (tenant_settings key ``nba_weights``)."""

    expected_value: float = Field(1.0, ge=0)
    margin: float = Field(0.3, ge=0)
    risk: float = Field(0.6, ge=0)
    fatigue: float = Field(0.4, ge=0)
    inventory: float = Field(0.2, ge=0)


class Components(BaseModel):
    p_convert: float
    value: float
    expected_value: float
    margin: float
    risk: float
    inventory: float
    fatigue: float
    cost: float = 0.0


class ActionCandidate(BaseModel):
    action_id: str
    kind: Kind
    channel: Literal["email", "sms", "push", "in_app", "webhook"] | None
    components: Components
    reasons: list[str]
    product_ids: list[str] = Field(default_factory=list)


class RankedAction(BaseModel):
    action_id: str
    kind: Kind
    channel: str | None
    score: float
    expected_value: float
    reasons: list[str]
    policy: PolicyDecision
    components: Components
    product_ids: list[str] = Field(default_factory=list)


class NbaDecision(BaseModel):
    customer_id: str
    ranked: list[RankedAction]
    chosen: RankedAction | None
    policy_version: str
    propensity: float = 1.0
    decision_id: int | None = None
    signals_source: str = "rules"
    review_item_id: str | None = Field(None, description="set when the chosen action waits for a reviewer")
    held_action_id: int | None = Field(None, description="its outbox action, held until the item is approved")


def blend(c: Components, w: Weights) -> float:
    """Expected value is squashed to 0..1 (so money and probabilities mix) then traded off."""
    ev = c.expected_value / (c.expected_value + 25.0) if c.expected_value > 0 else 0.0
    margin = max(min(c.margin, 1.0), -1.0)
    return round(
        w.expected_value * ev + w.margin * margin * ev - w.risk * c.risk - w.fatigue * c.fatigue
        + w.inventory * (c.inventory - 1.0),
        6,
    )  # fmt: skip


def load_weights(conn: psycopg.Connection[Any]) -> Weights:
    row = conn.execute(WEIGHTS_SQL, (WEIGHTS_KEY,)).fetchone()
    return Weights.model_validate(row[0]) if row else Weights()


def set_weights(db: Database, tenant: str, weights: Weights, *, actor: str) -> None:
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO tenant_settings (key, value) VALUES (%s, %s) "
            "ON CONFLICT (tenant_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
            (WEIGHTS_KEY, Jsonb(weights.model_dump())),
        )
        audit.append(conn, actor=actor, action="nba_weights_set", payload=weights.model_dump())


def candidates(
    profile: dict[str, Any], s: Signals, recs: list[Recommendation], event: dict[str, Any] | None, preferred: str
) -> list[ActionCandidate]:
    """The menu for this customer: what fits their business line and current moment."""
    sc = s.scores
    p_buy, churn, fit = sc.get("purchase_propensity", 0.05), sc.get("churn_risk", 0.5), sc.get("upgrade_fit", 0.1)
    returns, complaint = sc.get("returns_risk", 0.05), sc.get("complaint_risk", 0.02)
    fatigue = min(1.0, s.sends_7d / 4)
    attrs = profile.get("attributes") or {}
    line = "plg" if "team_name" in attrs else "b2b" if profile.get("account_id") else "shop"
    out = [ActionCandidate(action_id="nothing", kind="nothing", channel=None,
                     components=Components(p_convert=0, value=0, expected_value=0, margin=0, risk=0, inventory=1,
                                           fatigue=0),
                     reasons=["doing nothing avoids fatigue and risk"])]  # fmt: skip
    base_risk = 0.5 * complaint + 0.2 * churn * fatigue

    def add(
        action_id: str,
        kind: Kind,
        channel: Any,
        p: float,
        value: float,
        margin: float,
        reasons: list[str],
        *,
        risk: float = 0.0,
        inventory: float = 1.0,
        cost: float = 0.0,
        products: list[str] | None = None,
    ) -> None:
        p = max(0.0, min(p, 0.95))
        out.append(ActionCandidate(
            action_id=action_id, kind=kind, channel=channel, product_ids=products or [], reasons=reasons,
            components=Components(p_convert=round(p, 4), value=round(value, 2),
                                  expected_value=round(p * value * max(margin, 0.05) - cost, 2), margin=margin,
                                  risk=round(min(1.0, base_risk + risk), 4), inventory=inventory, fatigue=fatigue,
                                  cost=cost),
        ))  # fmt: skip

    why_buy = s.reasons.get("purchase_propensity", "")
    for r in recs:
        add(f"rec:{r.product_id}", "recommendation", preferred, p_buy * (0.4 + r.score), r.price, r.margin,
            [f"recommend {r.name}: " + "; ".join(r.reasons), f"propensity {p_buy:.0%} ({why_buy})"],
            risk=r.returns_penalty * returns, inventory=1.0, products=[r.product_id])  # fmt: skip
    if recs and line == "shop":
        top = recs[0]
        add(f"offer:10pct:{top.product_id}", "offer", preferred, p_buy * 1.6 * (0.4 + top.score), top.price,
            top.margin - 0.10, [f"10% off {top.name} lifts conversion; margin after discount {top.margin - 0.10:.0%}",
                                f"propensity {p_buy:.0%} ({why_buy})"],
            risk=top.returns_penalty * returns, products=[top.product_id])  # fmt: skip
    if s.carts_30d and line == "shop":
        add(
            "nudge:cart_reminder",
            "nudge",
            preferred,
            p_buy * 1.3,
            120.0,
            0.35,
            [f"{s.carts_30d} cart adds in 30 days without a matching purchase"],
        )
    if line == "shop" and s.returns_rate > 0.15:
        add(
            "content:fit_guide",
            "content",
            preferred,
            0.08,
            120.0,
            0.35,
            [f"returned {s.returns_rate:.0%} of items: a fit guide lowers the next return"],
            risk=-0.1 * returns,
        )
    if line == "plg":
        plan = attrs.get("plan", "free")
        add(
            "nudge:automation_template",
            "nudge",
            "in_app",
            0.1 + 0.5 * fit,
            40.0,
            0.8,
            [f"upgrade fit {fit:.0%} ({s.reasons.get('upgrade_fit', '')}); plan {plan}"],
        )
        if plan in (None, "free", "team"):
            add(
                "offer:business_trial",
                "offer",
                preferred,
                0.05 + 0.4 * fit,
                600.0,
                0.8,
                [f"trial of Business for a team on {plan}: upgrade fit {fit:.0%}"],
            )
    if line == "b2b":
        add(
            "content:case_study",
            "content",
            preferred,
            0.04 + 0.3 * p_buy,
            4000.0,
            0.7,
            [f"{profile.get('industry') or 'finance'} case study; propensity {p_buy:.0%} ({why_buy})"],
        )
        add(
            "human:account_exec",
            "human",
            "webhook",
            0.08 + 0.5 * p_buy,
            12000.0,
            0.7,
            ["buying signals warrant a human touch from the account executive"],
            cost=60.0,
        )
    if churn > 0.6 and (s.revenue > 300 or line != "shop"):
        add(
            "human:retention_call",
            "human",
            "webhook",
            0.15 * churn,
            max(s.revenue, 500.0),
            0.5,
            [f"churn risk {churn:.0%} ({s.reasons.get('churn_risk', '')}) on a valuable customer"],
            cost=25.0,
        )
    if event and event.get("type") == "cart_abandoned":
        for c in out:
            if c.action_id == "nudge:cart_reminder":
                c.components.p_convert = min(0.95, c.components.p_convert * 2)
                c.components.expected_value *= 2
                c.reasons.insert(0, "the cart was just abandoned")
    return out


def next_best_action(
    db: Database,
    tenant: str,
    customer_id: str,
    event: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
    weights: Weights | None = None,
    explore: float = 0.0,
    log: bool = True,
    use_models: bool = True,
    rng: random.Random | None = None,
    policy: PolicyPort | None = None,
) -> NbaDecision:
    """Rank every candidate for one customer; ``explore`` > 0 picks uniformly among allowed ones that often."""
    at = now or datetime.now(UTC)
    with db.tenant(tenant) as conn:
        with conn.pipeline():  # one round trip for everything the decision reads
            q_profile = conn.execute("SELECT to_jsonb(c) FROM customers c WHERE customer_id = %s", (customer_id,))
            q_signals = conn.execute(SIGNALS_SQL, {"c": customer_id, "now": at})
            q_recent = conn.execute(RECENT_SQL, recent_params(customer_id, at))
            q_weights = conn.execute(WEIGHTS_SQL, (WEIGHTS_KEY,))
        row = q_profile.fetchone()
        if row is None:
            raise ValueError(f"no customer {customer_id!r} in tenant {tenant!r}")
        profile: dict[str, Any] = row[0]
        signals_row = q_signals.fetchone()
        assert signals_row is not None
        signals = signals_from_row(customer_id, signals_row)
        seeds, bought = split_recent(q_recent.fetchall())
        weights_row = q_weights.fetchone()
        model = CACHE.get(conn, tenant)
        recs = model.recommend(seeds, exclude=bought, customer_returns_rate=signals.returns_rate,
                               age_band=profile.get("age_band"), k=3) if seeds or bought else []  # fmt: skip
        w = weights or (Weights.model_validate(weights_row[0]) if weights_row else Weights())
        port = policy or PolicyPort(db, tenant)
        cust_policy = port.for_customer(conn, customer_id, at, product_ids=[r.product_id for r in recs])
        if use_models:
            signals = with_model_scores(db, tenant, signals, at, conn)
        preferred = _preferred_channel(cust_policy)
        ranked: list[RankedAction] = []
        for c in candidates(profile, signals, recs, event, preferred):
            decision = (
                cust_policy.nothing()
                if c.channel is None
                else cust_policy.check(
                    ProposedAction(customer_id=customer_id, channel=c.channel, purpose="marketing",
                                   product_ids=c.product_ids, cost=c.components.cost, send_at=at,
                                   personalized=c.kind == "recommendation", upsell=c.kind == "offer"),
                    at,
                )
            )  # fmt: skip
            ranked.append(RankedAction(
                action_id=c.action_id, kind=c.kind, channel=c.channel, score=blend(c.components, w),
                expected_value=c.components.expected_value, reasons=c.reasons, policy=decision,
                components=c.components, product_ids=c.product_ids,
            ))  # fmt: skip
        ranked.sort(key=lambda r: (not r.policy.allowed, -r.score, r.action_id))
        allowed = [r for r in ranked if r.policy.allowed]
        chosen, propensity = _choose(allowed, explore, rng or random.Random())
        version = ranked[0].policy.policy_version if ranked else ""
        result = NbaDecision(
            customer_id=customer_id,
            ranked=ranked,
            chosen=chosen,
            policy_version=version,
            propensity=propensity,
            signals_source=signals.source,
        )
        if log and chosen is not None:
            result.decision_id = _log(conn, result, event, at, w)
            if chosen.policy.needs_review:
                held = hold_choice(conn, customer_id, chosen, result.decision_id, at)
                result.review_item_id, result.held_action_id = held.item_id, held.action_id
    return result


def _choose(allowed: list[RankedAction], explore: float, rng: random.Random) -> tuple[RankedAction | None, float]:
    if not allowed:
        return None, 1.0
    k = len(allowed)
    idx = rng.randrange(k) if explore > 0 and rng.random() < explore else 0
    propensity = explore / k + (1 - explore) * (idx == 0)
    return allowed[idx], propensity


def _preferred_channel(policy: CustomerPolicy) -> str:
    return next((ch for ch in ("email", "push", "sms") if policy.granted(ch)), "in_app")


def _log(conn: psycopg.Connection[Any], d: NbaDecision, event: dict[str, Any] | None, at: datetime, w: Weights) -> int:
    """Log the decision and audit it. A decision changes nothing outside, so its commit does not wait for the
    disk (a database crash may lose the last few milliseconds of decision logs; sends commit synchronously)."""
    assert d.chosen is not None
    conn.execute("SET LOCAL synchronous_commit TO off")
    row = conn.execute(
        "INSERT INTO decisions (source, customer_id, decided_at, chosen, propensity, candidates, context) "
        "VALUES ('nba', %s, %s, %s, %s, %s, %s) RETURNING decision_id",
        (
            d.customer_id, at, d.chosen.action_id, d.propensity,
            Jsonb([{"action_id": r.action_id, "kind": r.kind, "allowed": r.policy.allowed,
                    **r.components.model_dump()} for r in d.ranked]),
            Jsonb({"event": (event or {}).get("type"), "weights": w.model_dump(), "policy": d.policy_version}),
        ),
    ).fetchone()  # fmt: skip
    assert row is not None
    decision_id = int(row[0])
    audit.append(
        conn, actor="nba", action="nba_decision", entity=f"decision:{decision_id}",
        payload={"customer_id": d.customer_id, "chosen": d.chosen.action_id, "score": d.chosen.score,
                 "propensity": d.propensity, "reasons": d.chosen.reasons,
                 "rules_fired": [h.model_dump() for h in d.chosen.policy.rules_fired],
                 "denied": [r.action_id for r in d.ranked if not r.policy.allowed]},
    )  # fmt: skip
    return decision_id
