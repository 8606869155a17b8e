"""Step and audit payloads stay valid JSON after redaction: a 16-digit, Luhn-valid confidence is not a card."""

from __future__ import annotations

from hyperjourney.db.database import Database
from hyperjourney.graphs.adapters import GuardrailsFacade
from hyperjourney.graphs.recorder import Recorder


def test_long_floats_survive_and_personal_data_in_strings_is_redacted(db: Database) -> None:
    recorder = Recorder(db, GuardrailsFacade().redact, None)
    out = recorder.redacted({"kind": "campaign", "confidence": 0.4190414469565308, "note": "mail ana.lee@example.com"})
    assert out["confidence"] == 0.4190414469565308
    assert out["kind"] == "campaign"
    assert "ana.lee@example.com" not in out["note"]
