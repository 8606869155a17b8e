"""The Analyst's readout of a journey: goal conversion and revenue versus the holdout with confidence
intervals, per segment, guardrail metrics, per-variant results, a plain-language summary and the next test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field

from hyperjourney.db.database import Database
from hyperjourney.experiments.stats import Lift, lift, sample_size_per_arm
from hyperjourney.journeys import store
from hyperjourney.monitoring.store import latest_drift

SEGMENT_COLUMNS = ("region", "lifecycle_stage", "industry", "country", "language", "age_band")

# One row per enrollment: did the goal happen in the window (same entity when the goal says so), revenue,
# unsubscribes/complaints in the window, and how many sends it got.
OUTCOME_SQL = """
SELECT en.enrollment_id, en.arm, coalesce(c.{segment}, 'unknown') AS segment,
       g.converted, coalesce(g.revenue, 0), u.unsubscribed, u.complained, coalesce(s.sends, 0)
FROM journey_enrollments en
JOIN customers c ON c.customer_id = en.customer_id
CROSS JOIN LATERAL (
    SELECT count(*) > 0 AS converted, sum(coalesce((e.properties->>'revenue')::float8, 0)) AS revenue
    FROM events e WHERE e.customer_id = en.customer_id AND e.type = %(goal)s
      AND e.ts >= en.started_at AND e.ts <= en.started_at + %(window)s
      AND (%(match_on)s::text IS NULL OR e.properties->>%(match_on)s = en.entity_key)
) g
CROSS JOIN LATERAL (
    SELECT bool_or(e.type = 'unsubscribe') IS TRUE AS unsubscribed, bool_or(e.type = 'complaint') IS TRUE AS complained
    FROM events e WHERE e.customer_id = en.customer_id AND e.type IN ('unsubscribe', 'complaint')
      AND e.ts >= en.started_at AND e.ts <= en.started_at + %(window)s
) u
LEFT JOIN (SELECT enrollment_id, count(*) AS sends FROM outbox WHERE status = 'delivered' GROUP BY 1) s
       ON s.enrollment_id = en.enrollment_id
WHERE en.journey_id = %(journey)s AND en.started_at <= %(until)s
"""

VARIANT_SQL = """
SELECT o.rationale->>'step', o.variant, count(DISTINCT o.action_id),
       count(DISTINCT a.action_id) FILTER (WHERE a.outcome IN ('click', 'conversion'))
FROM outbox o LEFT JOIN attributions a ON a.action_id = o.action_id
WHERE o.journey_id = %s AND o.status = 'delivered' GROUP BY 1, 2 ORDER BY 1, 2
"""


class SegmentLift(BaseModel):
    segment: str
    conversion: Lift


class Guardrail(BaseModel):
    name: str
    treated: float
    control: float | None
    limit: float
    ok: bool


class VariantResult(BaseModel):
    step: str
    variant: str
    sends: int
    responses: int
    rate: float


class Readout(BaseModel):
    journey_id: str
    enrolled: int
    holdout: int
    conversion: Lift
    revenue_per_customer: tuple[float, float] = Field(description="(treated, holdout)")
    segments: list[SegmentLift]
    guardrails: list[Guardrail]
    variants: list[VariantResult]
    summary: str
    next_test: str
    drift_warnings: list[str] = Field(
        default_factory=list, description="Drift since the models trained, from the newest drift report"
    )


def readout(db: Database, tenant: str, journey_id: str, *, segment_by: str = "region", until: Any = None) -> Readout:
    """Lift of the journey's goal versus its holdout; ``until`` limits to enrollments started by then."""
    if segment_by not in SEGMENT_COLUMNS:
        raise ValueError(f"segment_by must be one of {', '.join(SEGMENT_COLUMNS)}, not {segment_by!r}")
    with db.tenant(tenant) as conn:
        defn = store.get(conn, journey_id).definition
        rows = conn.execute(
            OUTCOME_SQL.format(segment=segment_by),
            {"goal": defn.goal.event, "window": timedelta(hours=defn.goal.within_hours),
             "match_on": defn.goal.match_on, "journey": journey_id, "until": until or "infinity"},
        ).fetchall()  # fmt: skip
        variant_rows = conn.execute(VARIANT_SQL, (journey_id,)).fetchall()
        drift = latest_drift(conn)
    arms: dict[str, list[tuple[Any, ...]]] = {"treatment": [], "holdout": []}
    for r in rows:
        arms[r[1]].append(r)
    t, h = arms["treatment"], arms["holdout"]
    conv = lift(sum(r[3] for r in t), len(t), sum(r[3] for r in h), len(h))
    rev = (sum(r[4] for r in t) / len(t) if t else 0.0, sum(r[4] for r in h) / len(h) if h else 0.0)
    segments = []
    for seg in sorted({r[2] for r in rows}):
        st, sh = [r for r in t if r[2] == seg], [r for r in h if r[2] == seg]
        if len(st) >= 20 and len(sh) >= 5:
            segments.append(
                SegmentLift(
                    segment=seg, conversion=lift(sum(r[3] for r in st), len(st), sum(r[3] for r in sh), len(sh))
                )
            )
    guardrails = _guardrails(t, h, defn.caps.max_actions)
    variants = [VariantResult(step=s or "-", variant=v or "-", sends=n, responses=k, rate=k / n if n else 0.0)
                for s, v, n, k in variant_rows]  # fmt: skip
    summary, next_test = _narrate(defn.name, defn.goal.event, conv, rev, segments, guardrails, variants)
    warnings = drift.warnings() if drift is not None else []
    if warnings:  # the lift stands (holdout vs treated), but targeting scores and baselines may be stale
        summary += f" Data drift since the models trained: {warnings[0]}" + (
            f" (and {len(warnings) - 1} more)." if len(warnings) > 1 else "."
        )
    return Readout(journey_id=journey_id, enrolled=len(t), holdout=len(h), conversion=conv,
                   revenue_per_customer=rev, segments=segments, guardrails=guardrails, variants=variants,
                   summary=summary, next_test=next_test, drift_warnings=warnings)  # fmt: skip


