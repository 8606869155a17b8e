"""The typed conditions a goal may state beyond the profile columns ("haven't ordered in 90 days", "close to
their seat limit", "visited the pricing page this month"), each applied in SQL on the tenant's data.

Windows are measured back from each customer's feature time (``customer_features.as_of``), the same moment the
segment's other figures describe, so a 90-day window means the 90 days the tenant's data reaches, not the
wall clock's. Every condition says in words what it keeps, for the plan a marketer approves.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from psycopg import sql
from pydantic import BaseModel, Field

Clause = tuple[sql.Composable, list[Any]]


def _num(feature: str) -> sql.Composable:
    return sql.SQL("(f.features->>{})::float8").format(sql.Literal(feature))


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


class _Base(BaseModel):
    phrase: str = Field("", description="the goal's words this condition came from")


class OrderRecency(_Base):
    """Past buyers whose last order is at least ``days`` old ("haven't ordered in 90 days"), or buyers with an
    order inside the window ("ordered in the last 30 days")."""

    kind: Literal["order_recency"] = "order_recency"
    ordered: bool = Field(description="true: ordered within the window; false: ordered before it but not since")
    days: int = Field(ge=1, le=3650)

    def clause(self) -> Clause:
        op = sql.SQL("<") if self.ordered else sql.SQL(">=")
        return sql.SQL("{} {} %s").format(_num("days_since_last_order"), op), [float(self.days)]

    def words(self) -> str:
        if self.ordered:
            return f"ordered in the last {_days(self.days)}"
        return f"ordered before, but not in the last {_days(self.days)}"


class ActivityRecency(_Base):
    """Any activity (events or orders) inside the window, or none in it (never active counts as none)."""

    kind: Literal["activity_recency"] = "activity_recency"
    active: bool
    days: int = Field(ge=1, le=3650)

    def clause(self) -> Clause:
        recency = sql.SQL("coalesce({}, 1e9)").format(_num("recency_days"))
        return sql.SQL("{} {} %s").format(recency, sql.SQL("<") if self.active else sql.SQL(">=")), [float(self.days)]

    def words(self) -> str:
        return f"{'active' if self.active else 'no activity'} in the last {_days(self.days)}"


class PlanIs(_Base):
    """The subscription plan on the customer's record (``attributes.plan``, e.g. free, team, business)."""

    kind: Literal["plan"] = "plan"
    plans: list[str] = Field(min_length=1)

    def clause(self) -> Clause:
        return (
            sql.SQL(
                "EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = f.customer_id "
                "AND c.attributes->>'plan' = ANY(%s))"
            ),
            [self.plans],
        )  # fmt: skip

    def words(self) -> str:
        return f"on the {' or '.join(p.capitalize() for p in self.plans)} plan"


class SeatUsage(_Base):
    """Paid teams whose members fill at least ``share`` of the seats they bought (their seat limit)."""

    kind: Literal["seat_usage"] = "seat_usage"
    share: float = Field(0.8, gt=0, le=1)

    def clause(self) -> Clause:
        return (
            sql.SQL(
                "EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = f.customer_id AND c.account_id IS NOT NULL "
                "AND coalesce(c.attributes->>'plan', 'free') <> 'free' AND (c.attributes->>'seats')::numeric > 0 "
                "AND (SELECT count(*) FROM customers m WHERE m.account_id = c.account_id AND m.merged_into IS NULL) "
                ">= %s * (c.attributes->>'seats')::numeric)"
            ),
            [self.share],
        )

    def words(self) -> str:
        return f"paid teams using at least {self.share:.0%} of their seats"


class PageVisit(_Base):
    """At least one view of ``page`` inside the window."""

    kind: Literal["page_visit"] = "page_visit"
    page: str = Field(min_length=1, pattern=r"^/")
    days: int = Field(30, ge=1, le=3650)

    def clause(self) -> Clause:
        return (
            sql.SQL(
                "EXISTS (SELECT 1 FROM events e WHERE e.customer_id = f.customer_id AND e.properties->>'page' = %s "
                "AND e.ts < f.as_of AND e.ts >= f.as_of - make_interval(days => %s))"
            ),
            [self.page, self.days],
        )

    def words(self) -> str:
        return f"visited {self.page} in the last {_days(self.days)}"


