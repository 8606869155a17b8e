"""The tools hand agents the domains' own types: the guard's report under the tenant's own content rules, and the
policy's decision with the rules that fired (read as typed hits, not re-parsed strings)."""

from __future__ import annotations

from collections.abc import Callable

from hyperjourney.db.database import Database
from hyperjourney.guardrails.models import Asset
from hyperjourney.guardrails.rules import demo_rules
from hyperjourney.guardrails.rules_store import store_content_rules
from hyperjourney.policy.models import ProposedAction
from hyperjourney.tools.toolbox import Toolbox, ValidateInput
from tests.actions_fixtures import add_customers
from tests.agentkit import FIXED_NOW


def test_validate_asset_applies_the_tenants_own_content_rules(db: Database, make_tenant: Callable[[str], str]) -> None:
    tenant = make_tenant("rules")
    draft = ValidateInput(asset=Asset(kind="sms", body="Join the rocket club today."), evidence=[])
    before = Toolbox(db, tenant).validate_asset(draft)
    rules = demo_rules().model_copy(update={"version": "t-1", "banned_phrases": ["rocket club"]})
    store_content_rules(db, tenant, rules, source="test", actor="test")
    after = Toolbox(db, tenant).validate_asset(draft)
    assert not any("rocket club" in m for m in before.messages())
    assert any("rocket club" in m for m in after.messages()) and not after.passed


def test_check_policy_returns_the_policys_decision_with_typed_rule_hits(
    db: Database, make_tenant: Callable[[str], str]
) -> None:
    tenant = make_tenant("policy")
    add_customers(db, tenant, ["c-yes"], marketing=("email",))
    add_customers(db, tenant, ["c-no"], marketing=())
    tools = Toolbox(db, tenant)
    action = ProposedAction(customer_id="c-yes", channel="email", purpose="marketing", send_at=FIXED_NOW)
    allowed = tools.check_policy(action)
    denied = tools.check_policy(action.model_copy(update={"customer_id": "c-no"}))
    assert allowed.allowed and all(h.outcome != "deny" for h in allowed.rules_fired)
    assert not denied.allowed and denied.flagged and all(h.outcome != "allow" for h in denied.flagged)
    assert denied.flagged[0].line().startswith(f"{denied.flagged[0].outcome}: {denied.flagged[0].rule} — ")
