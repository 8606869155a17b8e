"""Eval tenants: a pristine one for the suites and the gate, and steady/shifted ones for drift."""

from __future__ import annotations

import random

import pytest

from hyperjourney.db.database import Database
from hyperjourney.evals.suites.nba import AT, MIN_LOGGED
from hyperjourney.nba.policy_port import PolicyPort
from hyperjourney.nba.rank import next_best_action


@pytest.fixture(scope="session")
def eval_tenant(db: Database) -> str:
    """A tenant of its own, built like the trained tenant plus the demo knowledge base and logged, rewarded NBA
    decisions (the way attribution would reward them: a conversion per chosen action, likelier for high p_convert
    and low risk), so the off-policy estimate has data to replay. Only eval suites write into it: the committed
    baselines and the drift check must not depend on which other tests ran before."""
    from hyperjourney.knowledge.ingest import ingest_path
    from tests.conftest import DEMO_KB, seeded_and_trained

    tenant = seeded_and_trained(db, "eval")
    ingest_path(db, tenant, DEMO_KB)
    rng, port = random.Random(3), PolicyPort(db, tenant)
    with db.tenant(tenant) as conn:
        customers = [str(r[0]) for r in conn.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 90")]
    for customer in customers:
        d = next_best_action(db, tenant, customer, None, now=AT, explore=0.3, rng=rng, policy=port)
        if d.chosen is None or d.decision_id is None:
            continue
        c = d.chosen.components
        reward = float(rng.random() < min(0.9, c.p_convert * (1.0 - c.risk)))
        with db.tenant(tenant) as conn:
            conn.execute("UPDATE decisions SET reward = %s WHERE decision_id = %s", (reward, d.decision_id))
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT count(*) FROM decisions WHERE source = 'nba'").fetchone()
    assert row is not None and row[0] >= MIN_LOGGED
    return tenant


def _seed_and_train(db: Database, prefix: str) -> str:
    from hyperjourney.data.demo_tenant import seed
    from hyperjourney.features.store import refresh_all
    from hyperjourney.scoring.train import train_all
    from tests.conftest import new_tenant

    tenant = new_tenant(db, prefix)
    seed(db, tenant, customers=1000, events=50_000, tickets=60)
    refresh_all(db, tenant)
    train_all(db, tenant)
    return tenant


def shift_recent_activity(db: Database, tenant: str, days: int = 30) -> int:
    """A churn wave after training: half the customers (a stable hash of the id) stop acting in the last ``days``
    days of data, so recency features and the churn base rate really move. Returns the events deleted."""
    with db.tenant(tenant) as conn:
        deleted = conn.execute(
            "DELETE FROM events WHERE ts >= (SELECT max(ts) FROM events) - make_interval(days => %s) "
            "AND abs(hashtext(customer_id)) %% 2 = 0",
            (days,),
        ).rowcount
    return deleted


@pytest.fixture(scope="session")
def steady_tenant(db: Database) -> str:
    """Seeded and trained, data unchanged since: drift must find nothing to warn about."""
    return _seed_and_train(db, "steady")


@pytest.fixture(scope="session")
def shifted_tenant(db: Database) -> str:
    """The same world, trained, then a churn wave in the recent data (see shift_recent_activity)."""
    tenant = _seed_and_train(db, "shifted")
    assert shift_recent_activity(db, tenant) > 1000
    return tenant
