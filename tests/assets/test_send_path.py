"""Approved copy to inbox: the canvas plan's marked copy is rendered at launch, the journey queues the render,
and the local SMTP server receives exactly the approved render; a variant that fails is never launched, and
the tenant's own content rules decide what fails."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from hyperjourney.assets.marked import parse_marked
from hyperjourney.assets.render import render
from hyperjourney.assets.sources import cited_evidence
from hyperjourney.assets.validate import validate_copy
from hyperjourney.channels import outbox
from hyperjourney.channels.adapters import SmtpAdapter
from hyperjourney.channels.dispatcher import Dispatcher
from hyperjourney.channels.models import Message, OutboundAction
from hyperjourney.data.demo_tenant import DEMO_BRAND
from hyperjourney.db.database import Database
from hyperjourney.guardrails.rules_store import load_content_rules, store_content_rules
from hyperjourney.journeys.launch import JourneyPlan, launch_plan
from hyperjourney.knowledge.ingest import ingest_path
from hyperjourney.prompts.loader import load
from hyperjourney.settings import ChannelSettings
from tests.actions_fixtures import T0, add_customers
from tests.channels.test_outbox_dispatch import Inbox, free_port

FACT = "Acme closed its books 4 days faster each month after switching to Northwind Ledger"
SUBJECT = "An idea for your team from Northwind"
WHY = "you are one of our fintech SMBs customers"
CUSTOMERS = ["m1", "m2", "m3"]


def add_kb(db: Database, tenant: str, folder: Path) -> str:
    (folder / "acme-case-study.md").write_text(f"# Case study: Acme Books\n\n{FACT}.\n", encoding="utf-8")
    ingest_path(db, tenant, folder)
    with db.tenant(tenant) as conn:
        (cid,) = conn.execute("SELECT document_id || '#' || chunk_index FROM kb_chunks").fetchone() or ("",)
    return str(cid)


def add_emails(db: Database, tenant: str, ids: list[str]) -> None:
    with db.tenant(tenant) as conn:
        for cid in ids:
            conn.execute(
                "INSERT INTO identities (tenant_id, customer_id, kind, value, raw_value) "
                "VALUES (current_tenant(), %s, 'email', %s, %s)",
                (cid, f"{cid}@example.com", f"{cid}@example.com"),
            )


def marked_email(proof: str) -> str:
    return (
        load("template_email_canvas")
        .render(
            subject=SUBJECT,
            lead="Here is what one team measured:",
            proof=proof,
            brand=DEMO_BRAND.name,
            marketing_footer=DEMO_BRAND.email_footer(),
        )
        .split("\n", 2)[-1]
        .strip()
    )


def canvas_plan(variants: list[dict[str, Any]]) -> JourneyPlan:
    return JourneyPlan(
        plan_id="run-assets",
        goal="Lift LTV 20% in fintech SMBs",
        plan={"name": "LTV lift fintech SMBs", "steps": [{"channel": "email", "delay_days": 0}], "holdout_share": 0},
        variants=variants,
        metric="ltv",
        segment_name="fintech SMBs",
        audience=CUSTOMERS,
        approved_by="maria",
    )


@pytest.fixture
def kb_tenant(db: Database, tenant: str, tmp_path: Path) -> tuple[str, str]:
    add_customers(db, tenant, CUSTOMERS, marketing=("email",))
    add_emails(db, tenant, CUSTOMERS)
    return tenant, add_kb(db, tenant, tmp_path)


def test_the_smtp_server_receives_the_approved_render_byte_for_byte(db: Database, kb_tenant: tuple[str, str]) -> None:
    tenant, cid = kb_tenant
    good = {"channel": "email", "subject": SUBJECT, "body": marked_email(f"{FACT} [cite:{cid}].")}
    invented = {
        "channel": "email",
        "subject": SUBJECT,
        "body": marked_email(f"Acme closed 9 days faster [cite:{cid}]."),
    }
    result = launch_plan(db, tenant, canvas_plan([good, invented]), now=T0)
    assert [r.split(":")[0] for r in result.not_launched] == ["step send_0 variant email-2"]
    assert "number_unsupported" in result.not_launched[0]

    # what the reviewer approved: the render of the asset behind the copywriter's marked text
    with db.tenant(tenant) as conn:
        evidence = cited_evidence(conn, [cid])
    rules = load_content_rules(db, tenant)
    asset = parse_marked(good["body"], evidence, kind="email", subject=SUBJECT)
    approved = render(asset, "email", "en", rules, why=WHY)
    assert validate_copy(asset, approved, evidence, rules).passed
    assert [e.title for e in evidence] == ["Case study: Acme Books"]

    rows = outbox.list_actions(db, tenant)
    assert len(rows) == result.actions_queued == len(CUSTOMERS)
    assert {r.variant for r in rows} == {"email-1"}  # the failed variant was never launched
    assert all(r.payload["body"] == approved.body and r.payload["subject"] == SUBJECT for r in rows)

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        cfg = ChannelSettings(smtp_host="127.0.0.1", smtp_port=port, timeout_s=2, lease_s=5, workers=2)
        stats = Dispatcher(db, tenant, {"email": SmtpAdapter(cfg)}, cfg).run()
    finally:
        controller.stop()
    assert stats.delivered == len(CUSTOMERS)
    for envelope in inbox.messages:
        assert b"[cite:" not in envelope.content
        received = email.message_from_bytes(envelope.content, policy=policy.default)
        body = received.get_body(preferencelist=("plain",))
        assert body is not None
        # byte for byte once decoded; SMTP itself carries every line break as CRLF (RFC 5321)
        assert body.get_content().replace("\r\n", "\n") == approved.body
        assert body.get_content().count("Why you got this") == 1
        assert received["Subject"] == SUBJECT


def test_tenant_rules_set_in_the_store_decide_what_launches(db: Database, kb_tenant: tuple[str, str]) -> None:
    tenant, cid = kb_tenant
    variant = {"channel": "email", "subject": SUBJECT, "body": marked_email(f"{FACT} [cite:{cid}].")}
    strict = load_content_rules(db, tenant).model_copy(
        update={"version": "strict-1", "banned_phrases": ["books 4 days faster"]}
    )
    store_content_rules(db, tenant, strict, source="test", actor="test")
    with pytest.raises(ValueError, match=r"no variant of the plan can be launched: .*banned_claim"):
        launch_plan(db, tenant, canvas_plan([variant]), now=T0)
    assert outbox.list_actions(db, tenant) == []  # nothing stored from the refused launch
    relaxed = strict.model_copy(update={"version": "relaxed-2", "banned_phrases": [], "email_sources_footer": True})
    store_content_rules(db, tenant, relaxed, source="test", actor="test")
    launch_plan(db, tenant, canvas_plan([variant]), now=T0)
    bodies = {r.payload["body"] for r in outbox.list_actions(db, tenant)}
    assert len(bodies) == 1
    (body,) = bodies
    assert f"{FACT} [1]." in body and "\n\nSources:\n[1] Case study: Acme Books\n\n--\nWhy you got this:" in body


def test_the_outbox_refuses_copy_that_still_holds_markers(db: Database, tenant: str) -> None:
    add_customers(db, tenant, ["c1"], marketing=("email",))
    marked = OutboundAction(
        idempotency_key="marked-1",
        customer_id="c1",
        channel="email",
        message=Message(to="c1@example.com", subject="Hi", body=f"{FACT} [cite:kb#1]."),
    )
    with db.tenant(tenant) as conn, pytest.raises(outbox.UnrenderedCopyError, match="message body contains"):
        outbox.enqueue(conn, marked)
    assert outbox.list_actions(db, tenant) == []


def test_a_journey_built_from_marked_agent_copy_stores_the_render(db: Database, kb_tenant: tuple[str, str]) -> None:
    """The shape graphs hand over today: a full definition whose bodies still hold markers, and an empty body
    where an edit kept fewer variants than the plan has steps."""
    tenant, cid = kb_tenant
    marked = marked_email(f"{FACT} [cite:{cid}].")
    journey = {
        "id": "canvas-abc", "name": "canvas", "trigger": {"event": "login"}, "start": "send_0",
        "steps": [
            {"type": "action", "id": "send_0", "channel": "email", "why": WHY, "next": "wait_1",
             "variants": [{"name": "email_1", "subject": SUBJECT, "body": marked}]},
            {"type": "wait", "id": "wait_1", "hours": 48, "next": "send_1"},
            {"type": "action", "id": "send_1", "channel": "sms", "why": WHY, "next": "done",
             "variants": [{"name": "sms_1", "subject": None, "body": ""}]},
            {"type": "exit", "id": "done"},
        ],
        "goal": {"event": "upgrade"}, "holdout_share": 0,
    }  # fmt: skip
    result = launch_plan(db, tenant, JourneyPlan(plan_id="run-j", journey=journey, audience=CUSTOMERS), now=T0)
    assert result.not_launched == ["step send_1 variant sms_1: no approved copy"]
    with db.tenant(tenant) as conn:
        (stored,) = conn.execute("SELECT definition FROM journeys WHERE journey_id = 'canvas-abc'").fetchone() or (
            None,
        )
    assert stored is not None
    assert [s["id"] for s in stored["steps"]] == ["send_0", "wait_1", "done"] and stored["steps"][1]["next"] == "done"
    variant = stored["steps"][0]["variants"][0]
    assert variant["rendered"] is True and "[cite:" not in variant["body"]
    assert variant["body"].endswith(f"--\nWhy you got this: {WHY}\n")
