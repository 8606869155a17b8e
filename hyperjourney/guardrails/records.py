"""The customer's own record as citable evidence: an order's status and date, a plan and its seats.

A reply that says "your order ord_000212 is shipped" states a fact as surely as one quoting the knowledge base, so
it cites it: ``record:order/<order_id>#status``, ``record:customer/<customer_id>#plan``. The evidence is always
read from the database row here (never taken from the caller), for the reply's own recipient only, and a claim
citing it must state the row's value (in any of the four locales' words), so a tampered or invented value is
blocked like an unsupported knowledge claim. Which fields a ticket needs follows its intent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import yaml
from psycopg import Connection
from pydantic import BaseModel, Field

from hyperjourney.guardrails.models import Evidence
from hyperjourney.prompts.loader import load

PREFIX = "record:"
_ID = re.compile(r"^record:(order/[^#\s\]]+#(?:status|ordered_at|delivered_at)|customer/[^#\s\]]+#(?:plan|seats))$")
ORDER_INTENTS = frozenset({"shipping_delay", "refund_request", "sizing_fit", "complaint"})
"""Intents whose answer starts from the customer's latest order (where it is, what a refund covers)."""
PLAN_INTENTS = frozenset({"billing_question", "upgrade_inquiry", "cancel_subscription"})
"""Intents about the subscription: the plan (and seats) the customer is on."""
ORDER_FIELDS = ("status", "ordered_at", "delivered_at")


class RecordFact(BaseModel):
    """One field of the customer's record, as evidence a reply may cite."""

    citation_id: str = Field(description="record:<table>/<key>#<field>, stable for the row")
    table: str
    key: str = Field(description="the order id or customer id")
    field: str
    value: str = Field(description="the value as stored (a status code, an ISO date, a plan name)")

    def evidence(self) -> Evidence:
        """The fact as the citation check reads it: its words, and the values a claim citing it must state."""
        text = f"{self.table} {self.key} {self.field.replace('_', ' ')}: {self.value}"
        forms = [self.value, *(w[self.value] for w in status_words().values() if self.value in w)]
        names = self.key if self.table == "order" else ""  # "your order X": X must be this order
        return Evidence(citation_id=self.citation_id, text=text, title="customer record", values=forms, names=names)


@cache
def status_words() -> dict[str, dict[str, str]]:
    """Each locale's words for an order status (prompts/support_reply_phrases, ``status``), by locale."""
    table: dict[str, dict[str, Any]] = yaml.safe_load(load("support_reply_phrases").text)
    return {locale: dict(words.get("status") or {}) for locale, words in table.items()}


def _order_facts(order_id: str, status: str, ordered_at: Any, delivered_at: Any, fields: tuple[str, ...]) -> list[
    RecordFact
]:  # fmt: skip
    values = {"status": status, "ordered_at": f"{ordered_at:%Y-%m-%d}",
              "delivered_at": f"{delivered_at:%Y-%m-%d}" if delivered_at else None}  # fmt: skip
    return [
        RecordFact(citation_id=f"{PREFIX}order/{order_id}#{f}", table="order", key=order_id, field=f, value=v)
        for f in fields
        if (v := values[f])
    ]


def record_facts(conn: Connection[Any], customer_id: str, intent: str) -> list[RecordFact]:
    """The record fields a ticket of ``intent`` needs: the latest order (status, date, delivery) for order
    intents, the plan and seats for subscription intents, nothing for praise or anything else."""
    if intent in ORDER_INTENTS:
        row = conn.execute(
            "SELECT order_id, status, ordered_at, delivered_at FROM orders WHERE customer_id = %s "
            "ORDER BY ordered_at DESC, order_id LIMIT 1",
            (customer_id,),
        ).fetchone()
        return _order_facts(str(row[0]), str(row[1]), row[2], row[3], ORDER_FIELDS) if row else []
    if intent in PLAN_INTENTS:
        row = conn.execute(
            "SELECT attributes->>'plan', attributes->>'seats' FROM customers WHERE customer_id = %s", (customer_id,)
        ).fetchone()
        if row is None or not row[0]:
            return []
        seats = str(row[1]) if row[1] and str(row[1]).isdigit() and int(row[1]) > 1 else None  # one seat says nothing
        values = {"plan": str(row[0]), "seats": seats}
        return [
            RecordFact(citation_id=f"{PREFIX}customer/{customer_id}#{f}", table="customer", key=customer_id, field=f,
                       value=v)
            for f, v in values.items()
            if v
        ]  # fmt: skip
    return []


def resolve(conn: Connection[Any], citation_ids: Iterable[str], customer_id: str | None) -> list[Evidence]:
    """The evidence behind each ``record:`` id, read from its row; an id of another customer's record (or of a
    row that does not exist) resolves to nothing, so a claim citing it fails as an unknown citation."""
    out = []
    for cid in sorted(set(citation_ids)):
        m = _ID.match(cid)
        if m is None or customer_id is None:
            continue
        table, _, rest = m.group(1).partition("/")
        key, _, field = rest.partition("#")
        if table == "order":
            row = conn.execute(
                "SELECT order_id, status, ordered_at, delivered_at FROM orders WHERE order_id = %s "
                "AND customer_id = %s",
                (key, customer_id),
            ).fetchone()
            facts = _order_facts(str(row[0]), str(row[1]), row[2], row[3], (field,)) if row else []
        elif key == customer_id and field in ("plan", "seats"):
            row = conn.execute(
                "SELECT attributes->>%s FROM customers WHERE customer_id = %s", (field, customer_id)
            ).fetchone()
            value = str(row[0]) if row and row[0] else None
            facts = [RecordFact(citation_id=cid, table=table, key=key, field=field, value=value)] if value else []
        else:
            facts = []
        out += [f.evidence() for f in facts]
    return out


def is_record(citation_id: str) -> bool:
    return citation_id.startswith(PREFIX)
