"""The guardrails part of `hyperjourney demo`: real policy decisions, two guarded assets, the inbound scan."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.table import Table

from hyperjourney.cli.context import console
from hyperjourney.guardrails.models import Asset, Evidence
from hyperjourney.policy.models import ProposedAction

_DEMO_GOOD = Asset(
    kind="email",
    subject="How Harborline closes in 4 days",
    body="Hi there,\n\nHarborline Credit Union cut month-end close from 9 days to 4 days [cite:demo#1].\n\n"
    "The Northwind team\nUnsubscribe | Manage preferences | You are receiving this because you asked about Ledger.\n"
    "Northwind Cloud & Goods, 500 Harbor Street, Seattle, WA 98101",
    citations=["demo#1"],
)
_DEMO_BAD = Asset(
    kind="sms", body="Northwind: GUARANTEED savings, 100% secure, cut close by 80%!! Better than Ledgerly."
)
_DEMO_EVIDENCE = [
    Evidence(citation_id="demo#1", text="Harborline Credit Union cut month-end close from 9 days to 4 days.")
]


def demo_step(db: Any, tenant: str) -> None:
    """Guardrails in the demo: policy decisions for real customers, two guarded assets, the inbound scan."""
    from hyperjourney.data.seed.generator import DEMO_ANCHOR
    from hyperjourney.guardrails.assets import validate_asset
    from hyperjourney.guardrails.inbound import scan
    from hyperjourney.policy.context import context_from
    from hyperjourney.policy.engine import check_action
    from hyperjourney.policy.store import active_policy

    now = DEMO_ANCHOR
    with db.tenant(tenant) as conn:
        policy = active_policy(conn)
        ids = [r[0] for r in conn.execute("SELECT customer_id FROM customers WHERE merged_into IS NULL LIMIT 200")]
        allowed = denied = 0
        reasons: dict[str, int] = {}
        for cid in ids:
            ctx = context_from(conn, cid, now=now, product_ids=[])
            send_at = datetime.combine(now.date(), time(10), tzinfo=_zone_or_utc(ctx.timezone))  # 10:00 local
            action = ProposedAction(customer_id=cid, channel="email", purpose="marketing", send_at=send_at)
            decision = check_action(ctx, action, policy, now=max(now, send_at))
            allowed += decision.allowed
            denied += not decision.allowed
            for h in decision.denials:
                reasons[h.rule] = reasons.get(h.rule, 0) + 1
        tickets = conn.execute(
            "SELECT DISTINCT ON (t.ticket_id) m.body, coalesce((t.labels->>'injection')::boolean, false) "
            "FROM tickets t JOIN messages m USING (tenant_id, ticket_id) WHERE m.author = 'customer' "
            "ORDER BY t.ticket_id, m.sent_at"
        ).fetchall()
    flagged = [(scan(body).attack, injected) for body, injected in tickets]
    benign = [a for a, injected in flagged if not injected] or [False]
    attacks = [a for a, injected in flagged if injected] or [True]
    good, bad = validate_asset(_DEMO_GOOD, _DEMO_EVIDENCE), validate_asset(_DEMO_BAD, _DEMO_EVIDENCE)
    table = Table(title=f"guardrails and policy ({policy.version}, {policy.rule_count} rules)", show_header=False)
    table.add_row(
        "marketing email at 10:00 local, 200 customers", f"{allowed} allowed, {denied} denied ({_top(reasons)})"
    )
    table.add_row("grounded email", "passed" if good.passed else f"failed: {', '.join(sorted(good.codes()))}")
    table.add_row("risky SMS", f"blocked: {', '.join(sorted(bad.codes()))}")
    table.add_row(
        f"inbound scan, {len(tickets)} seeded tickets",
        f"caught {sum(attacks)}/{len(attacks)} injections; false positives {sum(benign) / len(benign):.1%}",
    )
    console.print(table)


def _zone_or_utc(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _top(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:3])
