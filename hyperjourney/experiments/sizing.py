"""Opportunity sizing from the tenant's own data: the segment's baseline for an outcome over a horizon, the value
of one success from the scoring models, a lift prior from past journeys and experiments, and the holdout a
power calculation asks for.

Expected value = treated customers × baseline × lift × value, each factor with an interval; the value interval's
ends multiply the other factors' matching ends (low × low × low, high × high × high), so it is wide on purpose.
The lift prior shrinks the tenant's observed relative lifts toward ``DEFAULT_LIFT`` (weight of
``PRIOR_WEIGHT`` observations): with no history it is the default, with many it is the tenant's own.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from statistics import NormalDist
from typing import Any, Literal

import psycopg
from psycopg import sql
from pydantic import BaseModel, Field

from hyperjourney.db.database import Database
from hyperjourney.experiments.readout import readout
from hyperjourney.experiments.stats import sample_size_per_arm
from hyperjourney.features.store import data_time
from hyperjourney.scoring.schema import SegmentQuery
from hyperjourney.scoring.segments import member_filter

Outcome = Literal["conversion", "retention", "upgrade", "engagement", "ltv"]

# The documented default when the tenant has no readouts: a CRM journey lifts its goal by about 5% (relative),
# give or take 5 points; it counts as this many observed experiments when it is blended with the tenant's own.
DEFAULT_LIFT, DEFAULT_LIFT_SD, PRIOR_WEIGHT = 0.05, 0.05, 3.0
_NORMAL = NormalDist()  # the standard normal (statistics', not scipy's: the canvas imports this)
INTERVAL = 0.9  # every interval here is a central 90% interval
ALPHA, POWER = 0.05, 0.8
MIN_HOLDOUT, MAX_HOLDOUT = 0.05, 0.5
MIN_ARM = 20  # a journey readout counts toward the prior only with this many customers in each arm
_PURCHASE_EVENTS = ["upgrade"]
_UPGRADE_EVENTS = ["upgrade", "seat_added"]


class Interval(BaseModel):
    """A point estimate with its central interval (``INTERVAL``)."""

    value: float
    low: float
    high: float


class Baseline(BaseModel):
    outcome: Outcome
    horizon_days: int
    as_of: datetime = Field(description="The end of the window: the moment the tenant's data reaches")
    customers: int = Field(description="Members in the rate's denominator (retention: those active the window before)")
    successes: int
    rate: Interval = Field(description="Share of the denominator with the outcome in the window (Wilson interval)")
    definition: str


class SegmentValue(BaseModel):
    score: str = Field(description="The scoring model's score averaged over the members (clv_<days>d or clv)")
    scored: int
    per_customer: Interval = Field(description="Mean predicted value per member in USD (normal interval)")


class LiftPrior(BaseModel):
    lift: Interval = Field(description="Relative lift of the outcome, shrunk toward the default")
    observed: list[float] = Field(description="Relative lifts read from the tenant's journeys and experiments")
    sources: list[str]
    default: float = DEFAULT_LIFT


class HoldoutPlan(BaseModel):
    share: float
    holdout: int
    treated: int
    power: float = Field(description="Chance the planned test detects the prior's mean lift (two-sided, α 0.05)")
    needed_per_arm: int = Field(description="Customers per arm for 80% power at equal split")
    detectable_lift: float | None = Field(description="Smallest relative lift detectable at 80% power, this split")


class SizingEvidence(BaseModel):
    """What the Analyst sizes from: every number here comes from the tenant's tables."""

    size: int
    baseline: Baseline
    value: SegmentValue
    prior: LiftPrior
    holdout: HoldoutPlan
    expected_value_usd: Interval


def _z() -> float:
    return float(_NORMAL.inv_cdf(0.5 + INTERVAL / 2))


def wilson(successes: int, n: int) -> Interval:
    """A proportion with its Wilson score interval (sane at 0 and n successes and for small n)."""
    if n == 0:
        return Interval(value=0.0, low=0.0, high=1.0)
    z, p = _z(), successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Interval(value=p, low=max(0.0, centre - half), high=min(1.0, centre + half))


