from __future__ import annotations

import pytest

from hyperjourney.db.database import Database
from tests.agentkit import seed_small_tenant


@pytest.fixture
def seeded(db: Database) -> str:
    return seed_small_tenant(db, "telemetry")
