"""Backtest: fit on the data before a date, then judge on what happened in a horizon after it.

Unlike the held-out window of `train_all` (placed inside the data the models are trained on), the date and
the horizon are the caller's: training cutoffs sit so that every training outcome ends before the date,
the models score features as of the date, and each is compared with its baseline on the outcomes inside
[date, date + horizon). Nothing is stored or activated.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from hyperjourney.db.database import Database
from hyperjourney.features.store import data_time
from hyperjourney.features.training import Example, training_set
from hyperjourney.scoring import preflight
from hyperjourney.scoring.preflight import MIN_EXAMPLES
from hyperjourney.scoring.train import (
    CLASSIFIERS,
    FIT_ERRORS,
    MIN_HISTORY,
    Skipped,
    churn_task,
    fit_classifier,
    fit_clv,
)
from hyperjourney.scoring.vectorize import Vectorizer

BACKTESTED = ("purchase_propensity", "churn_risk", "clv")
OFFSETS_DAYS = (0, 30, 60, 90)  # training cutoffs: this long before (date - horizon)
_SPAN = re.compile(r"^(\d+)([dwmy])$")
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


class BacktestReport(BaseModel):
    tenant: str
    as_of: datetime
    horizon_days: int
    train_cutoffs: list[datetime]
    train_examples: int
    test_examples: int
    metrics: dict[str, dict[str, Any]]
    skipped: dict[str, Skipped]


def parse_horizon(text: str) -> timedelta:
    """'39w', '90d', '6m', '1y' → a timedelta (m = 30 days, y = 365)."""
    found = _SPAN.match(text.strip().lower())
    if found is None or int(found.group(1)) == 0:
        raise ValueError(
            f"--horizon must be a positive number of days, weeks, months or years (90d, 39w, 6m, 1y), not {text!r}"
        )
    return timedelta(days=int(found.group(1)) * _UNIT_DAYS[found.group(2)])


def backtest(db: Database, tenant: str, at: datetime, horizon: timedelta) -> BacktestReport:
    """Train purchase, churn and CLV on data before ``at``; judge them on ``[at, at + horizon)``."""
    with db.tenant(tenant) as conn:
        end = data_time(conn)
        if at + horizon > end:
            raise ValueError(
                f"the data ends {end:%Y-%m-%d}: a {horizon.days}-day horizon from {at:%Y-%m-%d} needs data "
                f"until {at + horizon:%Y-%m-%d}; choose an earlier --as-of or a shorter --horizon"
            )
        prof = preflight.profile(conn, at)
        ready = preflight.check(prof)
        first = prof.first or at
        cuts = [at - horizon - timedelta(days=d) for d in OFFSETS_DAYS]
        cuts = [c for c in cuts if c >= first + MIN_HISTORY]
        train: list[Example] = [e for c in cuts for e in training_set(conn, c, horizon, horizon)]
        test = training_set(conn, at, horizon, horizon)
    report = BacktestReport(
        tenant=tenant,
        as_of=at,
        horizon_days=horizon.days,
        train_cutoffs=cuts,
        train_examples=len(train),
        test_examples=len(test),
        metrics={},
        skipped={},
    )
    if len(train) < MIN_EXAMPLES or len(test) < MIN_EXAMPLES // 4:
        reason = (
            f"too little history before {at:%Y-%m-%d} for a {horizon.days}-day horizon: {len(train)} training "
            f"examples over {len(cuts)} cutoffs and {len(test)} to judge (need {MIN_EXAMPLES} and {MIN_EXAMPLES // 4})"
        )
        needs = f"data from at least {horizon.days + 30 + MIN_HISTORY.days} days before {at:%Y-%m-%d}"
        report.skipped = {n: Skipped(reason=reason, needs=needs) for n in BACKTESTED}
        return report
    vec = Vectorizer.fit([e.features for e in train])
    for name in BACKTESTED:
        if not ready[name].ready:
            report.skipped[name] = Skipped(reason=ready[name].reason, needs=ready[name].needs)
            continue
        try:
            if name == "clv":
                _, quality = fit_clv(vec, train, test, horizon)
            else:
                task = churn_task(prof, horizon.days) if name == "churn_risk" else CLASSIFIERS[name]
                _, quality = fit_classifier(name, task, vec, train, test)
        except FIT_ERRORS as exc:
            report.skipped[name] = Skipped(reason=str(exc), needs=ready[name].needs)
            continue
        if name == "purchase_propensity":
            quality["description"] = f"P(order or paid conversion in the {horizon.days} days from {at:%Y-%m-%d})"
        report.metrics[name] = quality
    return report
