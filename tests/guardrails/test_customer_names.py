"""Other customers' full names in outbound copy fail the PII check; the recipient's own name passes; the
per-tenant index is cached and rebuilt when the tenant's customers change; no false alarms on seeded tickets."""

from __future__ import annotations

from hyperjourney.data.seed.generator import generate
from hyperjourney.db.database import Database
from hyperjourney.guardrails.assets import validate_asset
from hyperjourney.guardrails.customer_names import NAMES, NameIndex
from hyperjourney.guardrails.leaks import check_pii
from hyperjourney.guardrails.models import Asset
from hyperjourney.guardrails.rules import demo_rules
from hyperjourney.tools.toolbox import Toolbox, ValidateInput
from tests.actions_fixtures import add_customers


def _people(db: Database, tenant: str, rows: list[tuple[str, str, str]]) -> None:
    for cid, first, last in rows:
        add_customers(db, tenant, [cid], marketing=(), first_name=first, last_name=last)


def _reply(body: str, to: str | None) -> Asset:
    return Asset(kind="support_reply", purpose="support", body=body, recipient_id=to)


def test_a_reply_naming_another_customer_fails_and_the_recipients_own_name_passes(db: Database, tenant: str) -> None:
    _people(db, tenant, [("c-ana", "Ana", "Ruiz"), ("c-bob", "Bob", "Stone"), ("c-jose", "José", "de la Cruz")])
    names = NAMES.get(db, tenant)
    leak = _reply("Hi Ana Ruiz, Bob Stone had the same issue last week; Jose De La Cruz's fix works too.", "c-ana")
    found = [f for f in check_pii(leak, [], demo_rules(), names) if f.code == "pii_other_person"]
    assert [f.span for f in found] == ["Bob Stone", "Jose De La Cruz's"]
    assert check_pii(leak, [], demo_rules()) == []  # without the index this leak went out unnoticed
    own = _reply("Hi Ana Ruiz, thanks for your patience. Ana, Bob and Stone are just words here.", "c-ana")
    assert check_pii(own, [], demo_rules(), names) == []
    report = validate_asset(leak, [], names=names)
    assert "pii_other_person" in report.codes() and not report.passed
    cohort = Asset(kind="email", body="Customers like Bob Stone love the new ledger.")  # no recipient: any name
    assert [f.span for f in check_pii(cohort, [], demo_rules(), names)] == ["Bob Stone"]


def test_the_agents_guard_checks_names_for_the_tenant(db: Database, tenant: str) -> None:
    _people(db, tenant, [("c-ana", "Ana", "Ruiz"), ("c-bob", "Bob", "Stone")])
    draft = Asset(kind="support_reply", body="Hi Ana, Bob Stone asked the same.", recipient_id="c-ana")
    report = Toolbox(db, tenant).validate_asset(ValidateInput(asset=draft, evidence=[]))
    assert any("another customer" in f for f in report.messages())
    assert not any("another customer" in f.message for f in validate_asset(draft, [], demo_rules()).failures)


def test_the_index_is_cached_and_rebuilt_when_customers_change(db: Database, tenant: str) -> None:
    _people(db, tenant, [("c-ana", "Ana", "Ruiz")])
    first = NAMES.get(db, tenant)
    assert NAMES.get(db, tenant) is first  # unchanged customers: no rebuild
    text = "Cara Diaz asked about this too."
    assert first.find(text, recipient_id="c-ana") == []
    _people(db, tenant, [("c-cara", "Cara", "Diaz")])
    rebuilt = NAMES.get(db, tenant)
    assert rebuilt is not first and [h.name for h in rebuilt.find(text, recipient_id="c-ana")] == ["Cara Diaz"]
    with db.tenant(tenant) as conn:
        conn.execute("DELETE FROM customers WHERE customer_id = 'c-cara'")
    assert NAMES.get(db, tenant).find(text, recipient_id="c-ana") == []


def test_no_false_alarms_on_the_seeded_clean_tickets_and_full_recall_on_planted_names() -> None:
    data = generate(customers=1500, events=1500, tickets=1000, seed=7)
    index = NameIndex.build([(c.customer_id, c.first_name, c.last_name) for c in data.customers])
    clean = [m for m in data.ticket_messages if not m.labels.get("injection")]
    flagged = [m for m in clean if index.find(m.body, recipient_id=m.customer_id)]
    tickets = {m.ticket_id for m in clean}
    print(f"\ncustomer names: {len(flagged)} of {len(clean)} clean messages ({len(tickets)} tickets) flagged")
    assert len(tickets) > 900 and flagged == []
    others = [c for c in data.customers if c.first_name and c.last_name]
    planted = 0
    for m, other in zip(clean[:300], others[::-1], strict=False):
        if other.customer_id == m.customer_id:
            continue
        body = f"{m.body}\n\nPS: {other.first_name} {other.last_name} reported the same."
        planted += 1
        hits = index.find(body, recipient_id=m.customer_id)
        assert hits and hits[0].name == f"{other.first_name} {other.last_name}", body
    assert planted > 250
