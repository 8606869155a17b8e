"""Stored feature values → one numeric row per customer, with the words each column explains itself in.

Counts and money go through log1p (diminishing returns), missing values get a fill plus an indicator
column, categoricals are one-hot over the levels seen in training; an unseen level is reported, not zeroed
silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# name -> (transform, fill when missing, phrase with {v} for the raw value)
NUMERIC: dict[str, tuple[str, float, str]] = {
    "recency_days": ("log", 540.0, "last active {v:.0f} days ago"),
    "events_7d": ("log", 0.0, "{v:.0f} actions in the last 7 days"),
    "events_30d": ("log", 0.0, "{v:.0f} actions in the last 30 days"),
    "events_90d": ("log", 0.0, "{v:.0f} actions in the last 90 days"),
    "events_total": ("log", 0.0, "{v:.0f} actions recorded in total"),
    "activity_trend": ("log", 0.0, "activity at {v:.1f}x its earlier monthly level"),
    "product_views_30d": ("log", 0.0, "viewed products {v:.0f}x in 30 days"),
    "searches_30d": ("log", 0.0, "searched {v:.0f}x in 30 days"),
    "carts_30d": ("log", 0.0, "added to cart {v:.0f}x in 30 days"),
    "carts_abandoned_30d": ("log", 0.0, "abandoned {v:.0f} carts in 30 days"),
    "checkouts_90d": ("log", 0.0, "checked out {v:.0f}x in 90 days"),
    "pricing_views_7d": ("log", 0.0, "visited pricing {v:.0f}x in 7 days"),
    "pricing_views_30d": ("log", 0.0, "visited pricing {v:.0f}x in 30 days"),
    "whitepapers_90d": ("log", 0.0, "downloaded {v:.0f} whitepapers in 90 days"),
    "webinars_90d": ("log", 0.0, "attended {v:.0f} webinars in 90 days"),
    "sales_touches_90d": ("log", 0.0, "{v:.0f} demos or meetings in 90 days"),
    "logins_7d": ("log", 0.0, "logged in {v:.0f}x in 7 days"),
    "logins_30d": ("log", 0.0, "logged in {v:.0f}x in 30 days"),
    "login_trend": ("log", 0.0, "logins at {v:.1f}x their earlier monthly level"),
    "product_actions_30d": ("log", 0.0, "{v:.0f} boards/automations used in 30 days"),
    "team_growth_90d": ("log", 0.0, "invited {v:.0f} collaborators or seats in 90 days"),
    "milestones_90d": ("log", 0.0, "reached {v:.0f} usage milestones in 90 days"),
    "conversions_total": ("log", 0.0, "{v:.0f} past upgrades or contracts"),
    "email_responses_30d": ("log", 0.0, "opened or clicked {v:.0f} emails in 30 days"),
    "email_fatigue": ("log", 0.0, "{v:.0f} emails without a response in 30 days"),
    "push_responses_30d": ("log", 0.0, "opened {v:.0f} pushes in 30 days"),
    "sms_responses_30d": ("log", 0.0, "clicked {v:.0f} SMS in 30 days"),
    "unsubscribed": ("raw", 0.0, "unsubscribed from email"),
    "orders_total": ("log", 0.0, "{v:.0f} orders in total"),
    "orders_365d": ("log", 0.0, "{v:.0f} orders in the last year"),
    "monetary_365d": ("log", 0.0, "spent ${v:,.0f} in the last year"),
    "days_since_last_order": ("log", 730.0, "last order {v:.0f} days ago"),
    "discount_sensitivity": ("raw", 0.0, "{v:.0%} of items bought on discount"),
    "return_rate": ("raw", 0.0, "returned {v:.0%} of items"),
    "categories_bought": ("log", 0.0, "bought from {v:.0f} categories"),
    "tenure_days": ("log", 0.0, "customer for {v:.0f} days"),
    "tickets_90d": ("log", 0.0, "{v:.0f} support tickets in 90 days"),
    "open_tickets": ("log", 0.0, "{v:.0f} open support tickets"),
    "support_sentiment_90d": ("raw", 0.0, "support sentiment {v:+.1f} (scale -2..+1)"),
    "account_pricing_views_30d": ("log", 0.0, "account visited pricing {v:.0f}x in 30 days"),
    "account_whitepapers_90d": ("log", 0.0, "account downloaded {v:.0f} whitepapers in 90 days"),
    "account_sales_touches_90d": ("log", 0.0, "account had {v:.0f} demos/meetings in 90 days"),
    "account_active_contacts_30d": ("log", 0.0, "{v:.0f} contacts at the account active in 30 days"),
    "employees": ("log", 0.0, "company of {v:,.0f} employees"),
}
# name -> (phrase when the value is missing, phrase when it is present)
MISSING_FLAGS: dict[str, tuple[str, str]] = {
    "recency_days": ("no activity recorded yet", "has recorded activity"),
    "days_since_last_order": ("has never ordered", "has ordered before"),
    "support_sentiment_90d": ("no recent support tickets", "has recent support tickets"),
}
CATEGORICAL: dict[str, str] = {
    "business": "line of business is {v}",
    "lifecycle_stage": "lifecycle stage is {v}",
    "company_size": "company size is {v}",
    "rfm_segment": "RFM segment is {v}",
    "preferred_channel": "responds most on {v}",
}


@dataclass(frozen=True)
class Column:
    feature: str
    kind: str  # numeric | missing | level
    level: str | None = None


@dataclass
class Vectorizer:
    """The column layout fixed at training time (levels per categorical); serialised into the artifact."""

    levels: dict[str, list[str]]

    def _ordered(self) -> list[tuple[str, list[str]]]:
        """Columns follow CATEGORICAL, not dict order: artifacts round-trip through jsonb, which reorders keys."""
        return [(name, self.levels[name]) for name in CATEGORICAL if name in self.levels]

    @classmethod
    def fit(cls, rows: Sequence[dict[str, Any]]) -> Vectorizer:
        levels = {name: sorted({str(r[name]) for r in rows if r.get(name) is not None}) for name in CATEGORICAL}
        return cls(levels)

    def __post_init__(self) -> None:
        cols = [Column(n, "numeric") for n in NUMERIC]
        cols += [Column(n, "missing") for n in MISSING_FLAGS]
        cols += [Column(n, "level", lv) for n, lvs in self._ordered() for lv in lvs]
        self.columns: list[Column] = cols

    def transform(self, rows: Sequence[dict[str, Any]]) -> np.ndarray:
        """Column by column (numpy per feature, not Python per cell), so batches stay fast."""
        cols: list[np.ndarray] = []
        for name, (how, fill, _) in NUMERIC.items():
            v = np.array([r.get(name) for r in rows], dtype=float).reshape(len(rows))
            v = np.where(np.isnan(v), fill, v)
            cols.append(np.log1p(np.maximum(v, 0.0)) if how == "log" else v)
        cols += [np.array([r.get(name) is None for r in rows], dtype=float) for name in MISSING_FLAGS]
        for name, lvs in self._ordered():
            values = [None if r.get(name) is None else str(r[name]) for r in rows]
            cols += [np.array([v == lv for v in values], dtype=float) for lv in lvs]
        return np.column_stack(cols) if rows else np.zeros((0, len(self.columns)))

    def unknown_levels(self, values: dict[str, Any]) -> list[str]:
        """Categorical values training never saw (they get no column): reported as reasons."""
        return [
            f"{name}={values[name]}"
            for name, lvs in self._ordered()
            if values.get(name) is not None and str(values[name]) not in lvs
        ]

    def phrase(self, col: Column, values: dict[str, Any]) -> str:
        if col.kind == "missing":
            missing, present = MISSING_FLAGS[col.feature]
            return missing if values.get(col.feature) is None else present
        if col.kind == "level":
            v = values.get(col.feature)
            shown = col.level if v is not None and str(v) == col.level else f"not {col.level}"
            return CATEGORICAL[col.feature].format(v=shown.replace("_", " "))
        v = values.get(col.feature)
        if v is None:
            if col.feature in MISSING_FLAGS:
                return MISSING_FLAGS[col.feature][0]
            if col.feature.startswith("account_"):
                return "no company account"
            return f"{col.feature.replace('_', ' ')} not recorded"
        return NUMERIC[col.feature][2].format(v=float(v))
