"""`hyperjourney review|policy|guard`: the review queue, the contact policy and the content guard by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
import yaml
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from hyperjourney.cli.context import TenantOption, console, database, err_console, tenant_or_default, user_errors
from hyperjourney.guardrails.models import ASSET_KINDS, Asset, Evidence, GuardReport
from hyperjourney.policy.models import CHANNELS, PURPOSES, ProposedAction

review_app = typer.Typer(help="The human review queue: list, show, approve, reject or edit risky items.")
policy_app = typer.Typer(help="The tenant's contact policy: show it, store a new version, check an action.")
guard_app = typer.Typer(help="Content guardrails and inbound safety: check copy, scan customer text.")


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(1)


# --- review -------------------------------------------------------------------------------------------------


@review_app.command("list")
def review_list(
    status: str = typer.Option("pending", help="pending, approved, rejected or all."),
    limit: int = typer.Option(50, min=1, help="At most this many items."),
    tenant: str | None = TenantOption,
) -> None:
    """List review items (oldest pending first) with their risk labels."""
    from hyperjourney.review import queue

    if status not in ("pending", "approved", "rejected", "all"):
        raise _fail(f"--status must be pending, approved, rejected or all, not {status!r}")
    with user_errors(), database() as db:
        t = tenant_or_default(tenant)
        items = (
            queue.list_pending(db, t, limit=limit)
            if status == "pending"
            else queue.list_items(db, t, status=None if status == "all" else status, limit=limit)  # type: ignore[arg-type]
        )
    table = Table(title=f"review items ({status})")
    for col in ("id", "kind", "status", "title", "risk", "holds", "submitted by", "created"):
        table.add_column(col)
    for i in items:
        held = f"outbox {i.outbox_action_id}" if i.outbox_action_id is not None else ""
        table.add_row(
            i.item_id, i.kind, i.status, i.title, ", ".join(i.risk), held, i.submitted_by,
            f"{i.created_at:%Y-%m-%d %H:%M}",
        )  # fmt: skip
    console.print(table if items else f"no {status} review items")


@review_app.command("show")
def review_show(item_id: str, tenant: str | None = TenantOption) -> None:
    """Show one item: payload, evidence, reasons, risk and its decision so far."""
    from hyperjourney.review import queue

    with user_errors(), database() as db:
        item = queue.get(db, tenant_or_default(tenant), item_id)
    console.print(f"[bold]{item.item_id}[/] {item.kind} · {item.status} · revision {item.revision} · {item.title}")
    if item.reviewer:
        console.print(f"decided by {item.reviewer}: {item.note or ''}")
    console.print(f"risk: {', '.join(item.risk) or '-'}; reasons: {'; '.join(item.reasons) or '-'}")
    console.print_json(json.dumps(item.payload))
    if item.outbox_action_id is not None:
        console.print(f"holds outbox action {item.outbox_action_id}: approving sends it, rejecting cancels it")
    if item.preview:
        p = item.preview
        console.print(f"[bold]preview[/] {p.get('channel')}: {escape(p.get('subject') or '')}")
        console.print(escape(str(p.get("body", ""))))
    for e in item.evidence:
        console.print(f"[dim]evidence {e.citation_id}[/] {e.title} {e.text[:200]}")


@review_app.command("approve")
def review_approve(
    item_id: str,
    reviewer: str = typer.Option(..., "--reviewer", "-r", help="Who approves (recorded in the audit log)."),
    note: str | None = typer.Option(None, help="Optional note."),
    tenant: str | None = TenantOption,
) -> None:
    """Approve a pending item; an item holding an outbox action releases it to the dispatcher, an escalation
    continues its run."""
    from hyperjourney.graphs import runs
    from hyperjourney.graphs.nodes import ApprovalDecision
    from hyperjourney.review import queue

    with user_errors(), database() as db:
        t = tenant_or_default(tenant)
        decision = ApprovalDecision(action="approve", reviewer=reviewer, comment=note or "")
        result = runs.decide_item(db, t, item_id, decision)
        item = queue.get(db, t, item_id)
    if result is not None:
        console.print(f"[green]approved[/] {item.item_id}: run {result.run_id} went on and is {result.status}")
        return
    released = f"; outbox action {item.outbox_action_id} released to the dispatcher" if item.outbox_action_id else ""
    console.print(f"[green]approved[/] {item.item_id} (revision {item.revision}){released}")


@review_app.command("reject")
def review_reject(
    item_id: str,
    reviewer: str = typer.Option(..., "--reviewer", "-r", help="Who rejects (recorded in the audit log)."),
    reason: str = typer.Option(..., help="Why (required)."),
    tenant: str | None = TenantOption,
) -> None:
    """Reject a pending item with a reason; an item holding an outbox action cancels it, an escalation ends its
    run."""
    from hyperjourney.graphs import runs
    from hyperjourney.graphs.nodes import ApprovalDecision
    from hyperjourney.review import queue

    with user_errors(), database() as db:
        t = tenant_or_default(tenant)
        if not reason.strip():
            raise queue.ReviewError("a rejection needs a reason")
        result = runs.decide_item(db, t, item_id, ApprovalDecision(action="reject", reviewer=reviewer, comment=reason))
        item = queue.get(db, t, item_id)
    if result is not None:
        console.print(f"[red]rejected[/] {item.item_id}: {reason}; run {result.run_id} is {result.status}")
        return
    cancelled = f"; outbox action {item.outbox_action_id} cancelled" if item.outbox_action_id else ""
    console.print(f"[red]rejected[/] {item.item_id}: {reason}{cancelled}")


def _scalar(value: str) -> Any:
    """JSON when it parses (numbers, booleans, lists), else the text as typed."""
    try:
        return json.loads(value)
    except ValueError:
        return value


@review_app.command("edit")
def review_edit(
    item_id: str,
    reviewer: str = typer.Option(..., "--reviewer", "-r", help="Who edits (recorded in the audit log)."),
    set_: list[str] = typer.Option([], "--set", help="field=value to change in the payload (repeatable)."),
    body_file: Path | None = typer.Option(None, "--body-file", help="Replace an asset's body with this file."),
    no_approve: bool = typer.Option(False, "--no-approve", help="Keep it pending after a valid edit."),
    tenant: str | None = TenantOption,
) -> None:
    """Edit a pending item's payload; the edit is re-validated (guard or policy) and refused if it fails."""
    from hyperjourney.review import queue

    changes: dict[str, Any] = {}
    for pair in set_:
        if "=" not in pair:
            raise _fail(f"--set needs field=value, got {pair!r}")
        key, value = pair.split("=", 1)
        changes[key.strip()] = _scalar(value)
    if body_file is not None:
        if not body_file.is_file():
            raise _fail(f"--body-file: no such file {body_file}")
        changes["body"] = body_file.read_text(encoding="utf-8")
    with user_errors(), database() as db:
        result = queue.edit(
            db, tenant_or_default(tenant), item_id, reviewer, changes=changes, approve_if_valid=not no_approve
        )
    if not result.applied:
        for p in result.problems:
            err_console.print(f"[red]✗[/] {p}")
        raise _fail("the edit did not pass re-validation; nothing was changed")
    console.print(f"[green]edited[/] {item_id} → revision {result.item.revision}, {result.item.status}")


