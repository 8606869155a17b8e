"""The real app over the session's real database; keys are made per test tenant."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.db.database import Database
from hyperjourney.settings import ApiSettings, Settings

KeyFactory = Callable[..., dict[str, str]]


@pytest.fixture(scope="session")
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    app = create_app(db, settings.model_copy(update={"api": ApiSettings(burst=10_000, stream_poll_seconds=0.05)}))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def auth_for(db: Database) -> KeyFactory:
    """Headers carrying a fresh key of ``role`` for ``tenant``."""

    def make(tenant: str, role: str = "reviewer") -> dict[str, str]:
        return {"Authorization": f"Bearer {create_key(db, tenant, 'test', role).token}"}  # type: ignore[arg-type]

    return make
