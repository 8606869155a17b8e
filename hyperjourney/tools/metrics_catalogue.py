"""The metric catalogue: every query an insight goal may run, written here and only here.

Each entry is a fixed SQL template over the tenant's own tables with named slots for a grouping expression, the
period's bounds and a row limit. The grouping expression comes from the entry's own dictionary of dimensions (a
caller picks a key, never writes SQL); bounds and limit are bound parameters. Tenancy comes from row-level
security on the connection the tool opens, not from a WHERE clause here.

The demo data has no physical stores: an order's *storefront* is where its checkout happened (the ``checkout``
event's channel: web or app), and a customer's region and country stand in for a store's location.
"""

from __future__ import annotations

from dataclasses import dataclass

# The storefront of an order: the channel of its checkout event (web, app), "unknown" without one.
_CHECKOUTS = (
    "LEFT JOIN (SELECT DISTINCT ON (e.properties->>'order_id') e.properties->>'order_id' AS order_id, e.channel "
    "FROM events e WHERE e.type = 'checkout' ORDER BY e.properties->>'order_id', e.ts) ck "
    "ON ck.order_id = o.order_id"
)
_ORDER_DIMENSIONS = {
    "storefront": "coalesce(ck.channel, 'unknown')",
    "region": "coalesce(c.region, 'unknown')",
    "country": "coalesce(c.country, 'unknown')",
    "category": "p.category",
    "product": "p.name",
    "industry": "coalesce(c.industry, 'unknown')",
    "lifecycle_stage": "c.lifecycle_stage",
    "business": "coalesce(c.attributes->>'segment', 'unknown')",
    "month": "to_char(date_trunc('month', {time}), 'YYYY-MM')",
}


@dataclass(frozen=True)
class Entry:
    """One catalogue query: what it answers, its dimensions (key → SQL expression), the columns it returns
    after the group, which column a chart plots, and its SQL with ``{group}`` / ``{time}`` slots."""

    title: str
    description: str
    dimensions: dict[str, str]
    measures: tuple[str, ...]
    chart: str
    time: str
    template: str


