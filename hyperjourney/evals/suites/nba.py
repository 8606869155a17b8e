"""Next-best-action suite: policy compliance of every chosen action and the off-policy value of the tenant's ranking.

For a deterministic sample of customers, each with a fixed set of triggering events, the suite asks the serving
ranker for its choice and re-checks every contacting choice with the policy engine on a freshly built customer
context and the active policy, outside the ranker's own policy port: compliance must be 100%. The tenant's
weighting is then valued on the logged decisions (doubly robust off-policy estimate) against an expected-value-only
baseline, so a weighting change that would have earned less shows up before it goes live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hyperjourney.data.seed.generator import DEMO_ANCHOR
from hyperjourney.evals.results import ItemResult, Series, SuiteResult
from hyperjourney.evals.suite import Advance, EvalEnv, register
from hyperjourney.experiments.offpolicy import OffPolicyEstimate, estimate
from hyperjourney.nba.policy_port import PolicyPort
from hyperjourney.nba.rank import RankedAction, Weights, load_weights, next_best_action
from hyperjourney.policy.context import context_from
from hyperjourney.policy.engine import check_action
from hyperjourney.policy.models import ProposedAction
from hyperjourney.policy.store import active_policy

EVENTS: tuple[dict[str, Any] | None, ...] = (None, {"type": "pricing_page_view"}, {"type": "cart_abandoned"})
# 17:00 UTC on the demo world's "now": business hours in the US and Europe, so timing rules rarely decide alone.
AT = DEMO_ANCHOR + timedelta(hours=17)
BASELINE = Weights(expected_value=1.0, margin=0.0, risk=0.0, fatigue=0.0, inventory=0.0)
MIN_LOGGED = 50


def recheck(env: EvalEnv, customer_id: str, chosen: RankedAction, at: datetime) -> tuple[bool, list[str]]:
    """The chosen action as the ranker proposed it, decided again from scratch by the policy engine."""
    if chosen.channel is None:
        return True, []
    action = ProposedAction.model_validate(
        {
            "customer_id": customer_id,
            "channel": chosen.channel,
            "purpose": "marketing",
            "product_ids": chosen.product_ids,
            "cost": chosen.components.cost,
            "send_at": at,
            "personalized": chosen.kind == "recommendation",
            "upsell": chosen.kind == "offer",
        }
    )
    with env.db.tenant(env.tenant) as conn:
        ctx = context_from(conn, customer_id, now=at, product_ids=chosen.product_ids)
        decision = check_action(ctx, action, active_policy(conn), now=at)
    return decision.allowed, [h.rule for h in decision.rules_fired]


@dataclass(frozen=True)
class NbaSuite:
    name: str = "nba"
    description: str = "policy compliance of chosen actions (must be 100%) and off-policy value vs a baseline"
    customers: int = 200

    def dataset_files(self) -> list[Path]:
        return []

    def size(self) -> int:
        return self.customers * len(EVENTS)

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        with env.db.tenant(env.tenant) as conn:
            sample = [
                str(r[0])
                for r in conn.execute(
                    "SELECT customer_id FROM customers WHERE merged_into IS NULL ORDER BY md5(customer_id) LIMIT %s",
                    (self.customers,),
                ).fetchall()
            ]
            weights = load_weights(conn)
            logged = conn.execute("SELECT count(*) FROM decisions WHERE source = 'nba'").fetchone()
        if not sample:
            raise ValueError(f"tenant {env.tenant!r} has no customers; seed it first (`hyperjourney data demo`)")
        port = PolicyPort(env.db, env.tenant)
        items: list[ItemResult] = []
        kinds: dict[str, int] = {}
        contacting = compliant = 0
        for customer in sample:
            for event in EVENTS:
                d = next_best_action(env.db, env.tenant, customer, event, now=AT, log=False, policy=port)
                label = f"{customer}:{(event or {}).get('type', 'none')}"
                if d.chosen is None:
                    items.append(ItemResult(item_id=label, passed=True, detail={"chosen": None}))
                    advance(1)
                    continue
                ok, rules = recheck(env, customer, d.chosen, AT)
                kinds[d.chosen.kind] = kinds.get(d.chosen.kind, 0) + 1
                if d.chosen.channel is not None:
                    contacting += 1
                    compliant += ok
                items.append(
                    ItemResult(
                        item_id=label,
                        passed=ok,
                        scores={"score": d.chosen.score},
                        detail={"chosen": d.chosen.action_id, "channel": d.chosen.channel, "rules": rules},
                    )
                )
                advance(1)
        metrics = compliance_metrics(contacting, compliant, len(items))
        if logged and int(logged[0]) >= MIN_LOGGED:
            metrics |= ope_metrics(estimate(env.db, env.tenant, weights), estimate(env.db, env.tenant, BASELINE))
        series = {
            "nba: chosen action kinds": Series(
                kind="bar", x=list(sorted(kinds)), y=[float(kinds[k]) for k in sorted(kinds)], y_label="decisions"
            )
        }
        return SuiteResult(suite=self.name, metrics=metrics, items=items, series=series)


def compliance_metrics(contacting: int, compliant: int, decisions: int) -> dict[str, float]:
    """Compliance of the contacting choices; pure, so a test can feed it a ranker that breaks policy."""
    return {
        "policy_compliance": compliant / contacting if contacting else 1.0,
        "policy_violations": float(contacting - compliant),
        "contacting_share": contacting / decisions if decisions else 0.0,
        "decisions": float(decisions),
    }


def ope_metrics(tenant_value: OffPolicyEstimate, baseline_value: OffPolicyEstimate) -> dict[str, float]:
    """The tenant's weighting valued against the expected-value-only baseline on the same logged decisions."""
    return {
        "ope.tenant_value": tenant_value.doubly_robust,
        "ope.baseline_value": baseline_value.doubly_robust,
        "ope.value_over_baseline": tenant_value.doubly_robust - baseline_value.doubly_robust,
        "ope.logged_value": tenant_value.logged_value,
        "ope.agreement": tenant_value.agreement,
        "ope.logged_decisions": float(tenant_value.decisions),
    }


register(NbaSuite())
