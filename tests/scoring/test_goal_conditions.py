"""A goal's conditions become typed segment filters applied in SQL (issue 15 point 5): the rules read 54 dev goals
in four languages (tests/scoring/segment_goals.yaml, in-sample), and on a real seeded tenant the segment's size
equals a hand-written SQL count of the same conditions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hyperjourney.db.database import Database
from hyperjourney.features.store import refresh_all
from hyperjourney.policy.goal_requests import refusals
from hyperjourney.policy.store import demo_policy
from hyperjourney.scoring.goal_words import CONDITIONS
from hyperjourney.scoring.segments import find_segment, read_description
from tests.conftest import new_tenant

GOALS = yaml.safe_load((Path(__file__).parent / "segment_goals.yaml").read_text())["goals"]
_FIELDS = ("industry", "company_size", "business", "lifecycle_stage", "rfm_segment", "region", "language")


@pytest.fixture(scope="module")
def shop(db: Database) -> str:
    from hyperjourney.data.demo_tenant import seed

    tenant = new_tenant(db, "cond")
    seed(db, tenant, customers=400, events=8000, tickets=5)
    refresh_all(db, tenant)
    return tenant


def _plain(conditions: list[Any]) -> list[dict[str, Any]]:
    return sorted((c.model_dump(exclude={"phrase"}) for c in conditions), key=lambda d: str(sorted(d.items())))


@pytest.mark.parametrize("case", GOALS, ids=[g["goal"][:40] for g in GOALS])
def test_goal_words_become_typed_filters(db: Database, shop: str, case: dict[str, Any]) -> None:
    with db.tenant(shop) as conn:
        try:
            query, not_applied = read_description(conn, case["goal"])
        except ValueError:
            assert not case["filters"] and not case["conditions"], "a goal with conditions must be read"
            query, not_applied = None, []
    expected = case["filters"]
    if query is not None:
        got = {f: getattr(query, f) for f in _FIELDS if getattr(query, f)}
        got |= {"min_scores": query.min_scores} if query.min_scores else {}
        assert got == expected
        assert _plain(query.conditions) == _plain(CONDITIONS.validate_python(case["conditions"]))
    assert [n.phrase for n in not_applied] == case.get("not_applied", [])
    assert bool(refusals(case["goal"], demo_policy())) == case.get("refused", False)


_MEMBERS = "SELECT customer_id FROM customers WHERE merged_into IS NULL AND attributes->>'segment' = %(business)s"
# Orders of a merged duplicate profile count toward the profile it was merged into.
_ORDERS = (
    "(SELECT o.*, coalesce(c.merged_into, c.customer_id) AS owner FROM orders o "
    "JOIN customers c ON c.customer_id = o.customer_id)"
)
HAND_COUNTS = {
    "Win back e-commerce shoppers who haven't ordered in 90 days": (
        "SELECT count(*) FROM (" + _MEMBERS + ") m WHERE "
        "EXISTS (SELECT 1 FROM " + _ORDERS + " o WHERE o.owner = m.customer_id AND o.status <> 'cancelled' "
        "        AND o.ordered_at < %(as_of)s) "
        "AND NOT EXISTS (SELECT 1 FROM " + _ORDERS + " o WHERE o.owner = m.customer_id AND o.status <> 'cancelled' "
        "        AND o.ordered_at >= %(as_of)s - interval '90 days' AND o.ordered_at < %(as_of)s)",
        "dtc",
    ),
    "Boards teams close to their seat limit": (
        "SELECT count(*) FROM customers c WHERE c.merged_into IS NULL AND c.attributes->>'segment' = %(business)s "
        "AND c.attributes->>'plan' <> 'free' AND (SELECT count(*) FROM customers m WHERE m.account_id = c.account_id "
        "AND m.merged_into IS NULL) >= 0.8 * (c.attributes->>'seats')::int",
        "plg",
    ),
    "Convert Boards teams that visited the pricing page in the last 10 days": (
        "SELECT count(*) FROM (" + _MEMBERS + ") m WHERE EXISTS (SELECT 1 FROM events e "
        "WHERE e.customer_id = m.customer_id AND e.properties->>'page' = '/pricing' "
        "AND e.ts >= %(as_of)s - interval '10 days' AND e.ts < %(as_of)s)",
        "plg",
    ),
    "Sell jackets to shoppers who bought hiking boots in the last 90 days": (
        "SELECT count(DISTINCT m.customer_id) FROM (" + _MEMBERS + ") m JOIN orders o USING (customer_id) "
        "JOIN order_lines l USING (order_id) JOIN products p USING (product_id) "
        "WHERE o.status <> 'cancelled' AND p.category = 'hiking_boots' "
        "AND o.ordered_at >= %(as_of)s - interval '90 days' AND o.ordered_at < %(as_of)s",
        "dtc",
    ),
    "Promote the sale to shoppers opted in to SMS": (
        "SELECT count(*) FROM (" + _MEMBERS + ") m WHERE EXISTS (SELECT 1 FROM current_consents k "
        "WHERE k.customer_id = m.customer_id AND k.channel = 'sms' AND k.purpose = 'marketing' "
        "AND k.status = 'granted')",
        "dtc",
    ),
    "Thank shoppers who spent more than 300 in the last year": (
        "SELECT count(*) FROM (SELECT m.customer_id FROM (" + _MEMBERS + ") m JOIN " + _ORDERS + " o "
        "ON o.owner = m.customer_id JOIN order_lines l USING (order_id) WHERE o.status <> 'cancelled' "
        "AND o.ordered_at >= %(as_of)s - interval '365 days' AND o.ordered_at < %(as_of)s "
        "GROUP BY m.customer_id HAVING sum(l.quantity * l.unit_price) >= 300) s",
        "dtc",
    ),
}


@pytest.mark.parametrize("goal", list(HAND_COUNTS), ids=[g[:40] for g in HAND_COUNTS])
def test_segment_size_equals_a_hand_written_count(db: Database, shop: str, goal: str) -> None:
    """The goal's segment, sized by the typed filters, is exactly the customers a hand-written query counts."""
    query_text, business = HAND_COUNTS[goal]
    with db.tenant(shop) as conn:
        row = conn.execute("SELECT max(as_of) FROM customer_features").fetchone()
        assert row is not None
        expected = conn.execute(query_text, {"as_of": row[0], "business": business}).fetchone()
        everyone = conn.execute(_MEMBERS.replace("customer_id", "count(*)", 1), {"business": business}).fetchone()
    assert expected is not None and everyone is not None
    segment = find_segment(db, shop, goal)
    assert segment.definition.conditions, "the goal's condition must be applied as a filter"
    assert segment.size == expected[0]
    assert 0 < segment.size < everyone[0], "the condition must keep some customers and drop others"