CATALOGUE: dict[str, Entry] = {
    "returns": Entry(
        title="Returns",
        description="Returned units, return lines and refunded value (units × unit price) by group and period",
        dimensions={**_ORDER_DIMENSIONS, "reason": "coalesce(r.reason, 'unknown')"},
        measures=("returned_units", "return_lines", "refunded_usd"),
        chart="returned_units",
        time="r.returned_at",
        template=(
            "SELECT {group} AS grp, sum(r.quantity) AS returned_units, count(*) AS return_lines, "
            "round(sum(r.quantity * l.unit_price), 2) AS refunded_usd "
            "FROM returns r JOIN order_lines l ON l.order_id = r.order_id AND l.line_no = r.line_no "
            "JOIN orders o ON o.order_id = r.order_id JOIN products p ON p.product_id = l.product_id "
            f"JOIN customers c ON c.customer_id = o.customer_id {_CHECKOUTS} "
            "WHERE {time} >= %(start)s AND {time} < %(end)s "
            "GROUP BY 1 ORDER BY returned_units DESC, grp LIMIT %(limit)s"
        ),
    ),
    "revenue": Entry(
        title="Revenue",
        description="Orders, units and revenue (not cancelled) by group and period",
        dimensions=_ORDER_DIMENSIONS,
        measures=("orders", "units", "revenue_usd"),
        chart="revenue_usd",
        time="o.ordered_at",
        template=(
            "SELECT {group} AS grp, count(DISTINCT o.order_id) AS orders, sum(l.quantity) AS units, "
            "round(sum(l.quantity * l.unit_price), 2) AS revenue_usd "
            "FROM orders o JOIN order_lines l ON l.order_id = o.order_id "
            "JOIN products p ON p.product_id = l.product_id "
            f"JOIN customers c ON c.customer_id = o.customer_id {_CHECKOUTS} "
            "WHERE o.status <> 'cancelled' AND {time} >= %(start)s AND {time} < %(end)s "
            "GROUP BY 1 ORDER BY revenue_usd DESC, grp LIMIT %(limit)s"
        ),
    ),
    "return_rate": Entry(
        title="Return rate",
        description="Share of sold units returned, by group, for orders placed in the period",
        dimensions={k: v for k, v in _ORDER_DIMENSIONS.items() if k != "month"},
        measures=("sold_units", "returned_units", "return_rate"),
        chart="return_rate",
        time="o.ordered_at",
        template=(
            "SELECT {group} AS grp, sum(l.quantity) AS sold_units, coalesce(sum(r.quantity), 0) AS returned_units, "
            "round(coalesce(sum(r.quantity), 0)::numeric / nullif(sum(l.quantity), 0), 4) AS return_rate "
            "FROM orders o JOIN order_lines l ON l.order_id = o.order_id "
            "LEFT JOIN returns r ON r.order_id = l.order_id AND r.line_no = l.line_no "
            "JOIN products p ON p.product_id = l.product_id "
            f"JOIN customers c ON c.customer_id = o.customer_id {_CHECKOUTS} "
            "WHERE {time} >= %(start)s AND {time} < %(end)s "
            "GROUP BY 1 ORDER BY return_rate DESC NULLS LAST, grp LIMIT %(limit)s"
        ),
    ),
    "conversion_by_journey": Entry(
        title="Journey conversion",
        description="Enrolled customers per journey and arm, and the share who met the journey's goal",
        dimensions={"journey": "en.journey_id || ' · ' || en.arm"},
        measures=("enrolled", "goal_met", "conversion_rate"),
        chart="conversion_rate",
        time="en.started_at",
        template=(
            "SELECT {group} AS grp, count(*) AS enrolled, count(*) FILTER (WHERE en.state = 'goal_met') AS goal_met, "
            "round(avg((en.state = 'goal_met')::int), 4) AS conversion_rate "
            "FROM journey_enrollments en WHERE {time} >= %(start)s AND {time} < %(end)s "
            "GROUP BY 1 ORDER BY grp LIMIT %(limit)s"
        ),
    ),
    "conversion_by_channel": Entry(
        title="Channel conversion",
        description="Delivered sends per channel and the conversions attributed to them",
        dimensions={"channel": "ob.channel"},
        measures=("delivered", "conversions", "conversion_rate", "attributed_usd"),
        chart="conversion_rate",
        time="ob.created_at",
        template=(
            "SELECT {group} AS grp, count(DISTINCT ob.action_id) AS delivered, "
            "count(DISTINCT a.event_id) FILTER (WHERE a.outcome = 'conversion') AS conversions, "
            "round(count(DISTINCT a.event_id) FILTER (WHERE a.outcome = 'conversion')::numeric "
            "/ nullif(count(DISTINCT ob.action_id), 0), 4) AS conversion_rate, "
            "round(coalesce(sum(a.value) FILTER (WHERE a.outcome = 'conversion'), 0)::numeric, 2) AS attributed_usd "
            "FROM outbox ob LEFT JOIN attributions a ON a.action_id = ob.action_id "
            "WHERE ob.status = 'delivered' AND {time} >= %(start)s AND {time} < %(end)s "
            "GROUP BY 1 ORDER BY conversion_rate DESC NULLS LAST, grp LIMIT %(limit)s"
        ),
    ),
    "churn_by_cohort": Entry(
        title="Churn by cohort",
        description="Customers created in the period, grouped by cohort, and the share now churned or at risk",
        dimensions={
            "signup_month": "to_char(date_trunc('month', {time}), 'YYYY-MM')",
            "region": "coalesce(c.region, 'unknown')",
            "business": "coalesce(c.attributes->>'segment', 'unknown')",
            "industry": "coalesce(c.industry, 'unknown')",
        },
        measures=("customers", "churned", "churn_rate", "at_risk_rate"),
        chart="churn_rate",
        time="c.created_at",
        template=(
            "SELECT {group} AS grp, count(*) AS customers, count(*) FILTER (WHERE c.lifecycle_stage = 'churned') "
            "AS churned, round(avg((c.lifecycle_stage = 'churned')::int), 4) AS churn_rate, "
            "round(avg((c.lifecycle_stage = 'at_risk')::int), 4) AS at_risk_rate "
            "FROM customers c WHERE c.merged_into IS NULL AND {time} >= %(start)s AND {time} < %(end)s "
            "GROUP BY 1 ORDER BY grp LIMIT %(limit)s"
        ),
    ),
    "tickets": Entry(
        title="Support tickets",
        description="Tickets opened in the period by group (intent and sentiment as labelled on the ticket)",
        dimensions={
            "intent": "coalesce(t.labels->>'intent', 'unlabelled')",
            "sentiment": "coalesce(t.labels->>'sentiment', 'unlabelled')",
            "channel": "t.channel",
            "priority": "t.priority",
            "status": "t.status",
            "language": "t.language",
            "month": "to_char(date_trunc('month', {time}), 'YYYY-MM')",
        },
        measures=("tickets", "escalated", "open"),
        chart="tickets",
        time="t.opened_at",
        template=(
            "SELECT {group} AS grp, count(*) AS tickets, "
            "count(*) FILTER (WHERE (t.labels->>'escalate')::boolean IS TRUE) AS escalated, "
            "count(*) FILTER (WHERE t.status IN ('open', 'pending')) AS open "
            "FROM tickets t WHERE {time} >= %(start)s AND {time} < %(end)s "
            "GROUP BY 1 ORDER BY tickets DESC, grp LIMIT %(limit)s"
        ),
    ),
}
