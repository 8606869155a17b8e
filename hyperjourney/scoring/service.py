"""The scoring facade: every score of one customer (online) or of a whole tenant (batch), with reasons.

The online path is one database round trip (the stored features plus the active model versions);
model artifacts are cached per version, so a newly activated version is picked up on the next call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from hyperjourney.db.database import Database
from hyperjourney.features.store import compute, refresh_customer_in, stale_features
from hyperjourney.scoring import registry
from hyperjourney.scoring.schema import SCORE_NAMES, CustomerScores, Reason, Score
from hyperjourney.scoring.scorer import Scorer

_SCORERS: dict[tuple[str, tuple[tuple[str, int], ...]], Scorer] = {}

_ONLINE = (
    "SELECT c.customer_id, f.features, f.computed_at, f.feature_set, "
    "(SELECT jsonb_object_agg(name, version) FROM model_versions WHERE active) "
    "FROM customers c LEFT JOIN customer_features f ON f.customer_id = c.customer_id "
    "WHERE c.customer_id = (SELECT coalesce(merged_into, customer_id) FROM customers WHERE customer_id = %s)"
)


def scorer_for(conn: psycopg.Connection[Any], tenant: str, active: dict[str, int] | None = None) -> Scorer:
    """The Scorer for the tenant's active versions (built once per set of versions)."""
    versions = active if active is not None else registry.active_versions(conn)
    key = (tenant, tuple(sorted(versions.items())))
    if key not in _SCORERS:
        loaded = {}
        for name in SCORE_NAMES:
            if name in versions:
                found = registry.get(conn, name, versions[name])
                if found is not None:
                    loaded[name] = found
        _SCORERS[key] = Scorer.from_versions(loaded)
    return _SCORERS[key]


def score_customer(
    db: Database,
    tenant: str,
    customer_id: str,
    *,
    now: datetime | None = None,
    conn: psycopg.Connection[Any] | None = None,
) -> CustomerScores:
    """All six scores with confidences and reasons; features are computed first if the customer has none.

    A caller that holds a connection of the tenant passes it as ``conn``: taking a second pooled connection
    while holding one deadlocks the pool once every connection is held by such a caller."""
    if conn is None:
        with db.tenant(tenant) as own:
            return score_customer(db, tenant, customer_id, now=now, conn=own)
    row = conn.execute(_ONLINE, (customer_id,)).fetchone()
    if row is None:
        raise ValueError(f"customer_id {customer_id!r} does not exist in tenant {tenant!r}")
    cid, values, computed_at, feature_set, active = row
    scorer = scorer_for(conn, tenant, {k: int(v) for k, v in (active or {}).items()})
    if values is None:
        fresh = refresh_customer_in(conn, cid)
        values, computed_at, feature_set = fresh.values, fresh.computed_at, fresh.feature_set
    stale = stale_features(computed_at, feature_set, now)
    scores = scorer.score([values], [stale])[0]
    segment, why = segment_of(values)
    return CustomerScores(customer_id=cid, scores=scores, segment=segment, why_in_segment=why, stale_features=stale)


def segment_of(f: dict[str, Any]) -> tuple[str, list[Reason]]:
    """RFM segment for buyers, lifecycle stage for everyone else, with the facts that put them there."""
    if f.get("rfm_segment") and f["rfm_segment"] != "no_purchase":
        return f["rfm_segment"], [
            Reason(
                feature="rfm_r",
                text=f"last order {f['days_since_last_order']:.0f} days ago (R={f['rfm_r']})",
                direction="+",
                size=f["rfm_r"] / 5,
            ),
            Reason(
                feature="rfm_f",
                text=f"{f['orders_365d']} orders in the last year (F={f['rfm_f']})",
                direction="+",
                size=f["rfm_f"] / 5,
            ),
            Reason(
                feature="rfm_m",
                text=f"spent ${f['monetary_365d']:,.0f} in the last year (M={f['rfm_m']})",
                direction="+",
                size=f["rfm_m"] / 5,
            ),
        ]
    stage = str(f.get("lifecycle_stage") or "unknown")
    recency = f.get("recency_days")
    why = [
        Reason(
            feature="recency_days",
            text="no activity recorded" if recency is None else f"last active {recency:.0f} days ago",
            direction="+",
            size=1.0,
        ),
        Reason(
            feature="tenure_days", text=f"profile {f.get('tenure_days') or 0:.0f} days old", direction="+", size=0.5
        ),
        Reason(
            feature="orders_total",
            text=f"{f.get('orders_total', 0)} orders and {f.get('conversions_total', 0)} paid conversions",
            direction="+",
            size=0.5,
        ),
    ]
    return stage, why


class BatchReport(BaseModel):
    customers: int
    seconds: float
    versions: dict[str, str]


def score_all(
    db: Database, tenant: str, *, now: datetime | None = None, progress: Callable[[int, int], None] | None = None
) -> BatchReport:
    """Score every customer with stored features and keep the latest scores in customer_scores."""
    started = time.perf_counter()
    with db.tenant(tenant) as conn:
        scorer = scorer_for(conn, tenant)
        rows = conn.execute("SELECT customer_id, features, computed_at, feature_set FROM customer_features").fetchall()
        total, chunk = len(rows), 2000
        for lo in range(0, total, chunk):
            part = rows[lo : lo + chunk]
            scored = scorer.score_raw([r[1] for r in part], [stale_features(r[2], r[3], now) for r in part])
            conn.cursor().executemany(
                "INSERT INTO customer_scores (customer_id, name, value, label, confidence, model_version, reasons) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (tenant_id, customer_id, name) DO UPDATE SET "
                "value = EXCLUDED.value, label = EXCLUDED.label, confidence = EXCLUDED.confidence, "
                "model_version = EXCLUDED.model_version, reasons = EXCLUDED.reasons, scored_at = now()",
                [_score_row(r[0], s) for r, scores in zip(part, scored, strict=True) for s in scores.values()],
            )
            if progress:
                progress(min(lo + chunk, total), total)
    return BatchReport(customers=total, seconds=round(time.perf_counter() - started, 3), versions=scorer.versions)


def _score_row(customer_id: str, s: dict[str, Any]) -> tuple[Any, ...]:
    return (customer_id, s["name"], s["value"], s["label"], s["confidence"], s["model_version"], Jsonb(s["reasons"]))


def score_as_of(
    db: Database, tenant: str, at: datetime, customer_ids: list[str] | None = None
) -> dict[str, dict[str, Score]]:
    """Scores from features computed as of ``at`` (only data before it), in memory: nothing stored is changed."""
    with db.tenant(tenant) as conn:
        scorer = scorer_for(conn, tenant)
        feats = compute(conn, at, customer_ids)
    if customer_ids and not feats:
        raise ValueError(f"customer_id {customer_ids[0]!r} does not exist in tenant {tenant!r} as of {at:%Y-%m-%d}")
    ids = list(feats)
    return dict(zip(ids, scorer.score([feats[c] for c in ids]), strict=True))
