"""One small seeded tenant shared by the graph tests (runs only add rows keyed by their own run id)."""

from __future__ import annotations

import pytest

from hyperjourney.db.database import Database
from tests.agentkit import seed_small_tenant


@pytest.fixture(scope="session")
def seeded(db: Database) -> str:
    return seed_small_tenant(db)