_ACTIVE = (
    "(EXISTS (SELECT 1 FROM events e WHERE e.customer_id = m.customer_id AND e.ts >= {lo} AND e.ts < {hi}) "
    "OR EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = m.customer_id AND o.ordered_at >= {lo} "
    "AND o.ordered_at < {hi}))"
)
_BOUGHT = (
    "(EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = m.customer_id AND o.status <> 'cancelled' "
    "AND o.ordered_at >= {start} AND o.ordered_at < {as_of}) "
    "OR EXISTS (SELECT 1 FROM events e WHERE e.customer_id = m.customer_id AND e.type = ANY({purchase}) "
    "AND e.ts >= {start} AND e.ts < {as_of}))"
)
_UPGRADED = (
    "EXISTS (SELECT 1 FROM events e WHERE e.customer_id = m.customer_id AND e.type = ANY({upgrade}) "
    "AND e.ts >= {start} AND e.ts < {as_of})"
)
_ACTIVE_NOW = _ACTIVE.format(lo="{start}", hi="{as_of}")
_ACTIVE_BEFORE = _ACTIVE.format(lo="{before}", hi="{start}")
# outcome -> (denominator condition, success condition, definition in words)
_OUTCOMES: dict[str, tuple[str, str, str]] = {
    "conversion": ("true", _BOUGHT, "members with a (not cancelled) order or a paid upgrade in the window"),
    "ltv": ("true", _BOUGHT, "members who bought (order or paid upgrade) in the window; value is their CLV"),
    "upgrade": ("true", _UPGRADED, "members with an upgrade or an added seat in the window"),
    "engagement": ("true", _ACTIVE_NOW, "members with any event or order in the window"),
    "retention": (_ACTIVE_BEFORE, _ACTIVE_NOW, "members active the window before who are active again in it"),
}


def baseline(
    conn: psycopg.Connection[Any], query: SegmentQuery, outcome: Outcome, horizon_days: int
) -> tuple[int, Baseline]:
    """(segment size, the outcome's rate over the last ``horizon_days`` before the data's end)."""
    where, params = member_filter(query)
    denominator, success, words = _OUTCOMES[outcome]
    as_of = data_time(conn)
    start = as_of - timedelta(days=horizon_days)
    bounds = {
        "as_of": sql.Literal(as_of), "start": sql.Literal(start),
        "before": sql.Literal(start - timedelta(days=horizon_days)),
        "purchase": sql.Literal(_PURCHASE_EVENTS), "upgrade": sql.Literal(_UPGRADE_EVENTS),
    }  # fmt: skip
    stmt = sql.SQL(
        "WITH m AS (SELECT f.customer_id FROM customer_features f WHERE {where}), "
        "d AS (SELECT m.customer_id, {success} AS hit FROM m WHERE {denominator}) "
        "SELECT (SELECT count(*) FROM m), count(*), count(*) FILTER (WHERE hit) FROM d"
    ).format(where=where, success=sql.SQL(success).format(**bounds), denominator=sql.SQL(denominator).format(**bounds))
    row = conn.execute(stmt, params).fetchone()
    assert row is not None
    size, n, k = int(row[0]), int(row[1]), int(row[2])
    return size, Baseline(
        outcome=outcome, horizon_days=horizon_days, as_of=as_of, customers=n, successes=k, rate=wilson(k, n),
        definition=f"{words}; window {start:%Y-%m-%d} to {as_of:%Y-%m-%d}",
    )  # fmt: skip


def segment_value(conn: psycopg.Connection[Any], query: SegmentQuery, horizon_days: int) -> SegmentValue:
    """The members' mean predicted value over the horizon (``clv_<days>d``), else their lifetime value (``clv``)."""
    where, params = member_filter(query)
    names = [f"clv_{horizon_days}d", "clv"]
    present = {r[0] for r in conn.execute("SELECT DISTINCT name FROM customer_scores WHERE name = ANY(%s)", [names])}
    score = next((n for n in names if n in present), "clv")
    row = conn.execute(
        sql.SQL(
            "SELECT count(s.value), avg(s.value), stddev_samp(s.value) FROM customer_features f "
            "JOIN customer_scores s ON s.customer_id = f.customer_id AND s.name = %s WHERE {}"
        ).format(where),
        [score, *params],
    ).fetchone()
    assert row is not None
    n, mean, sd = int(row[0]), float(row[1] or 0.0), float(row[2] or 0.0)
    half = _z() * sd / math.sqrt(n) if n else 0.0
    return SegmentValue(
        score=score, scored=n, per_customer=Interval(value=mean, low=max(0.0, mean - half), high=mean + half)
    )


