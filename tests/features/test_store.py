"""The feature store: registry, stale flags, incremental == full recompute, and no future leakage."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from hyperjourney.data.demo_tenant import seed
from hyperjourney.db.database import Database
from hyperjourney.features.definitions import DEFINITIONS
from hyperjourney.features.store import compute, data_time, read, refresh_all, refresh_customer
from hyperjourney.features.training import outcomes, training_set


@pytest.fixture(scope="module")
def small(db: Database) -> str:
    tenant = f"feat-{uuid.uuid4().hex[:8]}"
    seed(db, tenant, customers=300, events=12_000, tickets=60)
    refresh_all(db, tenant)
    return tenant


def _busy_customer(db: Database, tenant: str, business: str, by: str = "events_total") -> str:
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT f.customer_id FROM customer_features f WHERE f.features->>'business' = %s "
            "ORDER BY (f.features->>%s)::int DESC, f.customer_id LIMIT 1",
            (business, by),
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_registry_lineage_and_values(db: Database, small: str) -> None:
    with db.tenant(small) as conn:
        registered = conn.execute(
            "SELECT count(*), bool_and(cardinality(sources) > 0) FROM feature_definitions"
        ).fetchone()
        n = conn.execute("SELECT count(*) FROM customer_features").fetchone()
        alive = conn.execute("SELECT count(*) FROM customers WHERE merged_into IS NULL").fetchone()
    assert registered == (len(DEFINITIONS), True)
    assert n == alive
    shopper = _busy_customer(db, small, "dtc", by="orders_total")
    with db.tenant(small) as conn:
        row = read(conn, shopper)
    assert row is not None
    assert set(row.values) == set(DEFINITIONS)
    assert row.values["orders_total"] > 0 and row.values["monetary_total"] > 0
    assert row.values["rfm_segment"] != "no_purchase"
    assert abs(sum(row.values["category_affinity"].values()) - 1) < 0.01
    assert sum(row.values["active_hours"].values()) > 0


def test_stale_flags_follow_each_features_sla(db: Database, small: str) -> None:
    cid = _busy_customer(db, small, "plg")
    with db.tenant(small) as conn:
        row = read(conn, cid)
        assert row is not None
        later = read(conn, cid, now=row.computed_at + timedelta(hours=2))
        much_later = read(conn, cid, now=row.computed_at + timedelta(days=60))
    assert row.stale == []
    assert later is not None and "events_7d" in later.stale and "industry" not in later.stale
    assert much_later is not None and set(much_later.stale) == set(DEFINITIONS)


def test_incremental_update_equals_full_recompute(db: Database, small: str) -> None:
    cid = _busy_customer(db, small, "b2b", by="account_contacts")
    with db.tenant(small) as conn:
        before = read(conn, cid)
        at = data_time(conn)
        conn.execute(
            "INSERT INTO events (tenant_id, event_id, customer_id, type, ts, channel, properties) VALUES "
            "(current_tenant(), %s, %s, 'page_view', %s, 'web', '{\"page\": \"/pricing\"}')",
            (f"ev-new-{uuid.uuid4().hex[:6]}", cid, at),
        )
    incremental = refresh_customer(db, small, cid)
    with db.tenant(small) as conn:
        full = compute(conn, incremental.as_of)
        peers = [
            r[0]
            for r in conn.execute(
                "SELECT customer_id FROM customers WHERE account_id = (SELECT account_id FROM customers "
                "WHERE customer_id = %s) AND merged_into IS NULL",
                (cid,),
            )
        ]
        stored = {p: read(conn, p) for p in peers}
    assert before is not None
    assert incremental.values["pricing_views_7d"] == before.values["pricing_views_7d"] + 1
    assert incremental.values == full[cid]
    assert len(peers) > 1
    for peer, row in stored.items():
        assert row is not None and row.values == full[peer]
        assert row.values["account_pricing_views_30d"] == incremental.values["account_pricing_views_30d"]


def test_training_sets_never_see_the_future(db: Database, small: str) -> None:
    """Features as of a cutoff equal features computed after deleting everything from the cutoff on."""
    with db.tenant(small) as conn:
        cutoff = data_time(conn) - timedelta(days=90)
        examples = {e.customer_id: e for e in training_set(conn, cutoff)}
        future_outcomes = outcomes(conn, cutoff)
    assert sum(e.outcome.active for e in examples.values()) > 0

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), db.tenant(small) as conn:
        conn.execute(
            "DELETE FROM returns WHERE order_id IN (SELECT order_id FROM orders WHERE ordered_at >= %s)", (cutoff,)
        )
        conn.execute("DELETE FROM returns WHERE returned_at >= %s", (cutoff,))
        conn.execute(
            "DELETE FROM order_lines WHERE order_id IN (SELECT order_id FROM orders WHERE ordered_at >= %s)", (cutoff,)
        )
        conn.execute("DELETE FROM orders WHERE ordered_at >= %s", (cutoff,))
        conn.execute(
            "DELETE FROM messages WHERE ticket_id IN (SELECT ticket_id FROM tickets WHERE opened_at >= %s)", (cutoff,)
        )
        conn.execute("DELETE FROM tickets WHERE opened_at >= %s", (cutoff,))
        conn.execute("DELETE FROM events WHERE ts >= %s", (cutoff,))
        truncated = compute(conn, cutoff)
        after_truncation = outcomes(conn, cutoff)
        raise Rollback
    assert set(truncated) == set(examples)
    for cid, values in truncated.items():
        assert values == examples[cid].features, cid
    # and the outcomes really come from after the cutoff: with the future gone, nobody did anything
    assert not any(o.active or o.purchased or o.spend for o in after_truncation.values())
    assert any(o.active for o in future_outcomes.values())


def test_features_are_tenant_isolated(db: Database, small: str, tenant: str) -> None:
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) FROM customer_features").fetchone() == (0,)
    with pytest.raises(ValueError, match="does not exist"):
        refresh_customer(db, tenant, _busy_customer(db, small, "dtc"))
