"""Value models against the textbook baseline: the project's CLV and purchase models vs BG/NBD + Gamma-Gamma
fitted in the same run, on the seeded demo tenant and on the public CDNOW log (lifetimes' wheel).

Both are scored at the project's held-out cut-off on the customers with at least one order before it (BG/NBD's
domain): 60-day spend (RMSE, MAE) of the hurdle model, of BG/NBD + GG and of the CLV model the tenant's
backtest chose, and 30-day purchase (AUC, Brier) of the purchase model against BG/NBD's P(alive and buys),
each with a paired bootstrap interval of the difference from BG/NBD + GG. A figure marked NO means that model
does not beat the baseline there. The choice is made on this same window, so the chosen column is the
project as a tenant runs it, not an out-of-sample test of the choosing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import psycopg
from rich.console import Console
from rich.table import Table

from bench.report import Figure, scratch_database
from bench.wheels import MissingWheel, cdnow_transactions
from hyperjourney.data.demo_tenant import seed
from hyperjourney.data.ingest.loader import dataset, load_rows, validate
from hyperjourney.db.database import Database
from hyperjourney.features.store import refresh_all
from hyperjourney.features.training import HORIZON, VALUE_HORIZON, training_set
from hyperjourney.scoring import btyd
from hyperjourney.scoring.metrics import auc, brier, mae, paired_interval, rmse
from hyperjourney.scoring.schema import InsufficientDataError
from hyperjourney.scoring.service import scorer_for
from hyperjourney.scoring.train import train_all

RESAMPLES = 500
Metric = Callable[[np.ndarray, np.ndarray], float]
# name -> (metric, higher is better, unit, which prediction: spend or purchase)
METRICS: dict[str, tuple[Metric, bool, str, str]] = {
    "CLV 60-day spend RMSE": (rmse, False, "$", "spend"),
    "CLV 60-day spend MAE": (mae, False, "$", "spend"),
    "purchase 30-day AUC": (auc, True, "", "purchase"),
    "purchase 30-day Brier": (brier, False, "", "purchase"),
}


@dataclass(frozen=True)
class Row:
    """One metric on one tenant: the project's model, BG/NBD+GG, and (for spend) the model the backtest chose."""

    tenant: str
    metric: str
    n: int
    ours_name: str
    ours: float
    ours_ci: tuple[float, float]  # of ours − BG/NBD+GG
    bgnbd: float
    chosen_name: str | None = None
    chosen: float | None = None
    chosen_ci: tuple[float, float] | None = None


def _orders_before(db: Database, tenant: str, cut: datetime) -> list[tuple[str, datetime, float]]:
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT o.customer_id, o.ordered_at, sum(l.quantity * l.unit_price)::float8 FROM orders o "
            "JOIN order_lines l USING (tenant_id, order_id) WHERE o.ordered_at < %s AND o.status <> 'cancelled' "
            "GROUP BY o.order_id, o.customer_id, o.ordered_at",
            (cut,),
        ).fetchall()
    return [(r[0], r[1], float(r[2])) for r in rows]


def compare(db: Database, tenant: str, label: str) -> list[Row] | str:
    """Train the project's models (CLV chosen by backtest), fit BG/NBD + GG on the same history, and score
    hurdle, BG/NBD + GG and the chosen CLV on the held-out window; a reason instead when training fails.

    The hurdle column is the stored CLV version read without its BG/NBD part, so it is the project's own model
    whichever the backtest chose (the bench never compares BG/NBD + GG with itself)."""
    try:
        report = train_all(db, tenant)
    except (InsufficientDataError, ValueError, psycopg.Error) as exc:  # the bench reports it instead of stopping
        return f"project models could not train ({exc})"[:200]
    if "clv" not in report.metrics or "purchase_propensity" not in report.metrics:
        return f"project models skipped: {', '.join(f'{k}: {v.reason}' for k, v in report.skipped.items())}"[:200]
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
    features = [e.features for e in examples]
    chosen_arrays: dict[str, Any] = scorer.core(scorer.inputs(features))
    chosen_name = "BG/NBD+GG" if scorer.clv_btyd is not None else "hurdle"
    scorer.clv_btyd = None
    hurdle = scorer.core(scorer.inputs(features))["clv"][0]
    truth = {
        "spend": np.array([e.outcome.spend for e in examples]),
        "purchase": np.array([float(e.outcome.purchased) for e in examples]),
    }
    base = {"spend": spend.spend[rows], "purchase": buy.p_purchase[rows]}
    out = []
    for name, (metric, _, _, kind) in METRICS.items():
        y, b = truth[kind], base[kind]
        ours = hurdle if kind == "spend" else chosen_arrays["purchase_propensity"][0]
        row = Row(
            tenant=label,
            metric=name,
            n=len(y),
            ours_name="hurdle" if kind == "spend" else "purchase model",
            ours=metric(y, ours),
            ours_ci=paired_interval(metric, y, ours, b, resamples=RESAMPLES),
            bgnbd=metric(y, b),
        )
        if kind == "spend":
            final = chosen_arrays["clv"][0]
            row = replace(
                row,
                chosen_name=chosen_name,
                chosen=metric(y, final),
                chosen_ci=paired_interval(metric, y, final, b, resamples=RESAMPLES),
            )
        out.append(row)
    return out


