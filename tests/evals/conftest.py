"""The eval tenant: the trained tenant with the demo knowledge base and logged, rewarded NBA decisions."""

from __future__ import annotations

import random

import pytest

from hyperjourney.db.database import Database
from hyperjourney.evals.suites.nba import AT, MIN_LOGGED
from hyperjourney.nba.policy_port import PolicyPort
from hyperjourney.nba.rank import next_best_action


@pytest.fixture(scope="session")
def eval_tenant(db: Database, trained_kb_tenant: str) -> str:
    """Logs exploring NBA decisions and rewards them the way attribution would (a conversion per chosen action,
    likelier for high p_convert and low risk), so the off-policy estimate has data to replay."""
    rng, port = random.Random(3), PolicyPort(db, trained_kb_tenant)
    with db.tenant(trained_kb_tenant) as conn:
        customers = [str(r[0]) for r in conn.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 90")]
    for customer in customers:
        d = next_best_action(db, trained_kb_tenant, customer, None, now=AT, explore=0.3, rng=rng, policy=port)
        if d.chosen is None or d.decision_id is None:
            continue
        c = d.chosen.components
        reward = float(rng.random() < min(0.9, c.p_convert * (1.0 - c.risk)))
        with db.tenant(trained_kb_tenant) as conn:
            conn.execute("UPDATE decisions SET reward = %s WHERE decision_id = %s", (reward, d.decision_id))
    with db.tenant(trained_kb_tenant) as conn:
        row = conn.execute("SELECT count(*) FROM decisions WHERE source = 'nba'").fetchone()
    assert row is not None and row[0] >= MIN_LOGGED
    return trained_kb_tenant
