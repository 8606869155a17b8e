"""Chainlit writes its app root (config, .files) where it is imported: point it at a temp dir, not the repo.

The UI server fixture is shared by the browser tests and the offline test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

from hyperjourney.db.database import Database
from tests.surfaces_data import seeded_tenant
from tests.ui.browser import UiServer, ui_server

os.environ.setdefault("CHAINLIT_APP_ROOT", tempfile.mkdtemp(prefix="hj-chainlit-"))


@pytest.fixture(scope="session")
def server(db: Database) -> Iterator[UiServer]:
    """The real `hyperjourney ui` on a small seeded tenant, once for the session (it takes a while to start)."""
    with ui_server(seeded_tenant(db, "ui")) as running:
        yield running
