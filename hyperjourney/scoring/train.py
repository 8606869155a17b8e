"""Train every customer model the tenant's data supports on point-in-time examples; judge each on a later window.

A preflight (`preflight.py`, counts only) decides first which models the data can support; the rest are
skipped with the reason and the data that would enable them, and a model whose fit still finds too little
is skipped the same way, so one run trains what it can and says why not for the others.
Windows: the test cutoff is 60 days before the data ends (so its 60-day value outcomes are complete);
training cutoffs are 60, 90, 120 and 150 days before that, so no training outcome overlaps the test window,
except those that would fall less than 30 days after the tenant's first record (`cutoffs`).
Next category learns from orders, which are rarer than customers, so it also reads cutoffs every 15 days
from 60 to 360 days before the test cutoff.
CLV is also projected to the configured horizons and a discounted lifetime value (`horizons.py`,
settings `HYPERJOURNEY_SCORING__…`); the projection is fitted here and stored in the CLV artifact.
Each model is compared with a simple baseline in the same report; the versions trained are stored in one
transaction and activated together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from pydantic import BaseModel

from hyperjourney.db.database import Database
from hyperjourney.features.definitions import feature_versions
from hyperjourney.features.store import data_time
from hyperjourney.features.training import HORIZON, VALUE_HORIZON, Example, training_set
from hyperjourney.scoring import category, clv_choice, horizons, metrics, preflight, registry, sendtime
from hyperjourney.scoring.linear import LinearClassifier, LogSpendRegressor
from hyperjourney.scoring.preflight import MIN_EXAMPLES, MIN_POSITIVES, DataProfile
from hyperjourney.scoring.purchase_choice import Choice as PurchaseChoice
from hyperjourney.scoring.purchase_choice import decide as choose_purchase
from hyperjourney.scoring.schema import InsufficientDataError
from hyperjourney.scoring.text import train_text_models
from hyperjourney.scoring.vectorize import Vectorizer
from hyperjourney.settings import ScoringSettings, get_settings

# The artifact layout each model's scoring code reads; a stored version of another kind must be retrained.
KINDS = {
    "purchase_propensity": "logistic",
    "churn_risk": "logistic",
    "upgrade_fit": "logistic",
    "clv": "hurdle_lognormal",
    "next_category": "taste_sequence_logit",
    "best_send_hour": "histogram_shrinkage",
    "ticket_intent": "tfidf_logistic",
    "ticket_sentiment": "tfidf_logistic",
}
TEXT_MODELS = ("ticket_intent", "ticket_sentiment")
TRAIN_OFFSETS_DAYS = (60, 90, 120, 150)
NEXT_CATEGORY_OFFSETS_DAYS = tuple(range(60, 361, 15))
MIN_HISTORY = timedelta(days=30)  # of data before a training cutoff, so its features describe someone
# what a fit may raise on data it cannot learn from: reported as a skip, never a traceback
FIT_ERRORS = (InsufficientDataError, ValueError, FloatingPointError, np.linalg.LinAlgError)


@dataclass(frozen=True)
class Task:
    """A binary outcome: who is in the population, what counts as positive, and the rule it must beat."""

    population: Callable[[Example], bool]
    label: Callable[[Example], bool]
    rule: Callable[[dict[str, Any]], float]
    rule_name: str
    description: str


def _recency(f: dict[str, Any]) -> float:
    return float(f["recency_days"]) if f["recency_days"] is not None else 10_000.0


def _since_order(f: dict[str, Any]) -> float:
    return float(f["days_since_last_order"]) if f["days_since_last_order"] is not None else 10_000.0


def _rfm_rule(f: dict[str, Any]) -> float:
    """Classic RFM ranking: recent, frequent, big spenders first; non-buyers by how recently they were active."""
    if f["rfm_r"] is None:
        return -_recency(f) / 1000.0
    return float(f["rfm_r"] * 100 + f["rfm_f"] * 10 + f["rfm_m"])


CLASSIFIERS: dict[str, Task] = {
    "purchase_propensity": Task(
        population=lambda e: True,
        label=lambda e: e.outcome.purchased,
        rule=_rfm_rule,
        rule_name="RFM rule (R, then F, then M; non-buyers by recency)",
        description="P(order or paid conversion in the next 30 days)",
    ),
    "churn_risk": Task(
        population=lambda e: e.features["recency_days"] is not None and e.features["recency_days"] <= 60,
        label=lambda e: e.outcome.cancelled or not e.outcome.active,
        rule=_recency,
        rule_name="recency rule (longest since last action first)",
        description="P(cancellation, or no order or action of their own in the next 30 days | active in the last 60)",
    ),
    "upgrade_fit": Task(
        population=lambda e: True,
        label=lambda e: e.outcome.expanded,
        rule=lambda f: float(f["events_30d"]),
        rule_name="engagement rule (most actions in 30 days first)",
        description="P(upgrade, seats, contract, demo/trial, or a first order in a new category in 30 days)",
    ),
}


def churn_task(p: DataProfile, horizon_days: int | None = None) -> Task:
    """Churn per business model: a subscription lapses or is cancelled; a shopper stops buying.

    ``horizon_days`` overrides the learned non-contractual horizon (a backtest judges its own horizon).
    """
    if p.business_model == "subscription":
        return CLASSIFIERS["churn_risk"]
    h = horizon_days or p.churn_horizon_days

    def lapsed(e: Example) -> bool:
        return e.outcome.next_order_days is None or e.outcome.next_order_days > h

    return Task(
        population=lambda e: (
            e.features["days_since_last_order"] is not None and e.features["days_since_last_order"] <= 365
        ),
        label=lapsed,
        rule=_since_order,
        rule_name="recency rule (longest since last order first)",
        description=f"P(no order in the next {h} days | ordered in the last year); "
        + (
            "the backtest's horizon"
            if horizon_days
            else f"{h} days is the 75th percentile of the tenant's inter-purchase times"
        ),
    )


class Skipped(BaseModel):
    reason: str
    needs: str | None = None


class TrainReport(BaseModel):
    tenant: str
    versions: dict[str, str]
    metrics: dict[str, dict[str, Any]]
    window: dict[str, Any]
    examples: int
    seconds: float
    skipped: dict[str, Skipped] = {}
    business_model: str | None = None


def cutoffs(
    end: datetime, offsets: tuple[int, ...] = TRAIN_OFFSETS_DAYS, first: datetime | None = None
) -> tuple[list[datetime], datetime]:
    """Training cutoffs and the test cutoff, placed inside the data: none before ``first`` + MIN_HISTORY.

    A cutoff before the tenant's first record would train on customers who did not exist yet (and on
    segment levels never seen later), so a short history gets fewer cutoffs rather than empty ones.
    """
    test = end - VALUE_HORIZON
    cuts = [test - timedelta(days=d) for d in offsets]
    if first is not None:
        cuts = [c for c in cuts if c >= first + MIN_HISTORY]
    return cuts, test


def train_all(
    db: Database,
    tenant: str,
    *,
    end: datetime | None = None,
    only: str | None = None,
    progress: Callable[[str], None] | None = None,
    scoring: ScoringSettings | None = None,
    clv_model: clv_choice.Choice | None = None,
    purchase_model: PurchaseChoice | None = None,
) -> TrainReport:
    """Train what the data supports (or just ``only``), store and activate it; report the rest as skipped.

    ``scoring`` (default: the settings) names the CLV horizons and the lifetime value's discount rate;
    ``clv_model`` forces the CLV model instead of choosing the better of hurdle and BG/NBD+GG by backtest,
    ``purchase_model`` the purchase model instead of choosing the better of the classifier and BG/NBD.
    """
    scoring = scoring or get_settings().scoring
    if only is not None and only not in KINDS:
        raise ValueError(f"unknown model {only!r}; models: {', '.join(KINDS)}")
    started = time.perf_counter()
    say = progress or (lambda _: None)
    with db.tenant(tenant) as conn:
        end = end or data_time(conn)
        say("checking what the data supports")
        prof = preflight.profile(conn, end)
        ready = preflight.check(prof)
        targets = [n for n in KINDS if only is None or n == only]
        skipped = {n: Skipped(reason=ready[n].reason, needs=ready[n].needs) for n in targets if not ready[n].ready}
        todo = [n for n in targets if ready[n].ready]
        train_cuts, test_cut = cutoffs(end, first=prof.first)
        category_cuts, _ = cutoffs(end, NEXT_CATEGORY_OFFSETS_DAYS, first=prof.first)
        window: dict[str, Any] = {
            "train_cutoffs": [c.isoformat() for c in train_cuts],
            "test_cutoff": test_cut.isoformat(),
            "data_end": end.isoformat(),
            "horizon_days": HORIZON.days,
            "value_horizon_days": VALUE_HORIZON.days,
            "business_model": prof.business_model,
            "churn_horizon_days": prof.churn_horizon_days,
        }
        fitted: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {}
        customer_models = [n for n in todo if n not in TEXT_MODELS]
        train: list[Example] = []
        if customer_models:
            by_cut: dict[datetime, list[Example]] = {}
            cuts = {*train_cuts, *(category_cuts if "next_category" in customer_models else ())}
            for cut in sorted(cuts, reverse=True):
                say(f"features as of {cut:%Y-%m-%d}")
                by_cut[cut] = training_set(conn, cut)
            train = [e for cut in train_cuts for e in by_cut[cut]]
            say(f"held-out window from {test_cut:%Y-%m-%d}")
            test = training_set(conn, test_cut)
            window |= {"train_examples": len(train), "test_examples": len(test)}
            if len(train) < MIN_EXAMPLES or len(test) < MIN_EXAMPLES // 4:
                reason = (
                    f"too little history to train: {len(train)} training examples over {len(train_cuts)} cutoffs "
                    f"and {len(test)} held-out (need {MIN_EXAMPLES} and {MIN_EXAMPLES // 4})"
                )
                needs = f"about 8 months of customers and activity before {end:%Y-%m-%d}"
                skipped |= {n: Skipped(reason=reason, needs=needs) for n in customer_models}
                customer_models = []
            else:
                vec = Vectorizer.fit([e.features for e in train])
                category_train = [e for cut in category_cuts for e in by_cut.get(cut, [])]
                window["next_category_cutoffs"] = [c.isoformat() for c in category_cuts]
            for name in customer_models:
                say(f"training {name}")
                try:
                    if name == "purchase_propensity":
                        result = fit_classifier(name, CLASSIFIERS[name], vec, train, test, HORIZON.days, purchase_model)
                    elif name in CLASSIFIERS:
                        task = churn_task(prof) if name == "churn_risk" else CLASSIFIERS[name]
                        result = fit_classifier(name, task, vec, train, test)
                    elif name == "clv":
                        result = fit_clv(vec, train, test, scoring=scoring, force=clv_model)
                    elif name == "next_category":
                        result = _fit_next_category(category_train, test)
                    else:
                        result = _fit_send_hour(train, test)
                except FIT_ERRORS as exc:
                    skipped[name] = Skipped(reason=str(exc), needs=ready[name].needs)
                    continue
                fitted[name] = (KINDS[name], *result)
        if any(n in todo for n in TEXT_MODELS):
            say("training ticket text classifiers")
            try:
                for name, (artifact, quality) in train_text_models(conn).items():
                    if name in todo:
                        fitted[name] = (KINDS[name], artifact, quality)
            except FIT_ERRORS as exc:
                skipped |= {n: Skipped(reason=str(exc), needs=ready[n].needs) for n in TEXT_MODELS if n in todo}
            if "ticket_intent" in fitted and "ticket_sentiment" in todo and "ticket_sentiment" not in fitted:
                why = fitted["ticket_intent"][2].get("sentiment_skipped", "no sentiment labels")
                skipped["ticket_sentiment"] = Skipped(reason=why, needs=ready["ticket_sentiment"].needs)
        versions: dict[str, str] = {}
        for name, (kind, artifact, quality) in fitted.items():
            v = registry.save(
                conn,
                name=name,
                kind=kind,
                artifact=artifact,
                metrics=quality,
                training_window=window,
                feature_versions=feature_versions(),
                activate=bool(quality.get("activate", True)),
            )
            versions[name] = f"{name}@v{v}"
    return TrainReport(
        tenant=tenant,
        versions=versions,
        metrics={n: q for n, (_, _, q) in fitted.items()},
        window=window,
        examples=len(train),
        seconds=round(time.perf_counter() - started, 2),
        skipped=skipped,
        business_model=prof.business_model,
    )


def train_ticket_models(db: Database, tenant: str) -> TrainReport:
    """Train the ticket classifiers alone: they need labelled tickets only, no customer history.

    Each version is stored; it becomes active only when it beats the active one and the baseline on held-out
    tickets (``metrics[name]["activate"]``).
    """
    started = time.perf_counter()
    with db.tenant(tenant) as conn:
        fitted = train_text_models(conn)
        versions: dict[str, str] = {}
        for name, (artifact, quality) in fitted.items():
            v = registry.save(
                conn,
                name=name,
                kind=KINDS[name],
                artifact=artifact,
                metrics=quality,
                training_window={"train_examples": quality["train_n"], "test_examples": quality["n"]},
                feature_versions={},
                activate=bool(quality["activate"]),
            )
            versions[name] = f"{name}@v{v}"
    return TrainReport(
        tenant=tenant,
        versions=versions,
        metrics={n: q for n, (_, q) in fitted.items()},
        window={},
        examples=fitted["ticket_intent"][1]["train_n"] + fitted["ticket_intent"][1]["n"],
        seconds=round(time.perf_counter() - started, 2),
    )


def _check(name: str, y: np.ndarray, where: str) -> None:
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if min(pos, neg) < MIN_POSITIVES:
        raise InsufficientDataError(
            f"too little data to train {name}: {pos} positive and {neg} negative {where} examples "
            f"(need at least {MIN_POSITIVES} of each)"
        )


def fit_classifier(
    name: str,
    task: Task,
    vec: Vectorizer,
    train: list[Example],
    test: list[Example],
    bgnbd_horizon_days: int | None = None,
    force: PurchaseChoice | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit and judge a classifier; with ``bgnbd_horizon_days`` (purchase propensity), also judge BG/NBD's
    P(purchase in that horizon) against it on the held-out buyers and record the choice (`purchase_choice`)."""
    tr = [e for e in train if task.population(e)]
    te = [e for e in test if task.population(e)]
    y = np.array([task.label(e) for e in tr], dtype=float)
    y_test = np.array([task.label(e) for e in te], dtype=float)
    _check(name, y, "training")
    _check(name, y_test, "held-out")
    model = LinearClassifier.fit(vec.transform([e.features for e in tr]), y)
    p = model.predict(vec.transform([e.features for e in te]))
    rule = np.array([task.rule(e.features) for e in te])
    quality = metrics.classifier_report(y_test, p, rule, float(y.mean()))
    quality |= {"baseline": task.rule_name, "description": task.description}
    artifact = {"vectorizer": vec.levels, "model": model.to_json(), "auc": quality["auc"]}
    if bgnbd_horizon_days is not None:
        rows = [e.features for e in te]
        chosen, judged, served = choose_purchase(rows, y_test, p, bgnbd_horizon_days, force, FIT_ERRORS)
        artifact |= chosen
        quality |= judged
        if judged["chosen"] == "bgnbd":  # the version's headline figures are those of the scores it serves
            quality |= metrics.classifier_report(y_test, served, rule, float(y.mean()))
            artifact["auc"] = quality["auc"]
    return artifact, quality


