"""schemathesis fuzzes every operation of the OpenAPI spec in-process (ASGI): no input may cause a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.db.database import Database
from hyperjourney.settings import ApiSettings, Settings
from tests.conftest import new_tenant


@pytest.fixture(scope="module")
def fuzz_key(db: Database) -> str:
    return create_key(db, new_tenant(db, "fuzz"), "fuzz").token


@pytest.fixture(scope="module")
def api_schema(db: Database, settings: Settings) -> Any:
    app = create_app(db, settings.model_copy(update={"api": ApiSettings(burst=100_000, stream_poll_seconds=0.01)}))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_input_causes_a_server_error(api_schema: Any, fuzz_key: str) -> None:
    headers = {"Authorization": f"Bearer {fuzz_key}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert any(op.path == "/v1/events" for op in operations)
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def fuzz(case: Any) -> None:
            # a run with ?wait=true answers when the agents pause or finish: seconds of real work, longer than
            # schemathesis's 10 s default read timeout on a loaded machine; the check is for 5xx, not speed
            case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=300)

        fuzz()
