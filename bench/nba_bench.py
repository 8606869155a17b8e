"""Next-best action latency per decision (features read fresh from Postgres, decision logged and audited)
against a naive implementation that rebuilds the recommendation model for every decision."""

from __future__ import annotations

import random
import time

import numpy as np

from bench.report import Figure, scratch_database, stopwatch
from hyperjourney.data.demo_tenant import seed
from hyperjourney.data.seed.generator import DEMO_ANCHOR
from hyperjourney.db.database import Database
from hyperjourney.nba import rank
from hyperjourney.nba.policy_port import PolicyPort
from hyperjourney.nba.recommend import CACHE

DECISIONS = 400
NAIVE_DECISIONS = 40


def _latencies(db: Database, customers: list[str], n: int, *, naive: bool) -> list[float]:
    rng = random.Random(1)
    port = PolicyPort(db, "bench")
    out = []
    for _ in range(n):
        customer = rng.choice(customers)
        if naive:
            CACHE.clear()
        start = time.perf_counter()
        rank.next_best_action(db, "bench", customer, {"type": "page_view"}, now=DEMO_ANCHOR, policy=port)
        out.append((time.perf_counter() - start) * 1000)
    return out


def run() -> list[Figure]:
    with scratch_database() as db:
        assert isinstance(db, Database)
        with stopwatch() as took:
            seed(db, "bench", customers=3000, events=120_000, tickets=200)
        print(f"seeded bench tenant in {took():.1f}s")
        with db.admin() as admin:
            admin.execute("ANALYZE")  # a live database has planner statistics; a fresh load does not yet
        with db.tenant("bench") as conn:
            customers = [r[0] for r in conn.execute("SELECT customer_id FROM customers WHERE merged_into IS NULL")]
        _latencies(db, customers, 20, naive=False)  # warm the pool and the model cache
        fast = _latencies(db, customers, DECISIONS, naive=False)
        naive = _latencies(db, customers, NAIVE_DECISIONS, naive=True)
    p95, naive_p95 = float(np.percentile(fast, 95)), float(np.percentile(naive, 95))
    return [
        Figure("nba p95 per decision", p95, "ms", "< 10 ms", baseline=naive_p95, higher_is_better=False,
               meets_target=p95 < 10),
        Figure("nba p50 per decision", float(np.percentile(fast, 50)), "ms", "-", higher_is_better=False),
    ]  # fmt: skip
