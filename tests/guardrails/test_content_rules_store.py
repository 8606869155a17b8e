"""Per-tenant content rules: stored versions, the KB banned-claims document as a source, the guard using them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from hyperjourney.db.database import Database
from hyperjourney.guardrails.assets import validate_asset
from hyperjourney.guardrails.models import Asset
from hyperjourney.guardrails.rules import ContentRulesError, demo_rules
from hyperjourney.guardrails.rules_store import load_content_rules, rules_from_banned_claims, store_content_rules
from tests.cli_runner import invoke

KB = resources.files("hyperjourney.knowledge") / "kb" / "demo" / "banned-claims.md"


def test_banned_claims_document_becomes_rules() -> None:
    rules = rules_from_banned_claims(KB.read_text("utf-8"), demo_rules(), version="kb-1")
    assert {"risk-free", "unhackable", "last chance", "sin riesgo"} <= set(rules.banned_phrases)
    assert rules.competitors == ["Ledgerly", "Fintastic", "BoardHive", "Taskory", "StrideMart", "TrailKart"]
    with pytest.raises(ContentRulesError, match="Banned phrases"):
        rules_from_banned_claims("# Something else\n- a\n", demo_rules(), version="x")


def test_tenant_rules_are_versioned_isolated_and_used(db: Database, make_tenant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = make_tenant("cr"), make_tenant("cr")
    custom = demo_rules().model_copy(update={"version": "a-1", "banned_phrases": ["super deal"]})
    store_content_rules(db, a, custom, source="test", actor="test")
    assert load_content_rules(db, a).banned_phrases == ["super deal"]
    assert load_content_rules(db, b).version == demo_rules().version
    with pytest.raises(ContentRulesError, match="already exists"):
        store_content_rules(db, a, custom, source="test", actor="test")
    sms = Asset(kind="sms", body="Northwind: a super deal on boots. Reply STOP to opt out")
    assert "banned_claim" in validate_asset(sms, [], load_content_rules(db, a)).codes()
    assert validate_asset(sms, [], load_content_rules(db, b)).passed
    copy = tmp_path / "sms.txt"
    copy.write_text(sms.body)
    code, out = invoke("guard", "check", str(copy), "--kind", "sms", "--tenant", a)
    assert code == 1 and "super deal" in out
    code, out = invoke("guard", "rules", "import-kb", str(KB), "--version", "kb-2", "--tenant", b)
    assert code == 0 and "6 competitors" in out
    code, out = invoke("guard", "rules", "show", "--tenant", b)
    assert code == 0 and '"kb-2"' in out
    bad = tmp_path / "rules.yaml"
    bad.write_text("version: b-9\nlength_limits: {fax: {}}\n")
    code, out = invoke("guard", "rules", "set", str(bad), "--tenant", b)
    assert code == 1 and "length_limits.fax" in out