def _rate(rows: list[tuple[Any, ...]], idx: int) -> float:
    return sum(bool(r[idx]) for r in rows) / len(rows) if rows else 0.0


def _guardrails(t: list[tuple[Any, ...]], h: list[tuple[Any, ...]], cap: int) -> list[Guardrail]:
    """A rate guardrail is breached when the treated excess over the holdout passes its limit and is significant."""
    out = []
    for name, idx, limit in (("unsubscribe rate", 5, 0.005), ("complaint rate", 6, 0.001)):
        excess = lift(sum(bool(r[idx]) for r in t), len(t), sum(bool(r[idx]) for r in h), len(h))
        breached = excess.abs_lift > limit and excess.ci_low > 0
        out.append(Guardrail(name=name, treated=_rate(t, idx), control=_rate(h, idx), limit=limit, ok=not breached))
    adherence = sum(r[7] <= cap for r in t) / len(t) if t else 1.0
    out.append(Guardrail(name="frequency-cap adherence", treated=adherence, control=None, limit=1.0,
                         ok=adherence >= 1.0))  # fmt: skip
    return out


def _narrate(
    name: str,
    goal: str,
    conv: Lift,
    rev: tuple[float, float],
    segments: list[SegmentLift],
    guardrails: list[Guardrail],
    variants: list[VariantResult],
) -> tuple[str, str]:
    pts = 100 * conv.abs_lift
    rel = f", {conv.rel_lift:+.0%} relative" if conv.rel_lift is not None else ""
    verdict = (
        "a real lift" if conv.ci_low > 0 else "a real drop" if conv.ci_high < 0 else "no conclusive difference yet"
    )
    parts = [
        f"{name}: {conv.treated_rate:.1%} of {conv.treated_n} treated customers reached {goal} versus "
        f"{conv.control_rate:.1%} of {conv.control_n} in the holdout ({pts:+.1f} pts{rel}; 95% CI "
        f"{100 * conv.ci_low:+.1f} to {100 * conv.ci_high:+.1f} pts, p={conv.p_value:.3f}) — {verdict}.",
        f"Revenue per customer {rev[0]:,.2f} vs {rev[1]:,.2f}.",
    ]
    best = [s for s in segments if s.conversion.significant and s.conversion.abs_lift > 0]
    if best:
        parts.append("Strongest in " + ", ".join(s.segment for s in best[:3]) + ".")
    broken = [g.name for g in guardrails if not g.ok]
    parts.append("Guardrails: " + ("all within limits." if not broken else "breached: " + ", ".join(broken) + "."))
    by_step: dict[str, list[VariantResult]] = {}
    for v in variants:
        by_step.setdefault(v.step, []).append(v)
    contested = {s: vs for s, vs in by_step.items() if len(vs) > 1}
    if conv.significant and conv.abs_lift > 0 and contested:
        step, vs = next(iter(contested.items()))
        lead = max(vs, key=lambda v: v.rate)
        next_test = (
            f"Keep the journey on; '{lead.variant}' leads at step {step} ({lead.rate:.1%} response). "
            f"Next test: timing — send {step} after 1 h versus the current delay, same holdout."
        )
    elif conv.significant and conv.abs_lift > 0:
        next_test = "Keep the journey on. Next test: a second creative at the first action step as a bandit."
    else:
        effect = max(abs(conv.abs_lift), 0.2 * conv.control_rate, 0.02)
        n = sample_size_per_arm(max(conv.control_rate, 0.01), effect)
        next_test = (
            f"Keep collecting: about {n:,} customers per arm are needed to detect {100 * effect:.1f} pts "
            f"at 80% power; or test a stronger offer."
        )
    return " ".join(parts), next_test
