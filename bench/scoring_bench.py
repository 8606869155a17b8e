"""Scoring speed: batch throughput for every customer model at 100k customers, and one customer online.

Models are trained on a small seeded tenant in a scratch database; the 100k batch resamples that
tenant's real feature rows (a synthetic population with a realistic feature distribution).
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from bench.report import Figure, scratch_database, stopwatch
from hyperjourney.data.demo_tenant import seed
from hyperjourney.db.database import Database
from hyperjourney.features.store import refresh_all, refresh_customer
from hyperjourney.scoring.service import score_customer, scorer_for
from hyperjourney.scoring.train import train_all

BATCH = 100_000
FULL_OBJECTS = 20_000
NAIVE = 2_000
ONLINE = 300


def _pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[int(q) - 1] * 1000


def run() -> list[Figure]:
    with scratch_database() as handle:
        assert isinstance(handle, Database)
        db = handle
        seed(db, "bench", customers=2000, events=80_000, tickets=300)
        refresh_all(db, "bench")
        train_all(db, "bench")
        with db.tenant("bench") as conn:
            rows: list[dict[str, Any]] = [r[0] for r in conn.execute("SELECT features FROM customer_features")]
            ids = [r[0] for r in conn.execute("SELECT customer_id FROM customer_features ORDER BY customer_id")]
            scorer = scorer_for(conn, "bench")
        rng = random.Random(1)
        population = [rng.choice(rows) for _ in range(BATCH)]

        with stopwatch() as elapsed:
            inputs = scorer.inputs(population)
        prepare = elapsed()
        with stopwatch() as elapsed:
            scorer.core(inputs)
        core = elapsed()
        core_rate, batch_rate = BATCH / core, BATCH / (prepare + core)
        with stopwatch() as elapsed:
            scorer.score_raw(population[:FULL_OBJECTS])
        full_rate = FULL_OBJECTS / elapsed()
        with stopwatch() as elapsed:
            for row in population[:NAIVE]:
                scorer.score([row])
        naive_rate = NAIVE / elapsed()

        sample = rng.sample(ids, min(ONLINE, len(ids)))
        online, in_process, recompute = [], [], []
        for cid in sample:
            t0 = time.perf_counter()
            score_customer(db, "bench", cid)
            online.append(time.perf_counter() - t0)
        for row in rows[:ONLINE]:
            t0 = time.perf_counter()
            scorer.score([row])
            in_process.append(time.perf_counter() - t0)
        for cid in sample[:100]:
            t0 = time.perf_counter()
            refresh_customer(db, "bench", cid)
            score_customer(db, "bench", cid)
            recompute.append(time.perf_counter() - t0)
    p50, p95 = _pct(online, 50), _pct(online, 95)
    naive_p95 = _pct(recompute, 95)
    return [
        Figure(
            f"batch scoring, 6 models, {BATCH:,} customers from the feature matrix (values + top-3 drivers)",
            core_rate,
            "customers/s",
            "≥ 20,000 customers/s",
            baseline=naive_rate,
            meets_target=core_rate >= 20_000,
        ),
        Figure(
            f"batch scoring, 6 models, {BATCH:,} customers from stored feature rows (incl. vectorising)",
            batch_rate,
            "customers/s",
            "≥ 20,000 customers/s",
            baseline=naive_rate,
            meets_target=batch_rate >= 20_000,
        ),
        Figure(
            f"batch scoring with every reason in words and confidences, {FULL_OBJECTS:,} customers",
            full_rate,
            "customers/s",
            "-",
            baseline=naive_rate,
        ),
        Figure(
            "online score_customer p50 (features fresh, one DB round trip)",
            p50,
            "ms",
            "-",
            baseline=_pct(recompute, 50),
            higher_is_better=False,
        ),
        Figure(
            "online score_customer p95 (features fresh, one DB round trip)",
            p95,
            "ms",
            "p95 < 5 ms",
            baseline=naive_p95,
            higher_is_better=False,
            meets_target=p95 < 5,
        ),
        Figure(
            "online scoring p50, in-process part only (after the fetch)",
            _pct(in_process, 50),
            "ms",
            "-",
            baseline=_pct(recompute, 50),
            higher_is_better=False,
        ),
        Figure(
            "online scoring p95, in-process part only (after the fetch)",
            _pct(in_process, 95),
            "ms",
            "-",
            baseline=naive_p95,
            higher_is_better=False,
        ),
    ]
