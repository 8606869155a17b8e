"""Step and audit payloads stay valid JSON after redaction: a 16-digit, Luhn-valid confidence is not a card;
personal data becomes tokens keyed by the run's tenant."""

from __future__ import annotations

from hyperjourney.db.database import Database
from hyperjourney.graphs.recorder import Recorder
from hyperjourney.guardrails.redaction import redact
from hyperjourney.guardrails.redaction_keys import tenant_key


def test_long_floats_survive_and_personal_data_in_strings_is_redacted(db: Database, tenant: str) -> None:
    recorder = Recorder(db)
    value = {"kind": "campaign", "confidence": 0.4190414469565308, "note": "mail ana.lee@example.com"}
    out = recorder.redacted(value, tenant)
    assert out["confidence"] == 0.4190414469565308
    assert out["kind"] == "campaign"
    assert "ana.lee@example.com" not in out["note"]
    assert out["note"] == redact("mail ana.lee@example.com", tenant_key(db, tenant)).text
    assert out["note"] != redact("mail ana.lee@example.com").text  # not the installation's key
