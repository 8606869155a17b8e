"""Backtest: fit on the data before a date, then judge on what happened in a horizon after it.

Unlike the held-out window of `train_all` (placed inside the data the models are trained on), the date and
the horizon are the caller's: training cutoffs sit so that every training outcome ends before the date,
the models score features as of the date, and each is compared with its baseline on the outcomes inside
[date, date + horizon). The CLV horizons the scorer projects from its 60-day model (`horizons.py`, and
BG/NBD+GG for customers with an order when the choice picks it) are judged the same way, each against the
spend actually seen in [date, date + days) where the data covers it, beside the run rate. Nothing is stored
or activated.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from pydantic import BaseModel

from hyperjourney.db.database import Database
from hyperjourney.features.store import data_time
from hyperjourney.features.training import HORIZON, VALUE_HORIZON, Example, outcomes, training_set
from hyperjourney.scoring import clv_choice, horizons, metrics, preflight
from hyperjourney.scoring.linear import LinearClassifier, LogSpendRegressor
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
from hyperjourney.settings import ScoringSettings, get_settings

BACKTESTED = ("purchase_propensity", "churn_risk", "clv")
OFFSETS_DAYS = (0, 30, 60, 90)  # training cutoffs: this long before (date - horizon)
_SPAN = re.compile(r"^(\d+)([dwmy])$")
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


class HorizonCheck(BaseModel):
    """One projected CLV horizon against the spend actually seen in it (every customer scored at the date)."""

    days: int
    n: int
    rmse: float
    mae: float
    baseline_rmse: float
    baseline_mae: float
    actual_total: float
    predicted_total: float
    model: str  # which CLV model gave the projection: the hurdle model, or BG/NBD+GG for buyers


class BacktestReport(BaseModel):
    tenant: str
    as_of: datetime
    horizon_days: int
    train_cutoffs: list[datetime]
    train_examples: int
    test_examples: int
    metrics: dict[str, dict[str, Any]]
    skipped: dict[str, Skipped]
    horizons: list[HorizonCheck] = []
    horizons_not_judged: str | None = None  # why some or all configured horizons were not judged


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
    if "clv" in report.metrics:
        _judge_horizons(db, report, test, end, first, get_settings().scoring)
    return report


def _judge_horizons(
    db: Database, report: BacktestReport, test: list[Example], end: datetime, first: datetime, scoring: ScoringSettings
) -> None:
    """Fit the scorer's 60-day CLV and its projection before the date, then compare each configured horizon
    the data covers with the spend inside it; the run rate (last year's spend x days/365) is the baseline."""
    at = report.as_of
    covered = [d for d in scoring.clv_horizons_days if at + timedelta(days=d) <= end]
    late = [d for d in scoring.clv_horizons_days if d not in covered]
    if late:
        report.horizons_not_judged = (
            f"{', '.join(f'{d}' for d in late)}-day: the data ends {end:%Y-%m-%d}, before the horizon does"
        )
    if not covered:
        return
    cuts = [at - VALUE_HORIZON - timedelta(days=d) for d in OFFSETS_DAYS]
    cuts = [c for c in cuts if c >= first + MIN_HISTORY]
    with db.tenant(report.tenant) as conn:
        train = [e for c in cuts for e in training_set(conn, c)]
        value = outcomes(conn, at, HORIZON, VALUE_HORIZON)
        actual = {d: outcomes(conn, at, HORIZON, timedelta(days=d)) for d in covered}
    test = [e.model_copy(update={"outcome": value[e.customer_id]}) for e in test if e.customer_id in value]
    vec = Vectorizer.fit([e.features for e in train])
    try:
        artifact, _ = fit_clv(vec, train, test, VALUE_HORIZON, scoring)
    except FIT_ERRORS as exc:
        report.horizons_not_judged = f"the 60-day CLV model could not be fitted before {at:%Y-%m-%d} ({exc})"
        return
    if "projection" not in artifact:
        report.horizons_not_judged = "no training cutoffs 60 days apart before the date to fit the projection"
        return
    rows = [e.features for e in test]
    x = vec.transform(rows)
    p_buy = LinearClassifier.from_json(artifact["buy"]).predict(x)
    spend = LogSpendRegressor.from_json(artifact["spend"]).predict(x)
    spans = horizons.project(p_buy, spend, horizons.Projection.model_validate(artifact["projection"]))
    model = "hurdle projection"
    if artifact.get("chosen") == "bgnbd_gg":
        value_model = clv_choice.BTYDValue.model_validate(artifact["bgnbd_gg"])
        data, buyer = clv_choice.summary(rows)
        spans = clv_choice.blend(spans, clv_choice.values_of(value_model, data, buyer), buyer)
        model = "BG/NBD+GG for customers with an order, hurdle projection for the rest"
    for d in covered:
        y = np.array([actual[d][e.customer_id].spend if e.customer_id in actual[d] else 0.0 for e in test])
        f = spans[horizons.score_name(d)]
        base = np.array([float(r.get("monetary_365d") or 0.0) * d / 365 for r in rows])
        report.horizons.append(
            HorizonCheck(
                days=d,
                n=len(y),
                rmse=metrics.rmse(y, f),
                mae=metrics.mae(y, f),
                baseline_rmse=metrics.rmse(y, base),
                baseline_mae=metrics.mae(y, base),
                actual_total=float(y.sum()),
                predicted_total=float(f.sum()),
                model=model,
            )
        )
