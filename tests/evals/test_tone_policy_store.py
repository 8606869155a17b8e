"""One versioned tone policy per tenant (issue 16.3): the Tone agent's toolbox and the copilot eval read the same one.

A tenant without a stored policy gets the packaged default; each save is a new active version; a bad document is
refused naming the field, with nothing stored. The copilot grader expects what the tenant's policy asks for in the
ticket's labelled situation, so an agent answering with the tenant's policy agrees and one answering with the
default no longer does.
"""

from __future__ import annotations

import pytest

from hyperjourney.db.database import Database
from hyperjourney.evals import grounding
from hyperjourney.evals.golden import load_copilot_tickets
from hyperjourney.evals.suites.copilot import TONE_KEYS, grade_outcome
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.guardrails import tone_policy
from hyperjourney.guardrails.tone_store import TonePolicyError, active_tone_policy, save_tone_policy
from hyperjourney.settings import get_settings

CALMER = {"settings": {"angry": [5, 5, 2], "confused": [3, 4, 2], "happy": [3, 5, 3], "high_stakes": [5, 4, 2]},
          "formal_businesses": []}  # fmt: skip


def test_the_agents_toolbox_reads_the_tenants_active_version(db: Database, tenant: str) -> None:
    tools = build_deps(db, get_settings()).context(tenant, "run-tone", "copilot").tools
    assert tools.tone_policy() == tone_policy.DEFAULT
    with db.tenant(tenant) as conn:
        saved = save_tone_policy(conn, CALMER, actor="user:brand")
    assert saved.version == tone_policy.DEFAULT.version + 1
    assert tools.tone_policy() == saved and tools.tone_policy().settings["angry"] == (5, 5, 2)
    with db.tenant(tenant) as conn:
        again = save_tone_policy(conn, CALMER | {"formal_businesses": ["ledger"]}, actor="user:brand")
        assert active_tone_policy(conn).version == again.version == saved.version + 1
        rows = conn.execute("SELECT count(*) FILTER (WHERE active), count(*) FROM tone_policies").fetchone()
    assert rows == (1, 2)


def test_a_bad_policy_is_refused_naming_the_field_and_nothing_is_stored(db: Database, tenant: str) -> None:
    bad = {"settings": CALMER["settings"] | {"happy": [3, 9, 3]}}
    with db.tenant(tenant) as conn, pytest.raises(TonePolicyError, match=r"settings.*1\.\.5"):
        save_tone_policy(conn, bad, actor="user:brand")
    with db.tenant(tenant) as conn, pytest.raises(TonePolicyError, match="high_stakes"):
        save_tone_policy(conn, {"settings": {"angry": [3, 4, 4]}}, actor="user:brand")
    with db.tenant(tenant) as conn:
        assert active_tone_policy(conn) == tone_policy.DEFAULT


def test_the_copilot_grader_expects_the_tenants_policy_not_the_stored_default_numbers() -> None:
    policy = tone_policy.TonePolicy.model_validate(CALMER | {"version": 2})
    t = next(t for t in load_copilot_tickets() if t.tone.situation == "angry" and t.business != "ledger")
    follows_tenant = tone_policy.tone_for("angry", t.business, policy).model_dump()
    follows_default = t.tone.model_dump(include=set(TONE_KEYS))
    none = grounding.grade("", [])
    assert grade_outcome(t, {"tone": follows_tenant}, False, none, policy=policy).scores["tone"] == 1.0
    assert grade_outcome(t, {"tone": follows_default}, False, none, policy=policy).scores["tone"] == 0.0
    assert grade_outcome(t, {"tone": follows_default}, False, none).scores["tone"] == 1.0