# --- policy -------------------------------------------------------------------------------------------------


@policy_app.command("show")
def policy_show(
    as_json: bool = typer.Option(False, "--json", help="Print the whole policy document as JSON."),
    tenant: str | None = TenantOption,
) -> None:
    """Show the tenant's active policy: version, caps, quiet hours, exclusions, budgets."""
    from hyperjourney.policy.store import load_policy

    with user_errors(), database() as db:
        policy = load_policy(db, tenant_or_default(tenant))
    if as_json:
        console.print_json(policy.model_dump_json())
        return
    console.print(f"[bold]policy {policy.version}[/] · {policy.rule_count} rules · {policy.description}")
    caps = Table(title="frequency caps (marketing)")
    for col in ("channel", "per day", "per week"):
        caps.add_column(col)
    for ch, cap in [*policy.caps.per_channel.items(), ("all channels", policy.caps.all_channels)]:
        caps.add_row(
            str(ch), str(cap.day if cap.day is not None else "-"), str(cap.week if cap.week is not None else "-")
        )
    console.print(caps)
    q = policy.quiet_hours
    console.print(
        f"quiet hours {q.start_hour:02d}-{q.end_hour:02d} local on {', '.join(q.channels)}; "
        f"strict consent regions: {', '.join(policy.consent.strict_regions) or '-'}; "
        f"budget per day: {policy.budgets.per_day}"
    )


@policy_app.command("set")
def policy_set(file: Path, tenant: str | None = TenantOption) -> None:
    """Validate a policy YAML file and make it the tenant's active version (the old one is kept)."""
    from hyperjourney.policy.store import store_policy

    if not file.is_file():
        raise _fail(f"no such file {file}")
    with user_errors(), database() as db:
        policy = store_policy(db, tenant_or_default(tenant), file.read_text(encoding="utf-8"), source=file.name)
    console.print(f"[green]active[/] policy {policy.version} ({policy.rule_count} rules)")


