"""Measure one tenant's drift: the active models' training window against recent data, plus recent activity
against the window before it.

Models trained on features as of their training cutoffs; they score today's features. When today's feature
distributions (PSI per numeric feature) or the outcome base rates (label rate of each classifier's population)
moved away from what the models saw, their scores and every opportunity sized from them may be off. The base
rates are compared on the newest window whose 30-day outcomes are complete.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from hyperjourney.features.store import compute, data_time
from hyperjourney.features.training import HORIZON, Example, training_set
from hyperjourney.monitoring.data_drift import data_drift, latest_activity
from hyperjourney.monitoring.drift import DriftReading, DriftReport, base_rate_drift, feature_drift
from hyperjourney.scoring import registry
from hyperjourney.scoring.train import CLASSIFIERS

SINCE_TRAINING = "since training"
# Features every customer accumulates as the calendar moves (tenure, lifetime totals): against a training window
# months old they always shift, so they are shown but not counted as drift.
CALENDAR_FEATURES = frozenset(
    {"tenure_days", "days_since_first_order", "events_total", "orders_total", "monetary_total", "conversions_total",
     "categories_bought"}
)  # fmt: skip
# Look-back of features not named *_<n>d: RFM scores read the last 365 days; days since the last order can only
# reach as far back as the history does, so it is treated like a year-long window.
WINDOWS = {"rfm_r": 365, "rfm_f": 365, "rfm_m": 365, "days_since_last_order": 365}
_WINDOW = re.compile(r"_(\d+)d$")
MIN_VALUES = 30  # fewer values in either window make a PSI too noisy to report
BASE_RATE_NAMES = {
    "purchase_propensity": "purchase base rate",
    "churn_risk": "churn base rate",
    "upgrade_fit": "upgrade base rate",
}


def new_report_id() -> str:
    return f"drift-{datetime.now(UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def window_days(name: str) -> int | None:
    match = _WINDOW.search(name)
    return int(match.group(1)) if match else WINDOWS.get(name)


def why_expected(name: str, history: timedelta | None) -> str:
    """Why a feature's shift since training is explained by the calendar, or '' when it is not."""
    if name in CALENDAR_FEATURES:
        return "grows with the calendar for every customer"
    days = window_days(name)
    if history is not None and days is not None and history < timedelta(days=days):
        return f"its {days}-day window was longer than the {history.days} days of history at the first training cutoff"
    return ""


def feature_readings(
    reference: list[dict[str, Any]], recent: list[dict[str, Any]], history: timedelta | None = None
) -> list[DriftReading]:
    """PSI of every numeric feature with enough values in both windows, named as the feature store names it.

    ``history``: how much data the tenant had at the first training cutoff; a feature whose look-back was longer
    was truncated then, so its shift is expected and not counted.
    """
    names = sorted({k for row in reference for k, v in row.items() if _numeric(v)})
    readings = []
    for name in names:
        ref = [float(row[name]) for row in reference if _numeric(row.get(name))]
        new = [float(row[name]) for row in recent if _numeric(row.get(name))]
        if len(ref) >= MIN_VALUES and len(new) >= MIN_VALUES:
            reading = feature_drift(name, ref, new, since=SINCE_TRAINING, why_expected=why_expected(name, history))
            readings.append(reading)
    return readings


def base_rate_readings(train: list[Example], recent: list[Example], models: list[str]) -> list[DriftReading]:
    readings = []
    for name in models:
        task = CLASSIFIERS[name]
        ref = [task.label(e) for e in train if task.population(e)]
        new = [task.label(e) for e in recent if task.population(e)]
        if ref and new:
            readings.append(
                base_rate_drift(
                    BASE_RATE_NAMES[name],
                    sum(ref) / len(ref),
                    sum(new) / len(new),
                    since=SINCE_TRAINING,
                    n_reference=len(ref),
                    n_recent=len(new),
                )
            )
    return readings


def training_window_drift(conn: psycopg.Connection[Any]) -> tuple[list[DriftReading], list[str], str]:
    """Readings against the active classifiers' training window; empty with a reason when nothing is trained."""
    versions = [v for v in (registry.get(conn, name) for name in CLASSIFIERS) if v is not None]
    if not versions:
        return [], [], "no trained model yet (`hyperjourney models train`): only activity drift is measured"
    window = versions[0].training_window
    models = [v.name for v in versions if v.training_window == window]
    cuts = sorted(datetime.fromisoformat(c) for c in window.get("train_cutoffs", []))
    if not cuts:
        return [], [], f"{versions[0].label} records no training cutoffs: only activity drift is measured"
    train = [e for cut in cuts for e in training_set(conn, cut)]
    end = data_time(conn)
    recent_features = list(compute(conn, end).values())
    recent_labelled = training_set(conn, end - HORIZON)
    first = conn.execute("SELECT min(ts) FROM events").fetchone()
    history = cuts[0] - first[0] if first and first[0] is not None else None
    readings = feature_readings([e.features for e in train], recent_features, history)
    readings += base_rate_readings(train, recent_labelled, models)
    labels = ", ".join(v.label for v in versions if v.name in models)
    reference = f"training window of {labels} (features as of {cuts[0]:%Y-%m-%d} … {cuts[-1]:%Y-%m-%d})"
    return readings, [v.label for v in versions if v.name in models], reference


def measure(conn: psycopg.Connection[Any], *, reference_days: int = 90, recent_days: int = 30) -> DriftReport:
    """Every drift reading this tenant's data allows; never raises for missing data (the note says what is missing)."""
    started = time.perf_counter()
    computed_at = datetime.now(UTC)
    end = latest_activity(conn)
    if end is None:
        return DriftReport(
            report_id=new_report_id(),
            computed_at=computed_at,
            note="no events in this tenant yet: drift needs data in both windows",
        )
    readings, models, reference = training_window_drift(conn)
    note = "" if models else reference
    since = f"in the last {recent_days} days vs the {reference_days} before"
    for reading in data_drift(conn, reference_days=reference_days, recent_days=recent_days):
        readings.append(reading.model_copy(update={"since": since}))
    return DriftReport(
        report_id=new_report_id(),
        computed_at=computed_at,
        as_of=data_time(conn) if models else end,
        reference=reference if models else f"activity {since}",
        models=models,
        readings=readings,
        note=note,
        seconds=round(time.perf_counter() - started, 3),
    )
