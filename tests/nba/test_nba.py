"""Next-best action and recommendations on a small real tenant."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from hyperjourney.db.database import Database
from hyperjourney.nba.rank import Weights, next_best_action, set_weights
from hyperjourney.nba.recommend import CACHE
from tests.actions_fixtures import T0, add_customers, add_event

PRODUCTS = [
    # id, name, category, price, margin, inventory, age_gated, attributes
    ("shoe-a", "Stratus Support", "running_shoes", 139, 0.45, 50, False, '{"features": ["stability", "cushioned"]}'),
    ("shoe-b", "Stratus Neutral", "running_shoes", 129, 0.45, 40, False, '{"features": ["cushioned"]}'),
    ("socks", "Trail Socks", "socks", 15, 0.6, 500, False, "{}"),
    ("knife", "Camp Knife", "camp_tools", 49, 0.5, 30, True, "{}"),
    ("gone", "Stratus Support Wide", "running_shoes", 139, 0.45, 0, False, '{"features": ["stability"]}'),
    ("boomer", "Glide Max", "running_shoes", 169, 0.45, 30, False, '{"features": ["cushioned"]}'),
]


@pytest.fixture
def shop(db: Database, tenant: str) -> str:
    add_customers(db, tenant, ["buyer", "other"], marketing=("email",), age_band="35_44")
    add_customers(db, tenant, ["kid"], marketing=("email",), age_band="under_18")
    add_customers(db, tenant, ["nomail"], marketing=(), age_band="35_44")
    with db.tenant(tenant) as conn:
        for p in PRODUCTS:
            conn.execute(
                "INSERT INTO products (tenant_id, product_id, name, category, price, margin, inventory, age_gated, "
                "attributes) VALUES (current_tenant(), %s, %s, %s, %s, %s, %s, %s, %s)",
                p,
            )
        for i in range(8):  # shoe-a and socks are bought together; boomer comes back half the time
            conn.execute(
                "INSERT INTO orders (tenant_id, order_id, customer_id, ordered_at, status) "
                "VALUES (current_tenant(), %s, 'other', %s, 'delivered')",
                (f"o{i}", T0 - timedelta(days=200)),
            )
            for line, pid in enumerate(("shoe-a", "socks", "knife") if i < 6 else ("boomer",), start=1):
                conn.execute(
                    "INSERT INTO order_lines (tenant_id, order_id, line_no, product_id, quantity, unit_price) "
                    "VALUES (current_tenant(), %s, %s, %s, 1, 10)",
                    (f"o{i}", line, pid),
                )
            if i == 7:
                conn.execute(
                    "INSERT INTO returns (tenant_id, order_id, line_no, quantity, returned_at) "
                    "VALUES (current_tenant(), 'o7', 1, 1, %s)",
                    (T0 - timedelta(days=190),),
                )
    for cid in ("buyer", "kid", "nomail"):
        add_event(db, tenant, f"{cid}-v1", cid, "product_view", T0 - timedelta(hours=3), product_id="shoe-a")
        add_event(db, tenant, f"{cid}-v2", cid, "product_view", T0 - timedelta(hours=2), product_id="boomer")
        add_event(
            db,
            tenant,
            f"{cid}-c",
            cid,
            "added_to_cart",
            T0 - timedelta(hours=1),
            product_id="shoe-a",
            cart_id=f"{cid}-cart",
        )
    CACHE.clear()
    return tenant


def test_ranks_with_reasons_policy_and_recommendations(db: Database, shop: str) -> None:
    d = next_best_action(db, shop, "buyer", {"type": "cart_abandoned"}, now=T0, use_models=False)
    ids = [r.action_id for r in d.ranked]
    assert "nothing" in ids and "rec:socks" in ids and "nudge:cart_reminder" in ids
    assert "rec:gone" not in ids  # out of stock
    assert d.chosen is not None and d.chosen.policy.allowed and d.chosen.kind != "nothing"
    assert d.chosen.reasons and d.chosen.policy.rules_fired[0].rule == "consent"
    socks = next(r for r in d.ranked if r.action_id == "rec:socks")
    assert any("bought together with Stratus Support (6x)" in x for x in socks.reasons)
    scores = [r.score for r in d.ranked if r.policy.allowed]
    assert scores == sorted(scores, reverse=True)
    with db.tenant(shop) as conn:
        logged = conn.execute("SELECT chosen, propensity FROM decisions WHERE source = 'nba'").fetchall()
        audited = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'nba_decision'").fetchone()
    assert logged == [(d.chosen.action_id, 1.0)] and audited == (1,)


def test_returns_risk_penalty_and_age_gate(db: Database, shop: str) -> None:
    buyer = next_best_action(db, shop, "buyer", None, now=T0, use_models=False, log=False)
    assert "rec:boomer" not in [r.action_id for r in buyer.ranked]  # viewed it: a seed, never recommended back
    with db.tenant(shop) as conn:
        recs = CACHE.get(conn, shop).recommend(["shoe-a"], k=10)
    boomer = next(r for r in recs if r.product_id == "boomer")  # a similar cushioned shoe, half of them returned
    assert boomer.returns_penalty > 0 and any("returns risk" in x for x in boomer.reasons)
    assert [r.product_id for r in recs if r.returns_penalty > 0] == ["boomer"]
    assert "rec:knife" in [r.action_id for r in buyer.ranked]
    kid = next_best_action(db, shop, "kid", None, now=T0, use_models=False, log=False)
    assert "rec:knife" not in [r.action_id for r in kid.ranked]


def test_no_consent_means_only_nothing_or_in_app(db: Database, shop: str) -> None:
    d = next_best_action(db, shop, "nomail", None, now=T0, use_models=False, log=False)
    assert all(r.channel in (None, "in_app") for r in d.ranked if r.policy.allowed)
    denied = [r for r in d.ranked if not r.policy.allowed]
    assert denied and all(any(h.rule == "consent" and h.outcome == "deny" for h in r.policy.rules_fired)
                          for r in denied if r.channel != "in_app")  # fmt: skip


def test_tenant_weights_change_the_ranking(db: Database, shop: str) -> None:
    set_weights(db, shop, Weights(expected_value=0.0, margin=0.0, risk=5.0, fatigue=5.0), actor="test")
    d = next_best_action(db, shop, "buyer", None, now=T0, use_models=False, log=False)
    assert d.chosen is not None and d.chosen.action_id == "nothing"


def test_exploration_logs_a_propensity_below_one(db: Database, shop: str) -> None:
    rng = random.Random(3)
    props = {next_best_action(db, shop, "buyer", None, now=T0, use_models=False, explore=0.5, rng=rng).propensity
             for _ in range(12)}  # fmt: skip
    assert any(p < 1 for p in props) and all(0 < p <= 1 for p in props)


def test_unknown_customer_is_a_clear_error(db: Database, shop: str) -> None:
    with pytest.raises(ValueError, match="no customer 'ghost'"):
        next_best_action(db, shop, "ghost", None, now=T0, use_models=False)
