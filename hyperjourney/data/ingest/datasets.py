"""How each dataset is staged, checked against what is stored, and merged into its tables.

A dataset stages its rows with COPY into temporary tables, then set-based SQL rejects rows that
reference unknown customers or products, or that reuse an id for different content (``conflicts``),
and inserts the rest with ON CONFLICT DO NOTHING: re-ingesting the same file is a no-op, and a
changed row is a reject naming both values rather than a silent skip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import to_json

from hyperjourney.data.identities import identities_of
from hyperjourney.data.ingest.conflicts import Conflict
from hyperjourney.data.ingest.money import rounded
from hyperjourney.data.ingest.rows import (
    ConsentRow,
    CustomerRow,
    EventRow,
    OrderLineRow,
    ProductRow,
    Row,
    TicketMessageRow,
)


@dataclass(frozen=True)
class Stage:
    """A temporary table filled by COPY; ``line`` ties every staged row to its source line."""

    name: str
    columns: tuple[tuple[str, str], ...]

    @property
    def column_names(self) -> list[str]:
        return ["line", *(c for c, _ in self.columns)]

    def create_sql(self) -> str:
        cols = ", ".join(f"{c} {t}" for c, t in (("line", "integer NOT NULL"), *self.columns))
        return f"CREATE TEMP TABLE {self.name} ({cols}) ON COMMIT DROP"


@dataclass(frozen=True)
class Check:
    """A query over the stage returning (line, bad value) for rows that must be rejected."""

    field: str
    reason: str
    sql: str


@dataclass(frozen=True)
class Dataset:
    name: str
    row_model: type[Row]
    target: str
    stages: tuple[Stage, ...]
    to_stage: Callable[[Any], dict[str, list[tuple[Any, ...]]]]
    inserts: tuple[tuple[str, str], ...]
    checks: tuple[Check, ...] = field(default=())
    conflicts: tuple[Conflict, ...] = field(default=())

    @property
    def main_stage(self) -> Stage:
        return self.stages[0]


def _json(value: dict[str, Any]) -> str:
    return to_json(value).decode()


def _unknown_customer(stage: str) -> Check:
    return Check(
        "customer_id",
        "unknown customer (ingest customers first)",
        f"SELECT s.line, s.customer_id FROM {stage} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = s.customer_id)",
    )


_CUSTOMER_COLUMNS = (
    ("customer_id", "text"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("account_id", "text"),
    ("company", "text"),
    ("industry", "text"),
    ("job_title", "text"),
    ("lifecycle_stage", "text"),
    ("region", "text"),
    ("country", "text"),
    ("language", "text"),
    ("timezone", "text"),
    ("age_band", "text"),
    ("attributes", "jsonb"),
    ("created_at", "timestamptz"),
)


def _customer_stage(row: CustomerRow) -> dict[str, list[tuple[Any, ...]]]:
    values = tuple(
        _json(row.attributes) if name == "attributes" else getattr(row, name) for name, _ in _CUSTOMER_COLUMNS
    )
    idents = [(row.customer_id, kind, value, raw) for kind, value, raw in identities_of(row)]
    return {"stage_customers": [values], "stage_identities": idents}


_CUSTOMER_NAMES = ", ".join(c for c, _ in _CUSTOMER_COLUMNS)

CUSTOMERS = Dataset(
    name="customers",
    row_model=CustomerRow,
    target="customers",
    stages=(
        Stage("stage_customers", _CUSTOMER_COLUMNS),
        Stage(
            "stage_identities",
            (("customer_id", "text"), ("kind", "text"), ("value", "text"), ("raw_value", "text")),
        ),
    ),
    to_stage=_customer_stage,
    inserts=(
        (
            "customers",
            f"INSERT INTO customers (tenant_id, {_CUSTOMER_NAMES}, updated_at) "
            f"SELECT current_tenant(), {_CUSTOMER_NAMES}, created_at FROM stage_customers "
            "ON CONFLICT DO NOTHING",
        ),
        (
            "identities",
            "INSERT INTO identities (tenant_id, customer_id, kind, value, raw_value) "
            "SELECT current_tenant(), i.customer_id, i.kind, i.value, i.raw_value FROM stage_identities i "
            "WHERE i.line IN (SELECT line FROM stage_customers) ON CONFLICT DO NOTHING",
        ),
    ),
    conflicts=(Conflict("stage_customers", "customers", ("customer_id",), tuple(c for c, _ in _CUSTOMER_COLUMNS[1:])),),
)


def _event_stage(row: EventRow) -> dict[str, list[tuple[Any, ...]]]:
    return {"stage_events": [(row.event_id, row.customer_id, row.type, row.ts, row.channel, _json(row.properties))]}


EVENTS = Dataset(
    name="events",
    row_model=EventRow,
    target="events",
    stages=(
        Stage(
            "stage_events",
            (
                ("event_id", "text"),
                ("customer_id", "text"),
                ("type", "text"),
                ("ts", "timestamptz"),
                ("channel", "text"),
                ("properties", "jsonb"),
            ),
        ),
    ),
    to_stage=_event_stage,
    inserts=(
        (
            "events",
            "INSERT INTO events (tenant_id, event_id, customer_id, type, ts, channel, properties) "
            "SELECT current_tenant(), event_id, customer_id, type, ts, channel, properties FROM stage_events "
            "ON CONFLICT DO NOTHING",
        ),
    ),
    checks=(_unknown_customer("stage_events"),),
    conflicts=(
        Conflict("stage_events", "events", ("event_id",), ("customer_id", "type", "ts", "channel", "properties")),
    ),
)


def _product_stage(row: ProductRow) -> dict[str, list[tuple[Any, ...]]]:
    price, original = rounded(row.price, "USD")  # products carry no currency: cents, like most currencies
    return {
        "stage_products": [
            (
                row.product_id,
                row.name,
                row.category,
                price,
                original,
                row.margin,
                row.inventory,
                row.age_gated,
                _json(row.attributes),
            )
        ]
    }


PRODUCTS = Dataset(
    name="products",
    row_model=ProductRow,
    target="products",
    stages=(
        Stage(
            "stage_products",
            (
                ("product_id", "text"),
                ("name", "text"),
                ("category", "text"),
                ("price", "numeric"),
                ("price_original", "numeric"),
                ("margin", "numeric"),
                ("inventory", "integer"),
                ("age_gated", "boolean"),
                ("attributes", "jsonb"),
            ),
        ),
    ),
    to_stage=_product_stage,
    inserts=(
        (
            "products",
            "INSERT INTO products (tenant_id, product_id, name, category, price, price_original, margin, inventory, "
            "age_gated, attributes) SELECT current_tenant(), product_id, name, category, price, price_original, "
            "margin, inventory, age_gated, attributes FROM stage_products ON CONFLICT DO NOTHING",
        ),
    ),
)


def _order_stage(row: OrderLineRow) -> dict[str, list[tuple[Any, ...]]]:
    unit_price, original = rounded(row.unit_price, row.currency)
    return {
        "stage_orders": [
            (
                row.order_id,
                row.line_no,
                row.customer_id,
                row.ordered_at,
                row.status,
                row.currency,
                row.delivered_at,
                row.product_id,
                row.quantity,
                unit_price,
                original,
                row.returned_quantity,
                row.return_reason,
                row.returned_at,
            )
        ]
    }


ORDERS = Dataset(
    name="orders",
    row_model=OrderLineRow,
    target="order_lines",
    stages=(
        Stage(
            "stage_orders",
            (
                ("order_id", "text"),
                ("line_no", "integer"),
                ("customer_id", "text"),
                ("ordered_at", "timestamptz"),
                ("status", "text"),
                ("currency", "text"),
                ("delivered_at", "timestamptz"),
                ("product_id", "text"),
                ("quantity", "integer"),
                ("unit_price", "numeric"),
                ("unit_price_original", "numeric"),
                ("returned_quantity", "integer"),
                ("return_reason", "text"),
                ("returned_at", "timestamptz"),
            ),
        ),
    ),
    to_stage=_order_stage,
    inserts=(
        (
            "orders",
            "INSERT INTO orders (tenant_id, order_id, customer_id, ordered_at, status, currency, delivered_at) "
            "SELECT DISTINCT ON (order_id) current_tenant(), order_id, customer_id, ordered_at, status, currency, "
            "delivered_at FROM stage_orders ORDER BY order_id, line ON CONFLICT DO NOTHING",
        ),
        (
            "order_lines",
            "INSERT INTO order_lines (tenant_id, order_id, line_no, product_id, quantity, unit_price, "
            "unit_price_original) SELECT current_tenant(), order_id, line_no, product_id, quantity, unit_price, "
            "unit_price_original FROM stage_orders ON CONFLICT DO NOTHING",
        ),
        (
            "returns",
            "INSERT INTO returns (tenant_id, order_id, line_no, quantity, reason, returned_at) "
            "SELECT current_tenant(), order_id, line_no, returned_quantity, return_reason, "
            "coalesce(returned_at, delivered_at, ordered_at) FROM stage_orders "
            "WHERE returned_quantity IS NOT NULL ON CONFLICT DO NOTHING",
        ),
    ),
    checks=(
        _unknown_customer("stage_orders"),
        Check(
            "product_id",
            "unknown product (ingest products first)",
            "SELECT s.line, s.product_id FROM stage_orders s "
            "WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.product_id = s.product_id)",
        ),
        Check(
            "returned_quantity",
            "more returned than ordered",
            "SELECT line, returned_quantity::text FROM stage_orders WHERE returned_quantity > quantity",
        ),
        Check(
            "customer_id",
            "order already stored for another customer",
            "SELECT s.line, s.customer_id FROM stage_orders s JOIN orders o USING (order_id) "
            "WHERE o.customer_id <> s.customer_id",
        ),
    ),
    conflicts=(
        Conflict("stage_orders", "order_lines", ("order_id", "line_no"), ("product_id", "quantity", "unit_price")),
    ),
)


def _ticket_stage(row: TicketMessageRow) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "stage_tickets": [
            (
                row.ticket_id,
                row.message_id,
                row.customer_id,
                row.channel,
                row.subject,
                row.status,
                row.priority,
                row.language,
                _json(row.labels),
                row.author,
                row.body,
                row.sent_at,
            )
        ]
    }


TICKETS = Dataset(
    name="tickets",
    row_model=TicketMessageRow,
    target="messages",
    stages=(
        Stage(
            "stage_tickets",
            (
                ("ticket_id", "text"),
                ("message_id", "text"),
                ("customer_id", "text"),
                ("channel", "text"),
                ("subject", "text"),
                ("status", "text"),
                ("priority", "text"),
                ("language", "text"),
                ("labels", "jsonb"),
                ("author", "text"),
                ("body", "text"),
                ("sent_at", "timestamptz"),
            ),
        ),
    ),
    to_stage=_ticket_stage,
    inserts=(
        (
            "tickets",
            "INSERT INTO tickets (tenant_id, ticket_id, customer_id, channel, subject, status, priority, language, "
            "labels, opened_at, updated_at) "
            "SELECT DISTINCT ON (ticket_id) current_tenant(), ticket_id, customer_id, channel, subject, status, "
            "priority, language, labels, min(sent_at) OVER w, max(sent_at) OVER w FROM stage_tickets "
            "WINDOW w AS (PARTITION BY ticket_id) ORDER BY ticket_id, line "
            # an upsert of labels too: a re-ingested file corrects a ticket's labels (keys it gives replace
            # the stored ones; keys it omits are kept), so fixing labels needs no delete
            "ON CONFLICT (tenant_id, ticket_id) DO UPDATE SET "
            "opened_at = least(tickets.opened_at, EXCLUDED.opened_at), "
            "updated_at = greatest(tickets.updated_at, EXCLUDED.updated_at), "
            "labels = tickets.labels || EXCLUDED.labels "
            "WHERE EXCLUDED.opened_at < tickets.opened_at OR EXCLUDED.updated_at > tickets.updated_at "
            "OR tickets.labels || EXCLUDED.labels IS DISTINCT FROM tickets.labels",
        ),
        (
            "messages",
            "INSERT INTO messages (tenant_id, message_id, ticket_id, author, body, sent_at) "
            "SELECT current_tenant(), message_id, ticket_id, author, body, sent_at FROM stage_tickets "
            "ON CONFLICT DO NOTHING",
        ),
    ),
    checks=(
        _unknown_customer("stage_tickets"),
        Check(
            "customer_id",
            "ticket already stored for another customer",
            "SELECT s.line, s.customer_id FROM stage_tickets s JOIN tickets t USING (ticket_id) "
            "WHERE t.customer_id <> s.customer_id",
        ),
    ),
    conflicts=(Conflict("stage_tickets", "messages", ("message_id",), ("ticket_id", "author", "body", "sent_at")),),
)


def _consent_stage(row: ConsentRow) -> dict[str, list[tuple[Any, ...]]]:
    return {"stage_consents": [(row.customer_id, row.channel, row.purpose, row.status, row.source, row.captured_at)]}


CONSENTS = Dataset(
    name="consents",
    row_model=ConsentRow,
    target="consents",
    stages=(
        Stage(
            "stage_consents",
            (
                ("customer_id", "text"),
                ("channel", "text"),
                ("purpose", "text"),
                ("status", "text"),
                ("source", "text"),
                ("captured_at", "timestamptz"),
            ),
        ),
    ),
    to_stage=_consent_stage,
    inserts=(
        (
            "consents",
            "INSERT INTO consents (tenant_id, customer_id, channel, purpose, status, source, captured_at) "
            "SELECT current_tenant(), customer_id, channel, purpose, status, source, captured_at "
            "FROM stage_consents ON CONFLICT DO NOTHING",
        ),
    ),
    checks=(_unknown_customer("stage_consents"),),
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (CUSTOMERS, EVENTS, PRODUCTS, ORDERS, TICKETS, CONSENTS)}