@policy_app.command("check")
def policy_check(
    customer_id: str,
    channel: str = typer.Option("email", help=f"One of {', '.join(CHANNELS)}."),
    purpose: str = typer.Option("marketing", help=f"One of {', '.join(PURPOSES)}."),
    campaign: str | None = typer.Option(None, help="Campaign id (budgets)."),
    product: list[str] = typer.Option([], help="Promoted product id (repeatable)."),
    cost: float = typer.Option(0.0, min=0, help="Cost of this send."),
    at: str | None = typer.Option(None, help="Send time, ISO 8601 with a zone (default: now)."),
    cohort: int = typer.Option(1, min=1, help="Cohort size of the campaign."),
    regulated: bool = typer.Option(False, help="The copy makes a regulated claim."),
    tenant: str | None = TenantOption,
) -> None:
    """Decide one action for one customer and print every rule that fired (the decision is audited)."""
    from hyperjourney.policy.service import decide

    now = datetime.now(UTC)
    send_at = now
    if at is not None:
        try:
            send_at = datetime.fromisoformat(at)
        except ValueError as exc:
            raise _fail(f"--at: {at!r} is not an ISO 8601 time") from exc
        if send_at.tzinfo is None:
            raise _fail("--at needs a time zone, e.g. 2026-03-01T10:00:00+00:00")
    try:
        action = ProposedAction(
            customer_id=customer_id,
            channel=channel,
            purpose=purpose,
            campaign_id=campaign,
            product_ids=product,
            cost=cost,
            send_at=send_at,
            cohort_size=cohort,
            regulated_claim=regulated,
        )
    except ValidationError as exc:
        raise _fail("; ".join(f"--{e['loc'][0]}: {e['msg']}" for e in exc.errors())) from exc
    with user_errors(), database() as db:
        decision = decide(db, tenant_or_default(tenant), action, now=max(now, send_at), actor="cli")
    verdict = "[green]ALLOWED[/]" if decision.allowed else "[red]DENIED[/]"
    review = " · [yellow]needs review[/]" if decision.needs_review else ""
    console.print(f"{verdict}{review} · policy {decision.policy_version}")
    table = Table()
    for col in ("rule", "outcome", "reason"):
        table.add_column(col)
    for h in decision.rules_fired:
        table.add_row(h.rule, h.outcome, h.reason)
    console.print(table)


# --- guard --------------------------------------------------------------------------------------------------


