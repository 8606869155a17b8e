"""NBA and journey scoring with trained models read scores through the caller's connection (issue 20.19).

With the nesting guard on (tests/conftest.py) a second pooled connection taken while holding one raises,
so these fail if ranking or a journey's score branch ever asks for another connection again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hyperjourney.db.database import Database
from hyperjourney.nba.rank import next_best_action
from hyperjourney.nba.signals import load_signals, with_model_scores


def _customer(db: Database, tenant: str) -> str:
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT customer_id FROM customer_features ORDER BY customer_id LIMIT 1").fetchone()
    assert row is not None
    return str(row[0])


def test_nba_with_trained_models_uses_one_connection(db: Database, trained_tenant: str) -> None:
    decision = next_best_action(db, trained_tenant, _customer(db, trained_tenant), {"type": "pricing_view"}, log=False)
    assert decision.signals_source == "models"


def test_model_scores_inside_a_callers_transaction(db: Database, trained_tenant: str) -> None:
    customer, now = _customer(db, trained_tenant), datetime.now(UTC)
    with db.tenant(trained_tenant) as conn:
        scored = with_model_scores(db, trained_tenant, load_signals(conn, customer, now), now, conn)
    assert scored.source == "models" and set(scored.scores) >= {"purchase_propensity", "churn_risk"}
