"""Segments from plain words ("fintech SMBs", "at-risk shoppers") or a structured query, with sizes,
a sample, why members qualify, and baseline figures against the whole tenant."""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg import sql

from hyperjourney.db.database import Database
from hyperjourney.features.store import refresh_all
from hyperjourney.scoring.schema import Reason, Segment, SegmentQuery

_WORDS: dict[str, tuple[str, str]] = {
    r"\bsmbs?\b|small business": ("company_size", "smb"),
    r"mid[- ]?market": ("company_size", "mid_market"),
    r"\benterprises?\b": ("company_size", "enterprise"),
    r"shoppers?|e-?commerce|\bdtc\b|\bgoods\b": ("business", "dtc"),
    r"\bplg\b|product[- ]led|\bboards\b|\bsaas\b": ("business", "plg"),
    r"\bb2b\b|\bledger\b": ("business", "b2b"),
    r"at[- ]risk": ("lifecycle_stage", "at_risk"),
    r"\bchurned\b|\blapsed\b": ("lifecycle_stage", "churned"),
    r"\btrials?\b|triallists?": ("lifecycle_stage", "trial"),
    r"\bdormant\b": ("lifecycle_stage", "dormant"),
    r"\bchampions?\b|\bvips?\b": ("rfm_segment", "champions"),
    r"\bloyal\b": ("rfm_segment", "loyal"),
    r"\bhibernating\b": ("rfm_segment", "hibernating"),
    r"\bnew customers?\b": ("rfm_segment", "new_customer"),
}
_SCORES: dict[str, tuple[str, str, float]] = {
    r"(high|likely) churn|churn risk|likely to churn": ("min", "churn_risk", 0.4),
    r"likely to (buy|purchase)|high (purchase )?propensity|ready to buy": ("min", "purchase_propensity", 0.15),
    r"upgrade|expansion|cross-?sell|upsell": ("min", "upgrade_fit", 0.1),
    r"high[- ]value|high clv|big spenders?": ("min", "clv", 50.0),
}
_FILTER_FIELDS = ("industry", "company_size", "business", "lifecycle_stage", "rfm_segment", "region", "language")


def parse(conn: psycopg.Connection[Any], description: str) -> SegmentQuery:
    """Words → filters: the tenant's own industries and regions are matched too, so the vocabulary grows with data."""
    text = description.lower()
    found: dict[str, set[str]] = {}
    for pattern, (field, value) in _WORDS.items():
        if re.search(pattern, text):
            found.setdefault(field, set()).add(value)
    for field in ("industry", "region", "language"):
        for (value,) in conn.execute(
            sql.SQL("SELECT DISTINCT {} FROM customers WHERE {} IS NOT NULL").format(
                sql.Identifier(field), sql.Identifier(field)
            )
        ):
            if len(value) >= 2 and re.search(rf"\b{re.escape(value.lower())}s?\b", text):
                if field == "language" and not re.search(rf"\b{re.escape(value.lower())}\b[- ]speak", text):
                    continue
                found.setdefault(field, set()).add(value)
    query = SegmentQuery(**{k: sorted(v) for k, v in found.items()})
    for pattern, (_, name, threshold) in _SCORES.items():
        if re.search(pattern, text):
            query.min_scores[name] = threshold
    if not found and not query.min_scores:
        raise ValueError(
            f"segment description {description!r} names no known filter; try an industry, a company size "
            "(SMB, mid-market, enterprise), a business (shoppers, PLG, B2B), a stage (at-risk, churned, trial), "
            "an RFM segment (champions, loyal) or a score (likely to churn, likely to buy, upgrade, high-value)"
        )
    return query