class BoughtCategory(_Base):
    """Bought from one of the product categories: ever, or (``days`` set) inside the window."""

    kind: Literal["category"] = "category"
    categories: list[str] = Field(min_length=1)
    days: int | None = Field(None, ge=1, le=3650)

    def clause(self) -> Clause:
        if self.days is None:
            return sql.SQL("(f.features->'categories') ?| %s"), [self.categories]
        return (
            sql.SQL(
                "EXISTS (SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.order_id "
                "JOIN products p ON p.product_id = l.product_id WHERE o.customer_id = f.customer_id "
                "AND o.status <> 'cancelled' AND p.category = ANY(%s) AND o.ordered_at < f.as_of "
                "AND o.ordered_at >= f.as_of - make_interval(days => %s))"
            ),
            [self.categories, self.days],
        )

    def words(self) -> str:
        named = " or ".join(c.replace("_", " ") for c in self.categories)
        return f"bought {named}" + (f" in the last {_days(self.days)}" if self.days else "")


class HighValue(_Base):
    """Spend over the last 365 days at least ``min_spend``, or (no amount stated) in the tenant's top
    ``top_share`` of spenders."""

    kind: Literal["value"] = "value"
    min_spend: float | None = Field(None, ge=0)
    top_share: float = Field(0.25, gt=0, le=1)

    def clause(self) -> Clause:
        spend = _num("monetary_365d")
        if self.min_spend is not None:
            return sql.SQL("{} >= %s").format(spend), [self.min_spend]
        cut = sql.SQL(
            "(SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY (g.features->>'monetary_365d')::float8) "
            "FROM customer_features g WHERE (g.features->>'monetary_365d')::float8 > 0)"
        )
        return sql.SQL("{} > 0 AND {} >= {}").format(spend, spend, cut), [1 - self.top_share]

    def words(self) -> str:
        if self.min_spend is not None:
            return f"spent at least {self.min_spend:g} in the last 365 days"
        return f"top {self.top_share:.0%} of spenders in the last 365 days"


class Employees(_Base):
    """Company headcount bounds from the record (``attributes.employees``)."""

    kind: Literal["employees"] = "employees"
    at_least: int | None = Field(None, ge=0)
    below: int | None = Field(None, ge=1)

    def clause(self) -> Clause:
        lo, hi = self.at_least if self.at_least is not None else 0, self.below if self.below is not None else 10**9
        return sql.SQL("{} >= %s AND {} < %s").format(_num("employees"), _num("employees")), [float(lo), float(hi)]

    def words(self) -> str:
        parts = [
            f"at least {self.at_least}" if self.at_least is not None else "",
            f"under {self.below}" if self.below else "",
        ]
        return f"{' and '.join(p for p in parts if p)} employees"


class Tenure(_Base):
    """How long the customer has been on record: newer than ``days`` or at least ``days`` old."""

    kind: Literal["tenure"] = "tenure"
    newer: bool
    days: int = Field(ge=1, le=36500)

    def clause(self) -> Clause:
        return sql.SQL("{} {} %s").format(_num("tenure_days"), sql.SQL("<") if self.newer else sql.SQL(">=")), [
            float(self.days)
        ]

    def words(self) -> str:
        return f"{'joined in the last' if self.newer else 'customers for at least'} {_days(self.days)}"


class Consented(_Base):
    """Marketing consent currently granted on a channel."""

    kind: Literal["consent"] = "consent"
    channel: Literal["email", "sms", "push", "in_app"]

    def clause(self) -> Clause:
        return (
            sql.SQL(
                "EXISTS (SELECT 1 FROM current_consents k WHERE k.customer_id = f.customer_id AND k.channel = %s "
                "AND k.purpose = 'marketing' AND k.status = 'granted')"
            ),
            [self.channel],
        )

    def words(self) -> str:
        return f"opted in to marketing by {self.channel.replace('_', '-')}"


Condition = Annotated[
    OrderRecency | ActivityRecency | PlanIs | SeatUsage | PageVisit | BoughtCategory | HighValue | Employees | Tenure
    | Consented,
    Field(discriminator="kind"),
]  # fmt: skip


class NotApplied(BaseModel):
    """A condition the goal states that no filter applies, and why (shown on the plan, never dropped silently)."""

    phrase: str
    reason: str
