"""The demo knowledge base ingested once per session (real offline embeddings) into its own tenant."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyperjourney.db.database import Database
from hyperjourney.knowledge.ingest import ingest_path
from hyperjourney.knowledge.models import IngestReport
from tests.conftest import new_tenant

DEMO_KB = Path(__file__).resolve().parents[2] / "hyperjourney" / "knowledge" / "kb" / "demo"


@pytest.fixture(scope="session")
def demo_kb(db: Database) -> tuple[str, IngestReport]:
    tenant = new_tenant(db, "kb")
    return tenant, ingest_path(db, tenant, DEMO_KB)