def observed_lifts(db: Database, tenant: str) -> tuple[list[float], list[str]]:
    """Relative lifts of the tenant's past tests: journeys (treated vs holdout readout) and experiments with a
    control arm (the other arms pooled vs control)."""
    with db.tenant(tenant) as conn:
        journeys = [r[0] for r in conn.execute(
            "SELECT journey_id FROM journey_enrollments GROUP BY journey_id "
            "HAVING count(*) FILTER (WHERE arm = 'treatment') >= %(n)s AND count(*) FILTER (WHERE arm = 'holdout') "
            ">= %(n)s ORDER BY journey_id", {"n": MIN_ARM},
        )]  # fmt: skip
        arms = conn.execute(
            "SELECT experiment_id, arm IN ('control', 'holdout'), sum(trials), sum(successes) FROM arm_stats "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
    lifts, sources = [], []
    for journey_id in journeys:
        rel = readout(db, tenant, journey_id).conversion.rel_lift
        if rel is not None:
            lifts.append(rel)
            sources.append(f"journey {journey_id}: {rel:+.1%}")
    by_experiment: dict[str, dict[bool, tuple[int, int]]] = {}
    for experiment, is_control, trials, successes in arms:
        by_experiment.setdefault(experiment, {})[bool(is_control)] = (int(trials), int(successes))
    for experiment, split in by_experiment.items():
        (ct, cs), (tt, ts) = split.get(True, (0, 0)), split.get(False, (0, 0))
        if min(ct, tt) >= MIN_ARM and cs > 0:
            rel = (ts / tt) / (cs / ct) - 1
            lifts.append(rel)
            sources.append(f"experiment {experiment}: {rel:+.1%}")
    return lifts, sources


def lift_prior(lifts: list[float], sources: list[str]) -> LiftPrior:
    """The observed lifts shrunk toward the default: a mean and spread weighted as PRIOR_WEIGHT observations of
    the default against one per observed test, so one lucky test does not set the plan."""
    n = len(lifts)
    mean = (PRIOR_WEIGHT * DEFAULT_LIFT + sum(lifts)) / (PRIOR_WEIGHT + n)
    # the spread of the pooled "observations" around the blended mean: the default's own spread and distance, and
    # each observed test's distance
    spread = PRIOR_WEIGHT * (DEFAULT_LIFT_SD**2 + (DEFAULT_LIFT - mean) ** 2) + sum((x - mean) ** 2 for x in lifts)
    sd = math.sqrt(spread / (PRIOR_WEIGHT + n))
    half = _z() * sd
    return LiftPrior(lift=Interval(value=mean, low=mean - half, high=mean + half), observed=lifts, sources=sources)


def power(rate: float, rel_lift: float, size: int, share: float) -> float:
    """Two-sided power of a test of ``rel_lift`` over ``rate`` with ``share`` of ``size`` held out."""
    treated_rate = min(max(rate * (1 + rel_lift), 0.0), 1.0)
    n_hold, n_treat = size * share, size * (1 - share)
    if n_hold < 1 or n_treat < 1:
        return 0.0
    se = math.sqrt(rate * (1 - rate) / n_hold + treated_rate * (1 - treated_rate) / n_treat)
    if se == 0:
        return 0.0
    return float(_NORMAL.cdf(abs(treated_rate - rate) / se - _NORMAL.inv_cdf(1 - ALPHA / 2)))


def plan_holdout(rate: float, rel_lift: float, size: int) -> HoldoutPlan:
    """The smallest holdout share (5% steps, 5–50%) with 80% power at the prior's mean lift; when no share gets
    there the customary 20%, with the smallest lift that split can detect stated instead."""
    grid = [round(MIN_HOLDOUT + 0.05 * i, 2) for i in range(int((MAX_HOLDOUT - MIN_HOLDOUT) / 0.05) + 1)]
    share = next((s for s in grid if power(rate, rel_lift, size, s) >= POWER), 0.2)
    holdout = round(size * share)
    z = float(_NORMAL.inv_cdf(1 - ALPHA / 2) + _NORMAL.inv_cdf(POWER))
    detectable = (
        z * math.sqrt(rate * (1 - rate) * (1 / holdout + 1 / (size - holdout))) / rate
        if 0 < rate < 1 and 0 < holdout < size
        else None
    )
    return HoldoutPlan(
        share=share, holdout=holdout, treated=size - holdout, power=power(rate, rel_lift, size, share),
        needed_per_arm=sample_size_per_arm(rate, rate * rel_lift) if 0 < rate < 1 else 10**9,
        detectable_lift=detectable,
    )  # fmt: skip


def expected_value(treated: int, rate: Interval, lift: Interval, value: Interval) -> Interval:
    """treated × rate × lift × value; the interval is the lowest and highest product of the factors' ends."""
    corners = [treated * r * li * v for r in (rate.low, rate.high) for li in (lift.low, lift.high)
               for v in (value.low, value.high)]  # fmt: skip
    return Interval(
        value=round(treated * rate.value * lift.value * value.value, 2),
        low=round(min(corners), 2), high=round(max(corners), 2),
    )  # fmt: skip


def size_segment(db: Database, tenant: str, query: SegmentQuery, outcome: Outcome, horizon_days: int) -> SizingEvidence:
    """The whole sizing from the tenant's data (read-only)."""
    with db.tenant(tenant) as conn:
        size, base = baseline(conn, query, outcome, horizon_days)
        value = segment_value(conn, query, horizon_days)
    prior = lift_prior(*observed_lifts(db, tenant))
    holdout = plan_holdout(base.rate.value, prior.lift.value, size)
    return SizingEvidence(
        size=size, baseline=base, value=value, prior=prior, holdout=holdout,
        expected_value_usd=expected_value(holdout.treated, base.rate, prior.lift, value.per_customer),
    )  # fmt: skip
