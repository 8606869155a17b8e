"""Turn the SQL aggregates of one customer into the stored feature values (RFM, lifecycle, trends).

Plain Python on one row at a time, shared by the batch and the single-customer paths, so both give the
same values by construction.
"""

from __future__ import annotations

from typing import Any

_CHANNELS = ("email", "sms", "push")


def derive(row: dict[str, Any]) -> dict[str, Any]:
    """Feature values from one row of features.sql; counts absent from the aggregates are real zeros."""
    ev: dict[str, Any] = row["ev"] or {}
    orders: dict[str, Any] = row["ord"] or {}
    tix: dict[str, Any] = row["tix"] or {}
    acct: dict[str, Any] = row["acct"] or {}
    f: dict[str, Any] = {}
    for key in [
        "events_total",
        "events_7d",
        "events_30d",
        "events_90d",
        "page_views_30d",
        "product_views_30d",
        "searches_30d",
        "carts_30d",
        "carts_abandoned_30d",
        "checkouts_90d",
        "pricing_views_7d",
        "pricing_views_30d",
        "whitepapers_90d",
        "webinars_90d",
        "sales_touches_90d",
        "logins_7d",
        "logins_30d",
        "product_actions_30d",
        "team_growth_90d",
        "milestones_90d",
        "conversions_total",
        "trials_30d",
        "downgrades_90d",
    ]:
        f[key] = int(ev.get(key) or 0)
    # orders (and payments or logins, which arrive as events) are activity too: a tenant with orders only
    # has buyers whose last order was yesterday, not dormant profiles
    seen = [v for v in (ev.get("recency_days"), orders.get("days_since_last_order")) if v is not None]
    f["recency_days"] = _round(min(seen)) if seen else None
    f["activity_trend"] = _trend(f["events_30d"], int(ev.get("events_30_90d") or 0))
    f["login_trend"] = _trend(f["logins_30d"], int(ev.get("logins_30_90d") or 0))
    f["unsubscribed"] = int(bool(ev.get("unsubscribed")))
    for ch in _CHANNELS:
        for kind in ("touches", "responses"):
            for d in ("7d", "30d"):
                f[f"{ch}_{kind}_{d}"] = int(ev.get(f"{ch}_{kind}_{d}") or 0)
        f[f"{ch}_fatigue"] = f[f"{ch}_touches_30d"] - f[f"{ch}_responses_30d"]
    f["preferred_channel"] = _preferred_channel(ev)
    f["active_hours"] = {
        str(h): int(n) for h, n in sorted((row["active_hours"] or {}).items(), key=lambda x: int(x[0]))
    }

    f["orders_total"] = int(orders.get("orders_total") or 0)
    f["orders_90d"] = int(orders.get("orders_90d") or 0)
    f["orders_365d"] = int(orders.get("orders_365d") or 0)
    f["monetary_total"] = _round(orders.get("monetary_total")) or 0.0
    f["monetary_365d"] = _round(orders.get("monetary_365d")) or 0.0
    f["avg_order_value"] = _round(f["monetary_total"] / f["orders_total"]) if f["orders_total"] else None
    f["days_since_last_order"] = _round(orders.get("days_since_last_order"))
    f["days_since_first_order"] = _round(orders.get("days_since_first_order"))
    f["avg_discount"] = _round(orders.get("avg_discount"))
    f["discount_sensitivity"] = _round(orders.get("discounted_share"))
    f["return_rate"] = _round(orders.get("return_rate"))
    f["categories_bought"] = int(orders.get("categories_bought") or 0)
    f["categories"] = sorted(row["categories"] or [])
    affinity = {k: float(v) for k, v in sorted((row["category_affinity"] or {}).items())}
    f["category_affinity"] = affinity
    f["category_interest"] = float(row["category_interest"] or 0.0)
    f["top_category"] = max(sorted(affinity), key=lambda c: affinity[c]) if affinity else None
    f["last_category"] = orders.get("last_category")
    f["recent_category"] = row["recent_category"]
    f["last_order_categories"] = sorted(row["last_order_categories"] or [])
    f["category_views_30d"] = {k: int(v) for k, v in sorted((row["category_views_30d"] or {}).items())}
    f.update(rfm(f["days_since_last_order"], f["orders_365d"], f["monetary_365d"], f["days_since_first_order"]))

    f["tenure_days"] = _round(row["tenure_days"])
    f["lifecycle_stage"] = lifecycle(f)

    f["tickets_90d"] = int(tix.get("tickets_90d") or 0)
    f["open_tickets"] = int(tix.get("open_tickets") or 0)
    recent, prior = tix.get("sentiment_90d"), tix.get("sentiment_prior")
    f["support_sentiment_90d"] = _round(recent)
    f["support_sentiment_trend"] = _round(recent - prior) if recent is not None and prior is not None else None

    for key in [
        "account_contacts",
        "account_pricing_views_30d",
        "account_whitepapers_90d",
        "account_webinars_90d",
        "account_sales_touches_90d",
        "account_active_contacts_30d",
    ]:
        f[key] = int(acct.get(key) or 0) if row["account_id"] else None
    f["industry"] = row["industry"]
    f["company_size"] = row["company_size"]
    f["employees"] = row["employees"]
    f["business"] = row["business"]
    f["declared_interest"] = row["declared_interest"]
    f["region"] = row["region"]
    f["language"] = row["language"]
    return f


