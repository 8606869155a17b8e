"""Policies as versioned per-tenant data, the context read from Postgres, audited decisions, the contact log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from psycopg.types.json import Jsonb

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.policy.context import UnknownCustomerError, customer_context
from hyperjourney.policy.engine import check_action
from hyperjourney.policy.ledger import NotAllowedError, record_contact
from hyperjourney.policy.models import ProposedAction
from hyperjourney.policy.schema import PolicyError, parse_policy_yaml
from hyperjourney.policy.service import decide
from hyperjourney.policy.store import demo_policy, load_policy, store_policy

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_demo_policy_mirrors_the_contact_policy_doc() -> None:
    p = demo_policy()
    assert p.caps.per_channel["email"].day == 1 and p.caps.per_channel["email"].week == 3
    assert p.caps.per_channel["sms"].week == 2 and p.caps.all_channels.week == 5
    assert (p.quiet_hours.start_hour, p.quiet_hours.end_hour) == (21, 8)
    assert p.rule_count >= 20


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("version: v1\ncaps: {per_channel: {fax: {day: 1}}}", "caps.per_channel.fax"),
        ("version: v1\ncaps: {per_channel: {email: {day: -1}}}", "caps.per_channel.email.day"),
        ("version: v1\nquiet_hourz: {}", "quiet_hourz"),
        ("caps: {}", "version"),
        ("version: v1\nquiet_hours: {channels: [sms], start_hour: 9, end_hour: 9}", "quiet_hours"),
        ("- just\n- a list", "mapping"),
        ("version: [unclosed", "not valid YAML"),
    ],
)
def test_malformed_policies_name_the_field(text: str, field: str) -> None:
    with pytest.raises(PolicyError, match=field.replace(".", r"\.")):
        parse_policy_yaml(text, source="bad.yaml")


def test_store_versions_and_load_per_tenant(db: Database, make_tenant) -> None:  # type: ignore[no-untyped-def]
    a, b = make_tenant("pa"), make_tenant("pb")
    assert load_policy(db, a).version == demo_policy().version
    text = "version: strict-1\ncaps: {all_channels: {day: 1, week: 1}}\n"
    store_policy(db, a, text, source="strict.yaml")
    assert load_policy(db, a).version == "strict-1"
    assert load_policy(db, b).version == demo_policy().version  # RLS: b never sees a's policy
    with pytest.raises(PolicyError, match="already exists"):
        store_policy(db, a, text, source="strict.yaml")
    with pytest.raises(PolicyError, match=r"caps\.all_channels\.dayz"):
        store_policy(db, a, "version: strict-2\ncaps: {all_channels: {dayz: 1}}\n", source="typo.yaml")
    assert load_policy(db, a).version == "strict-1"  # the bad document replaced nothing
    with db.tenant(a) as conn:
        assert [r[0] for r in conn.execute("SELECT action FROM audit_log")] == ["policy_activate"]


def _customer(db: Database, tenant: str, cid: str = "c1", **extra: object) -> None:
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO customers (tenant_id, customer_id, region, timezone, age_band, attributes) "
            "VALUES (current_tenant(), %s, %s, %s, %s, %s)",
            (
                cid,
                extra.get("region", "us"),
                "America/New_York",
                extra.get("age_band", "35_44"),
                Jsonb(extra.get("attributes", {})),
            ),
        )
        conn.execute(
            "INSERT INTO products (tenant_id, product_id, name, category, price, margin, inventory, age_gated) VALUES "
            "(current_tenant(), 'p1', 'Boot', 'footwear', 100, 0.4, 3, false), "
            "(current_tenant(), 'knife', 'Knife', 'outdoor', 40, 0.5, 9, true)"
        )


def test_context_reads_latest_consent_tickets_engagement_and_spend(db: Database, tenant: str) -> None:
    _customer(db, tenant)
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO consents (tenant_id, customer_id, channel, purpose, status, source, captured_at) VALUES "
            "(current_tenant(), 'c1', 'email', 'marketing', 'granted', 'signup_form', %s), "
            "(current_tenant(), 'c1', 'email', 'marketing', 'withdrawn', 'unsubscribe_link', %s), "
            "(current_tenant(), 'c1', 'sms', 'marketing', 'granted', 'sms_keyword', %s), "
            "(current_tenant(), 'c1', 'push', 'marketing', 'granted', 'app_prompt', %s)",
            (NOW - timedelta(days=60), NOW - timedelta(days=5), NOW - timedelta(days=9), NOW + timedelta(days=1)),
        )
        conn.execute(
            "INSERT INTO tickets (tenant_id, ticket_id, customer_id, channel, subject, status, priority, opened_at, "
            "updated_at) "
            "VALUES (current_tenant(), 't1', 'c1', 'email', 'Broken', 'open', 'urgent', %s, %s)",
            (NOW - timedelta(days=1), NOW - timedelta(hours=3)),
        )
        conn.execute(
            "INSERT INTO events (tenant_id, event_id, customer_id, type, ts) VALUES "
            "(current_tenant(), 'e1', 'c1', 'payment_failed', %s), "
            "(current_tenant(), 'e2', 'c1', 'payment_failed', %s), "
            "(current_tenant(), 'e3', 'c1', 'sms_click', %s)",
            (NOW - timedelta(days=3), NOW - timedelta(days=10), NOW - timedelta(days=4)),
        )
        conn.execute(
            "INSERT INTO contact_log (customer_id, channel, purpose, campaign_id, cost, sent_at, policy_version) "
            "VALUES ('c1', 'sms', 'marketing', 'spring', 2.5, %s, 'v'), "
            "('c1', 'sms', 'marketing', 'spring', 2.5, %s, 'v')",
            (NOW - timedelta(days=6), NOW - timedelta(days=2)),
        )
    ctx = customer_context(db, tenant, "c1", now=NOW)
    assert ctx.consent("email", "marketing").status == "withdrawn"  # type: ignore[union-attr]
    assert ctx.consent("push", "marketing") is None  # captured after `now`
    assert [t.ticket_id for t in ctx.tickets] == ["t1"]
    assert ctx.failed_payments_60d == 2
    assert ctx.unengaged_streak == {"sms": 1}  # the send after the click
    assert ctx.campaign_spend == {"spring": 5.0}
    assert ctx.products["knife"].age_gated and ctx.products["p1"].inventory == 3
    d = check_action(
        ctx, ProposedAction(customer_id="c1", channel="sms", purpose="marketing", send_at=NOW), demo_policy(), now=NOW
    )
    assert {h.rule for h in d.denials} == {"severe_ticket", "cap_sms"}
    with pytest.raises(UnknownCustomerError):
        customer_context(db, tenant, "nobody", now=NOW)


def test_decide_audits_version_and_contact_log_feeds_caps(db: Database, tenant: str) -> None:
    _customer(db, tenant)
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO consents (tenant_id, customer_id, channel, purpose, status, source, captured_at) "
            "VALUES (current_tenant(), 'c1', 'email', 'marketing', 'granted', 'signup_form', %s)",
            (NOW - timedelta(days=30),),
        )
    action = ProposedAction(customer_id="c1", channel="email", purpose="marketing", send_at=NOW, campaign_id="x")
    first = decide(db, tenant, action, now=NOW, actor="test")
    assert first.allowed
    with db.tenant(tenant) as conn:
        record_contact(conn, action, first, actor="test")
    second = decide(db, tenant, action, now=NOW, actor="test")
    assert not second.allowed and {h.rule for h in second.denials} == {"cap_email"}
    with db.tenant(tenant) as conn, pytest.raises(NotAllowedError, match="cap"):
        record_contact(conn, action, second, actor="test")
    with db.tenant(tenant) as conn:
        entries = conn.execute("SELECT action, payload FROM audit_log ORDER BY seq").fetchall()
        assert [e[0] for e in entries] == ["policy_decision", "contact_recorded", "policy_decision"]
        assert all(e[1]["policy_version"] == demo_policy().version for e in entries)
        assert audit.verify(conn).ok


def test_queued_outbox_sends_count_toward_caps(db: Database, tenant: str) -> None:
    _customer(db, tenant)
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO outbox (idempotency_key, customer_id, channel, purpose, payload, status, next_attempt_at) "
            "VALUES ('k1', 'c1', 'sms', 'marketing', '{}', 'pending', %s), "
            "('k2', 'c1', 'sms', 'marketing', '{}', 'dead', %s), "
            "('k3', 'c1', 'email', 'marketing', '{}', 'delivered', %s)",
            (NOW - timedelta(hours=30), NOW - timedelta(hours=5), NOW - timedelta(hours=2)),
        )
    ctx = customer_context(db, tenant, "c1", now=NOW)
    assert [(c.channel, c.sent_at) for c in ctx.contacts] == [("sms", NOW - timedelta(hours=30))]
