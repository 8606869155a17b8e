"""The Tone agent answers in the situation read from the ticket: high stakes wins over a calm or friendly mood."""

from __future__ import annotations

import pytest

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.wiring import Deps, build_deps
from hyperjourney.guardrails.tone_policy import tone_for
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings
from tests.agentkit import RecordingLauncher, fixed_clock
from tests.graphs.test_copilot_flow import _ticket


@pytest.fixture
def deps(db: Database, settings: Settings) -> Deps:
    return build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=RecordingLauncher())


def test_a_polite_ticket_about_a_missing_payout_gets_the_high_stakes_tone(
    db: Database, seeded: str, deps: Deps
) -> None:
    ticket = _ticket(
        db, seeded, "Hello, our payout from last Friday has still not arrived in our bank account. Thanks!"
    )
    out = runs.start_copilot(db, seeded, ticket, deps=deps).outcome
    high, calm = tone_for("high_stakes"), tone_for("confused")
    assert out["tone"] == high.model_dump()
    assert high != calm and high != tone_for("happy")  # sentiment alone would have chosen one of these