def _load_asset(file: Path, kind: str | None, subject: str | None) -> Asset:
    if not file.is_file():
        raise _fail(f"no such file {file}")
    text = file.read_text(encoding="utf-8")
    if file.suffix.lower() in (".json", ".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
            return Asset.model_validate(data)
        except (yaml.YAMLError, ValidationError) as exc:
            raise _fail(f"{file}: not a valid asset: {exc}") from exc
    if kind is None or kind not in ASSET_KINDS:
        raise _fail(f"--kind is required for plain-text files: one of {', '.join(ASSET_KINDS)}")
    return Asset(kind=kind, subject=subject, body=text)


def _load_evidence(path: Path | None) -> list[Evidence]:
    if path is None:
        return []
    if not path.is_file():
        raise _fail(f"--evidence: no such file {path}")
    text = path.read_text(encoding="utf-8")
    try:
        rows = (
            [json.loads(line) for line in text.splitlines() if line.strip()]
            if path.suffix == ".jsonl"
            else yaml.safe_load(text)
        )
        return [Evidence.model_validate(r) for r in rows]
    except (ValueError, yaml.YAMLError, ValidationError, TypeError) as exc:
        raise _fail(f"--evidence {path}: expected a list of {{citation_id, text}}: {exc}") from exc


def print_report(report: GuardReport) -> None:
    if report.passed:
        console.print(f"[green]passed[/] ({', '.join(report.checked)})")
        return
    table = Table(title="guard failures")
    for col in ("code", "validator", "message", "span", "fix"):
        table.add_column(col)
    for f in report.failures:
        table.add_row(f.code, f.validator, f.message, (f.span or "")[:60], f.fix_hint or "")
    console.print(table)


@guard_app.command("check")
def guard_check(
    file: Path,
    kind: str | None = typer.Option(None, help=f"Asset kind for .txt/.md files: {', '.join(ASSET_KINDS)}."),
    subject: str | None = typer.Option(None, help="Subject line for plain-text files."),
    evidence: Path | None = typer.Option(None, help="JSON/YAML list or JSONL of {citation_id, text, title}."),
    tenant: str | None = typer.Option(None, "--tenant", "-t", help="Use this tenant's stored content rules."),
) -> None:
    """Validate copy (JSON/YAML asset, or plain text with --kind); exit 1 with the failures if it does not pass.

    Without --tenant the packaged demo rules are used and no database is needed.
    """
    from hyperjourney.guardrails.assets import validate_asset
    from hyperjourney.guardrails.rules_store import load_content_rules

    asset = _load_asset(file, kind, subject)
    rules = None
    if tenant is not None:
        with user_errors(), database() as db:
            rules = load_content_rules(db, tenant)
    report = validate_asset(asset, _load_evidence(evidence), rules)
    print_report(report)
    if not report.passed:
        raise typer.Exit(1)


@guard_app.command("scan")
def guard_scan(file: Path) -> None:
    """Scan customer-written text for prompt injection; print the score, reasons and neutralized text.

    Exit status: 0 clean, 1 attack (so a script can gate on it), 2 the file is missing or not UTF-8 text.
    """
    from hyperjourney.guardrails.inbound import scan

    if not file.is_file():
        err_console.print(f"[bold red]error:[/] no such file {escape(str(file))}")
        raise typer.Exit(2)
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        err_console.print(
            f"[bold red]error:[/] {escape(str(file))} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start}); guard scan reads customer text"
        )
        raise typer.Exit(2) from exc
    if "\x00" in text:
        err_console.print(
            f"[bold red]error:[/] {escape(str(file))} holds a NUL byte at offset {raw.index(0)}: binary, not text"
        )
        raise typer.Exit(2)
    verdict = scan(text)
    flag = "[red]ATTACK[/]" if verdict.attack else "[green]clean[/]"
    console.print(f"{flag} score {verdict.score:.2f} {escape(', '.join(verdict.reasons))}")
    console.print(verdict.neutralized, markup=False)
    if verdict.attack:
        raise typer.Exit(1)


@guard_app.command("pii-map")
def guard_pii_map(
    keep: bool = typer.Option(..., "--keep/--forget", help="Keep the redaction mapping (reversible) or not."),
    tenant: str | None = TenantOption,
) -> None:
    """Choose whether this tenant keeps the token → original mapping of redacted PII (--forget deletes it)."""
    from hyperjourney.guardrails.pii_vault import set_keep_mapping

    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        set_keep_mapping(conn, keep, actor="cli")
    console.print("redaction mapping " + ("[green]kept[/]" if keep else "[yellow]not kept (deleted)[/]"))


rules_app = typer.Typer(help="The tenant's content rules: banned claims, competitors, footers, limits.")
guard_app.add_typer(rules_app, name="rules", no_args_is_help=True)


@rules_app.command("show")
def rules_show(tenant: str | None = TenantOption) -> None:
    """Print the tenant's active content rules as JSON (the packaged demo rules when none are stored)."""
    from hyperjourney.guardrails.rules_store import load_content_rules

    with user_errors(), database() as db:
        rules = load_content_rules(db, tenant_or_default(tenant))
    console.print_json(rules.model_dump_json())


@rules_app.command("set")
def rules_set(file: Path, tenant: str | None = TenantOption) -> None:
    """Validate a content-rules YAML file and make it the tenant's active version."""
    from hyperjourney.guardrails.rules_store import store_content_rules_yaml

    if not file.is_file():
        raise _fail(f"no such file {file}")
    with user_errors(), database() as db:
        rules = store_content_rules_yaml(
            db, tenant_or_default(tenant), file.read_text(encoding="utf-8"), source=file.name, actor="cli"
        )
    console.print(f"[green]active[/] content rules {rules.version}")


@rules_app.command("import-kb")
def rules_import_kb(
    file: Path,
    version: str = typer.Option(..., help="Version of the new rules (must be new)."),
    tenant: str | None = TenantOption,
) -> None:
    """Read banned phrases and competitors from a banned-claims markdown document into a new rules version."""
    from hyperjourney.guardrails.rules_store import active_content_rules, rules_from_banned_claims, store_content_rules

    if not file.is_file():
        raise _fail(f"no such file {file}")
    t = tenant_or_default(tenant)
    with user_errors(), database() as db:
        with db.tenant(t) as conn:
            base = active_content_rules(conn)
        rules = rules_from_banned_claims(file.read_text(encoding="utf-8"), base, version=version)
        store_content_rules(db, t, rules, source=file.name, actor="cli")
    console.print(
        f"[green]active[/] content rules {rules.version}: {len(rules.banned_phrases)} banned phrases, "
        f"{len(rules.competitors)} competitors"
    )
