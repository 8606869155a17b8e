"""Build a CustomerPolicyContext from the database: the only I/O on the policy path, done once per customer.

Reads consents (latest wins, as of `now`), the contact log and the outbox (caps, fatigue, budgets), open and recently
solved tickets, engagement events, failed payments and the products the tenant sells.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import psycopg

from hyperjourney.db.database import Database
from hyperjourney.policy.ledger import campaign_spend
from hyperjourney.policy.models import ConsentState, Contact, CustomerPolicyContext, OpenTicket, ProductInfo

ENGAGEMENT = {"email_open": "email", "email_click": "email", "sms_click": "sms", "push_open": "push"}


class UnknownCustomerError(ValueError):
    pass


def customer_context(
    db: Database, tenant: str, customer_id: str, *, now: datetime, product_ids: Iterable[str] | None = None
) -> CustomerPolicyContext:
    with db.tenant(tenant) as conn:
        return context_from(conn, customer_id, now=now, product_ids=product_ids)


def context_from(
    conn: psycopg.Connection[Any], customer_id: str, *, now: datetime, product_ids: Iterable[str] | None = None
) -> CustomerPolicyContext:
    row = conn.execute(
        "SELECT region, country, timezone, age_band, attributes FROM customers WHERE customer_id = %s",
        (customer_id,),
    ).fetchone()
    if row is None:
        raise UnknownCustomerError(f"customer {customer_id!r} does not exist in this tenant")
    region, country, tz, age_band, attributes = row
    consents = {
        (ch, purpose): ConsentState(channel=ch, purpose=purpose, status=status, source=source, captured_at=at)
        for ch, purpose, status, source, at in conn.execute(
            "SELECT DISTINCT ON (channel, purpose) channel, purpose, status, source, captured_at FROM consents "
            "WHERE customer_id = %s AND captured_at <= %s ORDER BY channel, purpose, captured_at DESC, consent_id DESC",
            (customer_id, now),
        )
    }
    horizon = now - timedelta(days=30)
    contacts = [
        Contact(channel=ch, purpose=p, sent_at=at, campaign_id=camp, cost=float(cost))
        for ch, p, at, camp, cost in conn.execute(
            "SELECT channel, purpose, sent_at, campaign_id, cost FROM contact_log "
            "WHERE customer_id = %s AND sent_at > %s ORDER BY sent_at",
            (customer_id, horizon),
        )
    ]
    contacts += _outbox_contacts(conn, customer_id, horizon)
    contacts.sort(key=lambda c: c.sent_at)
    tickets = [
        OpenTicket(ticket_id=tid, priority=prio, status=status, updated_at=upd, product_ids=_products(labels))
        for tid, prio, status, upd, labels in conn.execute(
            "SELECT ticket_id, priority, status, updated_at, labels FROM tickets WHERE customer_id = %s "
            "AND (status IN ('open', 'pending') OR updated_at > %s)",
            (customer_id, now - timedelta(days=7)),
        )
    ]
    engaged: dict[str, datetime] = {}
    for kind, ts in conn.execute(
        "SELECT type, max(ts) FROM events WHERE customer_id = %s AND type = ANY(%s) AND ts <= %s GROUP BY type",
        (customer_id, list(ENGAGEMENT), now),
    ):
        ch = ENGAGEMENT[kind]
        engaged[ch] = max(engaged.get(ch, ts), ts)
    streak: dict[str, int] = {}
    for c in contacts:
        if c.purpose == "marketing" and c.sent_at <= now and c.sent_at > engaged.get(c.channel, horizon):
            streak[c.channel] = streak.get(c.channel, 0) + 1
    failed = conn.execute(
        "SELECT count(*) FROM events WHERE customer_id = %s AND type = 'payment_failed' AND ts > %s AND ts <= %s",
        (customer_id, now - timedelta(days=60), now),
    ).fetchone()
    wanted = list(product_ids) if product_ids is not None else None
    products = {
        pid: ProductInfo(product_id=pid, inventory=inv, age_gated=gated)
        for pid, inv, gated in conn.execute(
            "SELECT product_id, inventory, age_gated FROM products WHERE %s::text[] IS NULL OR product_id = ANY(%s)",
            (wanted, wanted),
        )
    }
    spend = campaign_spend(conn)
    day = conn.execute(
        "SELECT coalesce(sum(cost), 0) FROM contact_log WHERE sent_at::date = %s::date", (now,)
    ).fetchone()
    flags = attributes.get("flags", []) if isinstance(attributes, dict) else []
    return CustomerPolicyContext(
        customer_id=customer_id,
        region=region,
        country=country,
        timezone=tz,
        age_band=age_band,
        consents=consents,
        contacts=contacts,
        tickets=tickets,
        products=products,
        unengaged_streak=streak,
        failed_payments_60d=int(failed[0]) if failed else 0,
        flags=[str(f) for f in flags] if isinstance(flags, list) else [],
        campaign_spend=spend,
        day_spend=float(day[0]) if day else 0.0,
    )


def _outbox_contacts(conn: psycopg.Connection[Any], customer_id: str, horizon: datetime) -> list[Contact]:
    """Messages queued in the actions part's outbox count toward caps before they go out.

    Delivered ones are not read here: the dispatcher records each delivery in the contact log.
    """
    exists = conn.execute("SELECT to_regclass('outbox') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return []
    return [
        Contact(channel=ch, purpose=p, sent_at=at, campaign_id=journey)
        for ch, p, at, journey in conn.execute(
            "SELECT channel, purpose, coalesce(sent_at, next_attempt_at), journey_id FROM outbox "
            "WHERE customer_id = %s AND status IN ('pending', 'sending') "
            "AND coalesce(sent_at, next_attempt_at) > %s",
            (customer_id, horizon),
        )
    ]


def _products(labels: Any) -> list[str]:
    if isinstance(labels, dict):
        value = labels.get("product_ids") or labels.get("product_id")
        if isinstance(value, list):
            return [str(v) for v in value]
        if isinstance(value, str):
            return [value]
    return []
