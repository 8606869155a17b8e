"""Segments from plain words ("fintech SMBs", "at-risk shoppers") or a structured query, with sizes,
a sample, why members qualify, and baseline figures against the whole tenant."""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg import sql

from hyperjourney.db.database import Database
from hyperjourney.features.store import refresh_all
from hyperjourney.scoring.conditions import NotApplied
from hyperjourney.scoring.goal_words import Vocabulary, read, unread_clauses
from hyperjourney.scoring.schema import Reason, Segment, SegmentQuery

_WORDS: dict[str, tuple[str, str]] = {
    r"\bsmbs?\b|small business|\bkmus?\b|kleine[nr]? unternehmen|\bpymes?\b|peque[ñn]as empresas|\bpmes?\b"
    r"|petites entreprises": ("company_size", "smb"),
    r"mid[- ]?market|mittelstand|mittelständisch\w*|medianas empresas|\beti\b|entreprises de taille interm": (
        "company_size",
        "mid_market",
    ),
    r"\benterprises?\b|gro(?:ß|ss)unternehmen|grandes empresas|grandes entreprises|\bkonzerne?\b": (
        "company_size",
        "enterprise",
    ),
    r"shoppers?|e-?commerce|\bdtc\b|\bgoods\b|online-?käufer\w*|\bkäufer\w*|compradores|acheteurs|tienda online"
    r"|boutique en ligne": ("business", "dtc"),
    r"\bplg\b|product[- ]led|\bboards\b|\bsaas\b": ("business", "plg"),
    r"\bb2b\b|\bledger\b": ("business", "b2b"),
    r"at[- ]risk|abwanderungsgefährdet\w*|gefährdet\w*|en riesgo|à risque": ("lifecycle_stage", "at_risk"),
    r"\bchurned\b|\blapsed\b|abgewandert\w*|ehemalige\w* kunden|\bperdidos\b|\bperdus\b|anciens clients": (
        "lifecycle_stage",
        "churned",
    ),
    r"\btrials?\b|triallists?|testphase|testkunden|\bprueba\b|\bessai\b": ("lifecycle_stage", "trial"),
    r"\bdormant\b|\bschlafende\w*|\bdormidos\b|\bdormants\b": ("lifecycle_stage", "dormant"),
    r"\bchampions?\b|\bvips?\b": ("rfm_segment", "champions"),
    r"\bloyal\b|\btreue\w*|\bleales\b|\bfidèles\b": ("rfm_segment", "loyal"),
    r"\bhibernating\b": ("rfm_segment", "hibernating"),
    r"\bnew customers?\b|\bneukunden\b|nuevos clientes|nouveaux clients": ("rfm_segment", "new_customer"),
}
# Region words in four languages; a short code ("US", "EU") counts only in capitals, so "email us" is no region.
_REGIONS: dict[str, str] = {
    r"\beurope\b|\beuropean\b|\beuropa\b|\beuropäisch\w*|\beuropeos\b|\beuropéens\b|\bdach\b|\bgermany\b"
    r"|\bdeutschland\b|\balemania\b|\ballemagne\b|\bfrance\b|\bfrankreich\b|\bfrancia\b|\bspain\b|\bspanien\b"
    r"|\bespaña\b|\bespagne\b": "eu",
    r"\bunited kingdom\b|\bbritain\b|\bbritish\b|\bgroßbritannien\b|\breino unido\b|\broyaume-uni\b": "uk",
    r"\bunited states\b|\bamerican\b|\bnorth america\b|\busa\b|\bestados unidos\b|\bétats-unis\b"
    r"|\bamerika\b": "us",
    r"\basia\b|\basien\b|\basie\b|\baustralia\b|\baustralien\b|\bsingapore\b|\bjapan\b|\bjapón\b|\bjapon\b": "apac",
}
# Industry names in German, Spanish and French, matched when the tenant has that (English) industry.
_INDUSTRY_WORDS: dict[str, str] = {
    r"\blogisti[kq]\w*|\blogística\b": "logistics",
    r"\bversicherung\w*|\bversicherer\b|\bseguros?\b|\baseguradoras?\b|\bassurances?\b|\bassureurs?\b": "insurance",
    r"\bbanken\b|\bbankwesen\b|\bbanca\b|\bbancos\b|\bbanques?\b": "banking",
    r"\bgesundheitswesen\b|\bsalud\b|\bsanidad\b|\bsanté\b": "healthcare",
    r"\beinzelhandel\w*|\bcomercio minorista\b|\bcommerce de détail\b": "retail",
    r"\bbildung\w*|\beducación\b|\béducation\b": "education",
    r"\bgemeinnützig\w*|\bsin ánimo de lucro\b|\bassociations?\b": "nonprofit",
    r"\bbau(?:wesen|branche|gewerbe)\b|\bconstrucción\b|\bbtp\b": "construction",
}
_SCORES: dict[str, tuple[str, str, float]] = {
    r"(high|likely) churn|churn risk|likely to churn": ("min", "churn_risk", 0.4),
    r"likely to (buy|purchase)|high (purchase )?propensity|ready to buy": ("min", "purchase_propensity", 0.15),
    r"upgrade|expansion|cross-?sell|upsell": ("min", "upgrade_fit", 0.1),
}
_FILTER_FIELDS = ("industry", "company_size", "business", "lifecycle_stage", "rfm_segment", "region", "language")