def _beats(ci: tuple[float, float], higher: bool) -> bool:
    return ci[0] > 0 if higher else ci[1] < 0


def figures(rows: list[Row]) -> list[Figure]:
    """The bench table's rows: each model against BG/NBD + GG, met when the interval clears zero its way."""
    out = []
    for r in rows:
        _, higher, unit, _ = METRICS[r.metric]
        pairs = [(r.ours_name, r.ours, r.ours_ci)]
        if r.chosen is not None and r.chosen_ci is not None:
            pairs.append((f"chosen ({r.chosen_name})", r.chosen, r.chosen_ci))
        for who, value, ci in pairs:
            out.append(
                Figure(
                    name=f"value {r.tenant} ({r.n:,} buyers): {r.metric} {who} {value:.4f} vs BG/NBD+GG {r.bgnbd:.4f}",
                    value=value,
                    unit=unit,
                    target=f"beats BG/NBD+GG: Δ [{ci[0]:+.4f}, {ci[1]:+.4f}]",
                    baseline=r.bgnbd,
                    higher_is_better=higher,
                    meets_target=_beats(ci, higher),
                )
            )
    return out


def print_comparison(rows: list[Row]) -> None:
    """The value models side by side: hurdle (or the purchase model), BG/NBD + GG, and the chosen CLV model."""
    table = Table(title="value models vs BG/NBD + Gamma-Gamma (held-out window, customers with an order before it)")
    for col in (
        "tenant",
        "metric",
        "n",
        "project",
        "BG/NBD+GG",
        "Δ project − BG/NBD [95%]",
        "chosen",
        "Δ chosen − BG/NBD [95%]",
    ):
        table.add_column(col, justify="left" if col in ("tenant", "metric") else "right")
    for r in rows:
        chosen = "-" if r.chosen is None else f"{r.chosen:.4f} ({r.chosen_name})"
        chosen_ci = "-" if r.chosen_ci is None else f"[{r.chosen_ci[0]:+.4f}, {r.chosen_ci[1]:+.4f}]"
        table.add_row(
            r.tenant, r.metric, f"{r.n:,}", f"{r.ours:.4f} ({r.ours_name})", f"{r.bgnbd:.4f}",
            f"[{r.ours_ci[0]:+.4f}, {r.ours_ci[1]:+.4f}]", chosen, chosen_ci,
        )  # fmt: skip
    Console(width=200).print(table)


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


def _measure(db: Database, tenant: str, label: str, rows: list[Row], skipped: list[Figure]) -> None:
    found = compare(db, tenant, label)
    if isinstance(found, str):
        skipped.append(Figure(f"value {label}: {found}", float("nan"), "", "-"))
    else:
        rows += found


def run() -> list[Figure]:
    rows: list[Row] = []
    skipped: list[Figure] = []
    say = Console(stderr=True).print
    with scratch_database() as handle:
        assert isinstance(handle, Database)
        try:
            say("value: loading CDNOW")
            _load_cdnow(handle, "cdnow")
            say("value: CDNOW project models vs BG/NBD+GG")
            _measure(handle, "cdnow", "CDNOW", rows, skipped)
        except MissingWheel as exc:
            skipped.append(Figure(f"value CDNOW skipped: {exc}", float("nan"), "", "-"))
        say("value: seeding the demo tenant")
        seed(handle, "value", customers=1000, events=40_000, tickets=150)
        refresh_all(handle, "value")
        say("value: demo tenant project models vs BG/NBD+GG")
        _measure(handle, "value", "demo tenant", rows, skipped)
    print_comparison(rows)
    return figures(rows) + skipped
