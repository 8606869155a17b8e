"""Value models against the textbook baseline: the project's CLV and purchase models vs BG/NBD + Gamma-Gamma
fitted in the same run, on the seeded demo tenant and on the public CDNOW log (lifetimes' wheel).

Both are scored at the project's held-out cut-off on the customers with at least one order before it (BG/NBD's
domain): 60-day spend (RMSE, MAE) and 30-day purchase (AUC, Brier), each with a paired bootstrap interval of
the difference. A figure marked NO means the project's model does not beat the baseline there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import psycopg
from rich.console import Console

from bench.report import Figure, scratch_database
from bench.wheels import MissingWheel, cdnow_transactions
from hyperjourney.data.demo_tenant import seed
from hyperjourney.data.ingest.loader import dataset, load_rows, validate
from hyperjourney.db.database import Database
from hyperjourney.features.store import refresh_all
from hyperjourney.features.training import HORIZON, VALUE_HORIZON, training_set
from hyperjourney.scoring import btyd
from hyperjourney.scoring.metrics import auc, brier
from hyperjourney.scoring.schema import InsufficientDataError
from hyperjourney.scoring.service import scorer_for
from hyperjourney.scoring.train import train_all

RESAMPLES = 500
Metric = Callable[[np.ndarray, np.ndarray], float]
METRICS: dict[str, tuple[Metric, bool, str]] = {
    "CLV 60-day spend RMSE": (lambda y, f: float(np.sqrt(np.mean((y - f) ** 2))), False, "$"),
    "CLV 60-day spend MAE": (lambda y, f: float(np.mean(np.abs(y - f))), False, "$"),
    "purchase 30-day AUC": (auc, True, ""),
    "purchase 30-day Brier": (brier, False, ""),
}


def _paired(metric: Metric, y: np.ndarray, ours: np.ndarray, base: np.ndarray) -> tuple[float, float]:
    """95% interval of metric(ours) − metric(base) over customers resampled with replacement."""
    rng = np.random.default_rng(0)
    diffs = []
    for _ in range(RESAMPLES):
        i = rng.integers(0, len(y), size=len(y))
        if len(np.unique(y[i])) < 2 and metric is auc:
            continue
        diffs.append(metric(y[i], ours[i]) - metric(y[i], base[i]))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return float(lo), float(hi)


def _orders_before(db: Database, tenant: str, cut: datetime) -> list[tuple[str, datetime, float]]:
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT o.customer_id, o.ordered_at, sum(l.quantity * l.unit_price)::float8 FROM orders o "
            "JOIN order_lines l USING (tenant_id, order_id) WHERE o.ordered_at < %s AND o.status <> 'cancelled' "
            "GROUP BY o.order_id, o.customer_id, o.ordered_at",
            (cut,),
        ).fetchall()
    return [(r[0], r[1], float(r[2])) for r in rows]


def compare(db: Database, tenant: str, label: str) -> list[Figure]:
    """Train the project's models, fit BG/NBD + GG on the same history, score both on the held-out window.

    The project's CLV is pinned to its hurdle model here: training otherwise picks BG/NBD + GG per tenant when
    it wins the backtest, and the bench would then compare the baseline with itself."""
    try:
        report = train_all(db, tenant, clv_model="hurdle")
    except (InsufficientDataError, ValueError, psycopg.Error) as exc:  # the bench reports it instead of stopping
        return [Figure(f"value {label}: project models could not train ({exc})"[:200], float("nan"), "", "-")]
    cut = datetime.fromisoformat(report.window["test_cutoff"])
    data = btyd.rfm(_orders_before(db, tenant, cut), cut)
    model = btyd.fit(data)
    spend = btyd.forecast(model, data, VALUE_HORIZON.days)
    buy = btyd.forecast(model, data, HORIZON.days)
    index = {c: i for i, c in enumerate(data.customers)}
    with db.tenant(tenant) as conn:
        examples = [e for e in training_set(conn, cut) if e.customer_id in index]
        scorer = scorer_for(conn, tenant)
    rows = [index[e.customer_id] for e in examples]
    arrays: dict[str, Any] = scorer.core(scorer.inputs([e.features for e in examples]))
    truth_spend = np.array([e.outcome.spend for e in examples])
    truth_buy = np.array([float(e.outcome.purchased) for e in examples])
    pairs = {
        "CLV 60-day spend RMSE": (truth_spend, arrays["clv"][0], spend.spend[rows]),
        "CLV 60-day spend MAE": (truth_spend, arrays["clv"][0], spend.spend[rows]),
        "purchase 30-day AUC": (truth_buy, arrays["purchase_propensity"][0], buy.p_purchase[rows]),
        "purchase 30-day Brier": (truth_buy, arrays["purchase_propensity"][0], buy.p_purchase[rows]),
    }
    figures = []
    for name, (y, ours, base) in pairs.items():
        metric, higher, unit = METRICS[name]
        lo, hi = _paired(metric, y, ours, base)
        better = lo > 0 if higher else hi < 0
        figures.append(
            Figure(
                name=f"value {label} ({len(y):,} buyers): {name} {metric(y, ours):.4f} vs {metric(y, base):.4f}",
                value=metric(y, ours),
                unit=unit,
                target=f"beats BG/NBD+GG: Δ [{lo:+.4f}, {hi:+.4f}]",
                baseline=metric(y, base),
                higher_is_better=higher,
                meets_target=better,
            )
        )
    return figures


def _load_cdnow(db: Database, tenant: str) -> None:
    """CDNOW as a bring-your-own-data tenant: customers and one-line orders of a single product, no events."""
    tx = cdnow_transactions()
    first: dict[str, datetime] = {}
    for c, day, _ in tx:
        first[c] = min(first.get(c, day), day)
    customers = [{"customer_id": f"cd{c}", "created_at": d.isoformat()} for c, d in first.items()]
    products = [{"product_id": "cd", "name": "CD", "category": "music", "price": "10.00", "margin": "0.3",
                 "inventory": 1000}]  # fmt: skip
    orders = [
        {"order_id": f"o{i}", "line_no": 1, "customer_id": f"cd{c}",
         "ordered_at": (day + timedelta(hours=12)).isoformat(), "status": "delivered", "product_id": "cd",
         "quantity": 1, "unit_price": f"{amount:.2f}"}
        for i, (c, day, amount) in enumerate(tx)
    ]  # fmt: skip
    db.create_tenant(tenant)
    with db.tenant(tenant) as conn:
        for name, rows in (("customers", customers), ("products", products), ("orders", orders)):
            ds = dataset(name)
            load_rows(conn, ds, validate(ds, enumerate(rows, start=1)))
    refresh_all(db, tenant)


def run() -> list[Figure]:
    figures: list[Figure] = []
    say = Console(stderr=True).print
    with scratch_database() as handle:
        assert isinstance(handle, Database)
        try:
            say("value: loading CDNOW")
            _load_cdnow(handle, "cdnow")
            say("value: CDNOW project models vs BG/NBD+GG")
            figures += compare(handle, "cdnow", "CDNOW")
        except MissingWheel as exc:
            figures.append(Figure(f"value CDNOW skipped: {exc}", float("nan"), "", "-"))
        say("value: seeding the demo tenant")
        seed(handle, "value", customers=1000, events=40_000, tickets=150)
        refresh_all(handle, "value")
        say("value: demo tenant project models vs BG/NBD+GG")
        figures += compare(handle, "value", "demo tenant")
    return figures