def fit_clv(
    vec: Vectorizer,
    train: list[Example],
    test: list[Example],
    horizon: timedelta = VALUE_HORIZON,
    scoring: ScoringSettings | None = None,
    force: clv_choice.Choice | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The hurdle model of spend in ``horizon``; with ``scoring``, also its projection to the configured horizons.

    A tenant without training windows one period apart gets no projection, said in the metrics. BG/NBD+GG is
    fitted and judged against the hurdle model on the held-out window's buyers; the lower RMSE is ``chosen``
    for them (or ``force``, see `clv_choice`), and customers without an order keep the hurdle value.
    """
    x = vec.transform([e.features for e in train])
    spend = np.array([e.outcome.spend for e in train])
    _check("clv", (spend > 0).astype(float), "training")
    buy = LinearClassifier.fit(x, (spend > 0).astype(float))
    amount = LogSpendRegressor.fit(x[spend > 0], spend[spend > 0])
    x_test = vec.transform([e.features for e in test])
    actual = np.array([e.outcome.spend for e in test])
    p_buy = buy.predict(x_test)
    predicted = p_buy * amount.predict(x_test)
    median = amount.hurdle_median(x_test, p_buy)
    days = horizon.days
    baseline = np.array([e.features["monetary_365d"] * days / 365 for e in test])
    quality = metrics.regression_report(actual, predicted, median, baseline)
    quality |= {
        "horizon_days": days,
        "baseline": f"RFM run rate (last year's spend x {days}/365)",
        "description": f"order value in the next {days} days = P(buy) x spend | buy (hurdle model, log-normal spend): "
        "RMSE scores the expected value, MAE the median",
    }
    artifact = {
        "vectorizer": vec.levels,
        "buy": buy.to_json(),
        "spend": amount.to_json(),
        "horizon_days": days,
        "auc": quality["auc_buyer"],
    }
    if scoring is not None:
        proj = horizons.fit(
            train,
            buy.predict(x),
            horizon,
            scoring.clv_horizons_days,
            scoring.annual_discount_rate,
            scoring.lifetime_years,
        )
        if proj is None:
            quality["horizons"] = f"not projected: no training cutoffs {days} days apart to fit how buying carries over"
        else:
            artifact["projection"] = proj.model_dump()
            quality["horizons"] = proj.model_dump()
    _choose_clv(test, actual, predicted, quality, artifact, days, scoring or get_settings().scoring, force)
    return artifact, quality


def _choose_clv(
    test: list[Example],
    actual: np.ndarray,
    hurdle: np.ndarray,
    quality: dict[str, Any],
    artifact: dict[str, Any],
    days: int,
    scoring: ScoringSettings,
    force: clv_choice.Choice | None,
) -> None:
    """Fit BG/NBD+GG on the test cutoff's history, judge both on the window's buyers, record the choice.

    Customers without an order keep the hurdle value either way, so ``chosen_holdout`` (every customer) is
    the hurdle's on them and the chosen model's on the buyers."""
    rows = [e.features for e in test]
    data, buyer = clv_choice.summary(rows)
    bgnbd: np.ndarray | None = None
    try:
        value = clv_choice.fit(
            rows, days, scoring.clv_horizons_days, scoring.annual_discount_rate, scoring.lifetime_years
        )
        bgnbd = clv_choice.values_of(value, data, buyer)["clv"]
        if not np.isfinite(bgnbd).all():
            raise FloatingPointError("BG/NBD+GG forecast is not finite on the held-out customers")
        artifact["bgnbd_gg"] = value.model_dump()
    except FIT_ERRORS as exc:
        bgnbd = None
        quality["bgnbd_gg_skipped"] = str(exc)
    if force == "bgnbd_gg" and bgnbd is None:
        raise ValueError(f"clv_model: BG/NBD+GG was forced but could not be fitted ({quality['bgnbd_gg_skipped']})")
    judged = clv_choice.judge(actual, hurdle, bgnbd, buyer)
    chosen = clv_choice.choose(judged, force)
    final = np.where(buyer, bgnbd, hurdle) if chosen == "bgnbd_gg" and bgnbd is not None else hurdle
    artifact["chosen"] = chosen
    quality |= {
        "chosen": chosen,
        "choice_holdout": judged.model_dump(),
        "chosen_holdout": {"rmse": metrics.rmse(actual, final), "mae": metrics.mae(actual, final), "n": len(actual)},
        "choice": clv_choice.why(chosen, judged, forced=force is not None),
    }


def _fit_next_category(train: list[Example], test: list[Example]) -> tuple[dict[str, Any], dict[str, Any]]:
    tr = [e for e in train if e.outcome.next_category]
    te = [e for e in test if e.outcome.next_category]
    if len(tr) < MIN_POSITIVES * 2 or not te:
        raise InsufficientDataError(
            f"too little data to train next_category: {len(tr)} training and {len(te)} held-out orders after a cutoff "
            f"(need {MIN_POSITIVES * 2} and 1)"
        )
    model, penalty = category.NextCategoryModel.fit_selected(
        [e.features for e in tr], [str(e.outcome.next_category) for e in tr], [e.cutoff for e in tr], VALUE_HORIZON
    )
    quality = category.evaluate(model, [e.features for e in te], [str(e.outcome.next_category) for e in te])
    quality |= {
        "baseline": "accuracy: the customer's top-affinity category (else the most popular); log loss: the base rate",
        "description": "category of the next order in 60 days (taste shrunk to the population's mix, adjusted by "
        "complements of the last order, the declared interest and recent product views)",
        "criterion": "accuracy above the top-affinity rule and log loss below the base rate",
        "tested": ["accuracy", "log_loss"],
        "penalty": penalty,
    }
    return model.to_json() | {"auc": quality["accuracy"]}, quality


def _fit_send_hour(train: list[Example], test: list[Example]) -> tuple[dict[str, Any], dict[str, Any]]:
    latest = max(e.cutoff for e in train)
    priors = sendtime.fit_priors(e.features for e in train if e.cutoff == latest)
    te = [e for e in test if e.outcome.hours]
    if not te:
        raise InsufficientDataError("too little data to fit best_send_hour: no timed actions in the held-out window")
    predicted = [sendtime.best_hour(e.features, priors)[0] for e in te]
    mode = int(np.argmax(priors["*"]))
    own = [int(np.argmax(sendtime.histogram(e.features.get("active_hours")))) for e in te]
    actual = [e.outcome.hours for e in te]
    quality: dict[str, Any] = {
        "n": len(te),
        "hit_rate": sendtime.hit_rate(predicted, actual),
        "baseline_hit_rate": sendtime.hit_rate([mode] * len(te), actual),
        "no_shrinkage_hit_rate": sendtime.hit_rate(own, actual),
        "baseline": f"one hour for everyone (the tenant's busiest, {mode}:00)",
        "description": "local hour whose ±1h window holds the most activity (histogram shrunk to the business prior)",
    }
    quality["beats_baseline"] = bool(quality["hit_rate"] > quality["baseline_hit_rate"])
    return {"priors": priors, "alpha": sendtime.ALPHA, "auc": quality["hit_rate"]}, quality
