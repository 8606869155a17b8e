"""Outcomes flow back: attribution, bandit rewards, the journey readout and the off-policy estimate."""

from __future__ import annotations

import random
import tracemalloc
from datetime import timedelta

import pytest
from psycopg.types.json import Jsonb

from hyperjourney.channels.adapters import FileSinkAdapter
from hyperjourney.channels.dispatcher import Dispatcher
from hyperjourney.db.database import Database
from hyperjourney.experiments.attribution import attribute
from hyperjourney.experiments.offpolicy import estimate
from hyperjourney.experiments.ope import CHUNK
from hyperjourney.experiments.readout import readout
from hyperjourney.journeys.assign import in_holdout
from hyperjourney.journeys.launch import JourneyPlan, launch_plan
from hyperjourney.journeys.runner import JourneyRunner
from hyperjourney.nba.rank import Weights
from hyperjourney.settings import ChannelSettings
from tests.actions_fixtures import T0, add_customers, add_events

H = timedelta(hours=1)


def test_attribution_readout_and_bandit_rewards(db: Database, tenant: str, tmp_path: object) -> None:
    ids = [f"u{i}" for i in range(400)]
    add_customers(db, tenant, ids, region="us")
    launch_plan(db, tenant, JourneyPlan(template="cart-abandon"), now=T0)
    run = JourneyRunner(db, tenant, use_models=False)
    add_events(db, tenant, [(f"add{i}", cid, "added_to_cart", T0, {"cart_id": f"k{i}"}) for i, cid in enumerate(ids)])
    run.tick(T0 + 5 * H)
    sink = FileSinkAdapter(tmp_path / "sink.jsonl", "email")  # type: ignore[operator]
    Dispatcher(db, tenant, {"email": sink, "sms": sink}, ChannelSettings()).run()
    rng, outcomes = random.Random(4), []
    for i, cid in enumerate(ids):  # treated customers buy their cart more often than the holdout
        held = in_holdout("cart-abandon", cid, 0.2)
        if rng.random() < (0.10 if held else 0.35):
            outcomes.append((f"buy{i}", cid, "checkout", T0 + 8 * H, {"cart_id": f"k{i}", "revenue": 120}))
        if not held and rng.random() < 0.3:
            outcomes.append((f"clk{i}", cid, "email_click", T0 + 6 * H, {}))
    add_events(db, tenant, outcomes)
    credited = attribute(db, tenant)
    assert credited.credited["conversion"] > 50 and credited.credited["click"] > 50
    assert attribute(db, tenant).credited == {}  # idempotent
    with db.tenant(tenant) as conn:
        successes = conn.execute("SELECT sum(successes), sum(trials) FROM arm_stats").fetchone()
    assert successes is not None and 0 < successes[0] <= successes[1]
    r = readout(db, tenant, "cart-abandon")
    assert r.enrolled + r.holdout == 400 and r.conversion.ci_low > 0
    assert r.revenue_per_customer[0] > r.revenue_per_customer[1]
    assert r.segments[0].segment == "us" and all(g.ok for g in r.guardrails)
    assert {v.variant for v in r.variants} >= {"plain", "fit"}
    assert "reached checkout" in r.summary and "a real lift" in r.summary and r.next_test
    with pytest.raises(ValueError, match="segment_by must be one of"):
        readout(db, tenant, "cart-abandon", segment_by="password")


def test_off_policy_estimate_prefers_the_rewarded_policy(db: Database, tenant: str) -> None:
    rng = random.Random(2)
    good = {
        "action_id": "rec:a",
        "kind": "recommendation",
        "allowed": True,
        "p_convert": 0.3,
        "value": 100,
        "expected_value": 30,
        "margin": 0.4,
        "risk": 0.0,
        "inventory": 1,
        "fatigue": 0,
        "cost": 0,
    }
    risky = {**good, "action_id": "offer:b", "kind": "offer", "expected_value": 40, "risk": 0.5}
    with db.tenant(tenant) as conn:
        for i in range(400):
            chosen = good if rng.random() < 0.5 else risky
            reward = rng.random() < (0.6 if chosen is good else 0.2)
            conn.execute(
                "INSERT INTO decisions (source, customer_id, decided_at, chosen, propensity, candidates, reward) "
                "VALUES ('nba', %s, %s, %s, 0.5, %s, %s)",
                (f"c{i}", T0, chosen["action_id"], Jsonb([good, risky]), float(reward)),
            )  # fmt: skip
    careful = estimate(db, tenant, Weights(risk=2.0))
    greedy = estimate(db, tenant, Weights(risk=0.0))
    assert careful.agreement == pytest.approx(0.5, abs=0.08)
    assert careful.doubly_robust == pytest.approx(0.6, abs=0.08) and greedy.doubly_robust == pytest.approx(
        0.2, abs=0.08
    )
    assert careful.dr_ci[0] > greedy.dr_ci[1]
    assert careful.logged_value == pytest.approx(0.4, abs=0.08)


def test_off_policy_bootstrap_memory_does_not_grow_with_resamples_times_rounds(db: Database, tenant: str) -> None:
    """The DR interval streamed its resamples: a B x n index matrix needed 1.8 GB at B = n = 10,000."""
    n, resamples = 12_000, 300  # n well above ope.CHUNK (4,096)
    c = {"kind": "offer", "allowed": True, "p_convert": 0.3, "value": 100, "expected_value": 30, "margin": 0.4,
         "risk": 0.0, "inventory": 1, "fatigue": 0, "cost": 0}  # fmt: skip
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO decisions (source, customer_id, decided_at, chosen, propensity, candidates, reward) "
            "SELECT 'nba', 'c' || i, %s, CASE WHEN i %% 2 = 0 THEN 'offer:a' ELSE 'offer:b' END, 0.5, %s, i %% 3 "
            "FROM generate_series(1, %s) AS i",
            (T0, Jsonb([{**c, "action_id": "offer:a"}, {**c, "action_id": "offer:b", "risk": 0.5}]), n),
        )

    def peak(boot: int) -> tuple[int, tuple[float, float]]:
        tracemalloc.start()
        try:
            found = estimate(db, tenant, Weights(risk=2.0), bootstrap=boot)
            return tracemalloc.get_traced_memory()[1], found.dr_ci
        finally:
            tracemalloc.stop()

    rows_only, _ = peak(1)
    with_bootstrap, (lo, hi) = peak(resamples)
    assert lo < hi
    # a few B x CHUNK blocks (a draw, its float copy, the previous one), not the two B x n matrices (2 x 28.8 MB here)
    assert with_bootstrap - rows_only < 4 * resamples * CHUNK * 8 < 2 * resamples * n * 8
