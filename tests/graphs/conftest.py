"""One small seeded tenant shared by the graph tests (runs only add rows keyed by their own run id)."""

from __future__ import annotations

import uuid

import pytest

from hyperjourney.data.demo_tenant import seed
from hyperjourney.db.database import Database


@pytest.fixture(scope="session")
def seeded(db: Database) -> str:
    tenant = f"agents-{uuid.uuid4().hex[:8]}"
    seed(db, tenant, customers=400, events=4000, tickets=30)
    return tenant
