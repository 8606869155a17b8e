"""A small seeded tenant for the surface tests, with the demo knowledge base when the knowledge part is installed."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from hyperjourney.data.demo_tenant import seed
from hyperjourney.db.database import Database
from tests.conftest import new_tenant


def seeded_tenant(db: Database, prefix: str, *, customers: int = 300, events: int = 3000, tickets: int = 20) -> str:
    tenant = new_tenant(db, prefix)
    seed(db, tenant, customers=customers, events=events, tickets=tickets)
    if find_spec("hyperjourney.knowledge.ingest") is not None:
        import hyperjourney.knowledge
        from hyperjourney.knowledge.ingest import ingest_path

        ingest_path(db, tenant, Path(hyperjourney.knowledge.__file__).parent / "kb" / "demo")
    return tenant