def _where(q: SegmentQuery) -> tuple[sql.Composable, list[Any]]:
    clauses: list[sql.Composable] = []
    params: list[Any] = []
    for field in _FILTER_FIELDS:
        values = getattr(q, field)
        if values:
            clauses.append(sql.SQL("f.features->>{} = ANY(%s)").format(sql.Literal(field)))
            params.append(values)
    for bound, op in ((q.min_scores, ">="), (q.max_scores, "<=")):
        for name, threshold in bound.items():
            clauses.append(
                sql.SQL(
                    "EXISTS (SELECT 1 FROM customer_scores s WHERE s.customer_id = f.customer_id AND s.name = %s "
                    "AND s.value {} %s)"
                ).format(sql.SQL(op))
            )
            params += [name, threshold]
    return (sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("true")), params


def member_filter(query: SegmentQuery) -> tuple[sql.Composable, list[Any]]:
    """The condition over ``customer_features f`` that selects the segment's members, with its positional
    parameters: what other domains (the Analyst's sizing) aggregate over, so a segment means the same everywhere."""
    return _where(query)


_STATS = sql.SQL(
    "SELECT count(*), avg((f.features->>'monetary_365d')::float8), "
    "avg(((f.features->>'events_30d')::int > 0)::int), "
    "avg(s_p.value), avg(s_c.value), avg(s_v.value) "
    "FROM customer_features f "
    "LEFT JOIN customer_scores s_p ON s_p.customer_id = f.customer_id AND s_p.name = 'purchase_propensity' "
    "LEFT JOIN customer_scores s_c ON s_c.customer_id = f.customer_id AND s_c.name = 'churn_risk' "
    "LEFT JOIN customer_scores s_v ON s_v.customer_id = f.customer_id AND s_v.name = 'clv' "
    "WHERE {}"
)


def find_segment(db: Database, tenant: str, description: str | SegmentQuery, *, limit: int = 20) -> Segment:
    """Size, a sample of members (most likely buyers first), why they qualify, and segment vs tenant figures."""
    with db.tenant(tenant) as conn:
        empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM customer_features)").fetchone()
    if empty == (True,):
        refresh_all(db, tenant)
    with db.tenant(tenant) as conn:
        query = parse(conn, description) if isinstance(description, str) else description
        where, params = _where(query)
        seg = conn.execute(_STATS.format(where), params).fetchone()
        whole = conn.execute(_STATS.format(sql.SQL("true"))).fetchone()
        sample = conn.execute(
            sql.SQL(
                "SELECT f.customer_id FROM customer_features f LEFT JOIN customer_scores s "
                "ON s.customer_id = f.customer_id AND s.name = 'purchase_propensity' WHERE {} "
                "ORDER BY s.value DESC NULLS LAST, f.customer_id LIMIT %s"
            ).format(where),
            [*params, limit],
        ).fetchall()
    assert seg is not None and whole is not None
    size, total = int(seg[0]), int(whole[0]) or 1
    why = [
        Reason(
            feature=field,
            text=f"{field.replace('_', ' ')} is {' or '.join(getattr(query, field))}",
            direction="+",
            size=1.0,
        )
        for field in _FILTER_FIELDS
        if getattr(query, field)
    ] + [
        Reason(feature=name, text=f"{name.replace('_', ' ')} {op} {t:g}", direction="+", size=float(t))
        for bound, op in ((query.min_scores, "at least"), (query.max_scores, "at most"))
        for name, t in bound.items()
    ]
    baseline = {"size": float(size), "share_of_tenant": size / total}
    for i, key in enumerate(("monetary_365d", "active_30d_share", "purchase_propensity", "churn_risk", "clv"), 1):
        if seg[i] is not None:
            baseline[f"avg_{key}" if key != "active_30d_share" else key] = round(float(seg[i]), 4)
        if whole[i] is not None:
            baseline[f"tenant_{key}" if key == "active_30d_share" else f"tenant_avg_{key}"] = round(float(whole[i]), 4)
    name = description if isinstance(description, str) else "custom segment"
    return Segment(
        name=name, definition=query, size=size, customer_ids=[r[0] for r in sample], why=why, baseline=baseline
    )