def rfm(
    last_order_days: float | None, orders_365d: int, monetary_365d: float, first_order_days: float | None
) -> dict[str, Any]:
    """Fixed-threshold RFM scores (no quantiles, so one customer's score never depends on the others)."""
    if last_order_days is None:
        return {"rfm_r": None, "rfm_f": None, "rfm_m": None, "rfm_segment": "no_purchase"}
    r = (
        5
        if last_order_days <= 30
        else 4
        if last_order_days <= 90
        else 3
        if last_order_days <= 180
        else 2
        if last_order_days <= 365
        else 1
    )
    fr = 5 if orders_365d >= 6 else 4 if orders_365d >= 4 else 3 if orders_365d >= 2 else 2 if orders_365d == 1 else 1
    m = (
        5
        if monetary_365d >= 1000
        else 4
        if monetary_365d >= 500
        else 3
        if monetary_365d >= 250
        else 2
        if monetary_365d > 0
        else 1
    )
    if r >= 4 and fr >= 4:
        segment = "champions"
    elif r >= 4 and first_order_days is not None and first_order_days <= 90:
        segment = "new_customer"
    elif r >= 3 and fr >= 3:
        segment = "loyal"
    elif r >= 4:
        segment = "promising"
    elif r <= 2 and fr >= 3:
        segment = "at_risk"
    elif r <= 2:
        segment = "hibernating"
    else:
        segment = "needs_attention"
    return {"rfm_r": r, "rfm_f": fr, "rfm_m": m, "rfm_segment": segment}


def lifecycle(f: dict[str, Any]) -> str:
    """Stage from activity as of the computation time (the stored CRM stage may reflect later events)."""
    recency, tenure = f["recency_days"], f["tenure_days"] or 0.0
    if recency is None:
        return "new" if tenure < 30 else "dormant"
    if recency > 90:
        return "churned"
    if recency > 45:
        return "at_risk"
    if f["orders_total"] or f["conversions_total"]:
        return "customer"
    if f["trials_30d"]:
        return "trial"
    return "new" if tenure < 30 else "engaged"


def _preferred_channel(ev: dict[str, Any]) -> str | None:
    counts = {
        "email": int(ev.get("email_responses_180d") or 0),
        "sms": int(ev.get("sms_responses_180d") or 0),
        "push": int(ev.get("push_responses_180d") or 0),
        "app": int(ev.get("app_events_180d") or 0),
        "web": int(ev.get("web_events_180d") or 0),
    }
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else None


def _trend(recent_30d: int, previous_60d: int) -> float | None:
    if recent_30d == 0 and previous_60d == 0:
        return None
    return round(recent_30d / (previous_60d / 2 + 1), 4)


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)
