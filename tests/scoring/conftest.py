"""One small seeded tenant with trained models, shared by the scoring tests (training is the slow part)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest

from hyperjourney.data.demo_tenant import seed
from hyperjourney.db.database import Database
from hyperjourney.features.store import refresh_all
from hyperjourney.scoring.service import score_all
from hyperjourney.scoring.train import TrainReport, train_all


@pytest.fixture(scope="session")
def trained(db: Database) -> tuple[str, TrainReport]:
    tenant = f"scoring-{uuid.uuid4().hex[:8]}"
    seed(db, tenant, customers=1200, events=60_000, tickets=400)
    refresh_all(db, tenant)
    # the hurdle model, whose projection the horizon tests check (the backtest picks BG/NBD+GG on this data)
    report = train_all(db, tenant, clv_model="hurdle")
    score_all(db, tenant)
    return tenant, report


@pytest.fixture
def add_customer(db: Database) -> Callable[..., str]:
    """Insert a bare customer (no events, orders or tickets) with the given attributes."""

    def add(tenant: str, customer_id: str, **attributes: object) -> str:
        with db.tenant(tenant) as conn:
            conn.execute(
                "INSERT INTO customers (tenant_id, customer_id, attributes, created_at) "
                "VALUES (current_tenant(), %s, %s::jsonb, now() - interval '400 days')",
                (customer_id, json.dumps(attributes)),
            )
        return customer_id

    return add
