"""One real embedded Postgres for the whole run, in a temp home; each test works in its own tenant."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

_HOME = Path(tempfile.mkdtemp(prefix="hj-test-"))
os.environ["HYPERJOURNEY_HOME"] = str(_HOME)
os.environ.pop("HYPERJOURNEY_APP_DATABASE_URL", None)
os.environ["HYPERJOURNEY_POOL_GUARD"] = "1"  # a nested pooled connection (a deadlock under load) fails the test
# API runs execute in the API's process here; tests/workers runs them as jobs on the queue.
os.environ["HYPERJOURNEY_WORKERS__RUN_GRAPHS"] = "0"
os.environ["COLUMNS"] = "200"  # rich wraps at the terminal width; long temp paths must stay on one line

import pytest  # noqa: E402

from hyperjourney.db import embedded  # noqa: E402
from hyperjourney.db.database import Database  # noqa: E402
from hyperjourney.db.migrate import migrate  # noqa: E402
from hyperjourney.settings import Settings, get_settings  # noqa: E402

if TYPE_CHECKING:
    from hyperjourney.knowledge.models import IngestReport

# Test files that build the same costly session fixture run on one xdist worker (`--dist loadgroup`), so the
# fixture is built once per run, not once per worker; every other file is its own group (loadfile semantics).
# The first fixture of this list that a file uses names its group.
_SHARED_FIXTURE_GROUPS = (
    ("gate_tenant", "gate"),
    ("steady_tenant", "drift"),
    ("shifted_tenant", "drift"),
    ("server", "ui-server"),
    ("trained", "scoring-trained"),
    ("eval_tenant", "trained-tenant"),
    ("trained_kb_tenant", "trained-tenant"),
    ("trained_tenant", "trained-tenant"),
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    used: dict[str, set[str]] = {}
    for item in items:
        used.setdefault(item.nodeid.split("::")[0], set()).update(getattr(item, "fixturenames", ()))
    groups = {
        path: next((group for fixture, group in _SHARED_FIXTURE_GROUPS if fixture in names), path)
        for path, names in used.items()
    }
    for item in items:
        item.add_marker(pytest.mark.xdist_group(groups[item.nodeid.split("::")[0]]))


@pytest.fixture(scope="session")
def settings() -> Settings:
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture(scope="session")
def db(settings: Settings) -> Iterator[Database]:
    database = Database.from_settings(settings)
    migrate(database)
    yield database
    database.close()
    if settings.embedded:
        embedded.stop(settings.home_dir)
        shutil.rmtree(_HOME, ignore_errors=True)


def new_tenant(db: Database, prefix: str = "t") -> str:
    tenant = f"{prefix}-{uuid.uuid4().hex[:10]}"
    db.create_tenant(tenant)
    return tenant


@pytest.fixture
def tenant(db: Database) -> str:
    return new_tenant(db)


@pytest.fixture
def make_tenant(db: Database) -> Callable[[str], str]:
    return lambda prefix="t": new_tenant(db, prefix)


def seeded_and_trained(db: Database, prefix: str) -> str:
    """A new tenant seeded (1,200 customers, 60k events, 400 tickets), features computed, every model trained."""
    from hyperjourney.data.demo_tenant import seed
    from hyperjourney.features.store import refresh_all
    from hyperjourney.scoring.service import score_all
    from hyperjourney.scoring.train import train_all

    tenant = new_tenant(db, prefix)
    seed(db, tenant, customers=1200, events=60_000, tickets=400)
    refresh_all(db, tenant)
    train_all(db, tenant)
    score_all(db, tenant)
    return tenant


@pytest.fixture(scope="session")
def trained_tenant(db: Database) -> str:
    """A seeded, trained tenant shared by the tests that read scores (many tests write into it too)."""
    return seeded_and_trained(db, "trained")


DEMO_KB = Path(__file__).resolve().parents[1] / "hyperjourney" / "knowledge" / "kb" / "demo"


@pytest.fixture(scope="session")
def demo_kb(db: Database) -> tuple[str, IngestReport]:
    """The demo knowledge base ingested once per session into its own tenant (the packaged real-model vectors)."""
    from hyperjourney.knowledge.ingest import ingest_path

    tenant = new_tenant(db, "kb")
    return tenant, ingest_path(db, tenant, DEMO_KB)


@pytest.fixture(scope="session")
def trained_kb_tenant(db: Database, trained_tenant: str) -> str:
    """The trained tenant with the demo knowledge base ingested too: what the agent-flow eval suites need."""
    from hyperjourney.knowledge.ingest import ingest_path

    ingest_path(db, trained_tenant, DEMO_KB)
    return trained_tenant