def _vocabulary(conn: psycopg.Connection[Any]) -> Vocabulary:
    """The tenant's plans, product categories and visited pages: the words its goals can name."""
    plans = [r[0] for r in conn.execute("SELECT DISTINCT attributes->>'plan' FROM customers WHERE attributes ? 'plan'")]
    categories = [r[0] for r in conn.execute("SELECT DISTINCT category FROM products")]
    pages = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT properties->>'page' FROM events WHERE type = 'page_view' AND properties ? 'page'"
        )
    ]
    return Vocabulary(plans=sorted(plans), categories=sorted(categories), pages=sorted(pages))


def read_description(conn: psycopg.Connection[Any], description: str) -> tuple[SegmentQuery, list[NotApplied]]:
    """Words → filters and the conditions stated but not applied (with why); the tenant's own industries,
    regions, plans, categories and pages are matched too, so the vocabulary grows with data."""
    text = description.lower()
    found: dict[str, set[str]] = {}
    used: list[tuple[int, int]] = []
    for pattern, (field, value) in _WORDS.items():
        if m := re.search(pattern, text):  # the first mention is the filter; a later one may be a condition's word
            found.setdefault(field, set()).add(value)
            used.append(m.span())
    for pattern, region in _REGIONS.items():
        if m := re.search(pattern, text):
            found.setdefault("region", set()).add(region)
            used.append(m.span())
    industries = {r[0] for r in conn.execute("SELECT DISTINCT industry FROM customers WHERE industry IS NOT NULL")}
    for pattern, industry in _INDUSTRY_WORDS.items():
        if industry in industries and (m := re.search(pattern, text)):
            found.setdefault("industry", set()).add(industry)
            used.append(m.span())
    for field in ("industry", "region", "language"):
        for (value,) in conn.execute(
            sql.SQL("SELECT DISTINCT {} FROM customers WHERE {} IS NOT NULL").format(
                sql.Identifier(field), sql.Identifier(field)
            )
        ):
            short = len(value) <= 3
            where = description if short else text
            word = value.upper() if short else value.lower()
            m = re.search(rf"\b{re.escape(word)}s?\b", where) if len(value) >= 2 else None
            if m is None or (field == "language" and not re.search(rf"\b{re.escape(value.lower())}\b[- ]speak", text)):
                continue
            found.setdefault(field, set()).add(value)
            used.append(m.span())
    reading = read(description, _vocabulary(conn))
    query = SegmentQuery(**{k: sorted(v) for k, v in found.items()}, conditions=reading.conditions)
    for pattern, (_, name, threshold) in _SCORES.items():
        if m := re.search(pattern, text):
            query.min_scores[name] = threshold
            used.append(m.span())
    if not found and not query.min_scores and not query.conditions:
        raise ValueError(
            f"segment description {description!r} names no known filter; try an industry, a company size "
            "(SMB, mid-market, enterprise), a business (shoppers, PLG, B2B), a stage (at-risk, churned, trial), "
            "an RFM segment (champions, loyal), a score (likely to churn, likely to buy, upgrade), order or activity "
            "recency (haven't ordered in 90 days), a plan, seat usage, a page visit, a category or high-value"
        )
    return query, reading.not_applied + unread_clauses(description, reading, used)


def parse(conn: psycopg.Connection[Any], description: str) -> SegmentQuery:
    """Words → filters (see ``read_description``)."""
    return read_description(conn, description)[0]


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
    for condition in q.conditions:
        clause, values = condition.clause()
        clauses.append(clause)
        params += values
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
        query, not_applied = read_description(conn, description) if isinstance(description, str) else (description, [])
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
    why = (
        [
            Reason(
                feature=field,
                text=f"{field.replace('_', ' ')} is {' or '.join(getattr(query, field))}",
                direction="+",
                size=1.0,
            )
            for field in _FILTER_FIELDS
            if getattr(query, field)
        ]
        + [
            Reason(feature=name, text=f"{name.replace('_', ' ')} {op} {t:g}", direction="+", size=float(t))
            for bound, op in ((query.min_scores, "at least"), (query.max_scores, "at most"))
            for name, t in bound.items()
        ]
        + [Reason(feature=c.kind, text=c.words(), direction="+", size=1.0) for c in query.conditions]
    )
    baseline = {"size": float(size), "share_of_tenant": size / total}
    for i, key in enumerate(("monetary_365d", "active_30d_share", "purchase_propensity", "churn_risk", "clv"), 1):
        if seg[i] is not None:
            baseline[f"avg_{key}" if key != "active_30d_share" else key] = round(float(seg[i]), 4)
        if whole[i] is not None:
            baseline[f"tenant_{key}" if key == "active_30d_share" else f"tenant_avg_{key}"] = round(float(whole[i]), 4)
    name = description if isinstance(description, str) else "custom segment"
    return Segment(
        name=name,
        definition=query,
        size=size,
        customer_ids=[r[0] for r in sample],
        why=why,
        baseline=baseline,
        not_applied=not_applied,
    )
