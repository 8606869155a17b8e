"""`hyperjourney outbox list|dispatch|cancel`: the transactional outbox from the command line."""

from __future__ import annotations

import typer
from rich.table import Table

from hyperjourney.channels import outbox
from hyperjourney.channels.adapters import build_adapters
from hyperjourney.channels.dispatcher import Dispatcher, DispatchStats
from hyperjourney.cli.context import TenantOption, console, database, settings, tenant_or_default, user_errors
from hyperjourney.cli.progress import progress_bar

outbox_app = typer.Typer(
    help="The transactional outbox: every action is written once, then delivered with retries.", no_args_is_help=True
)


@outbox_app.command("list")
def list_cmd(
    tenant: str | None = TenantOption,
    status: str | None = typer.Option(None, help=f"Only actions in this state: {', '.join(outbox.STATUSES)}."),
    customer: str | None = typer.Option(None, help="Only actions for this customer id."),
    limit: int = typer.Option(50, min=1, help="Most recent N actions."),
) -> None:
    """List outbox actions, newest first, with their delivery state and last error."""
    if status is not None and status not in outbox.STATUSES:
        console.print(f"[bold red]error:[/] --status must be one of {', '.join(outbox.STATUSES)}, not {status!r}")
        raise typer.Exit(2)
    with user_errors(), database() as db:
        tid = tenant_or_default(tenant)
        rows = outbox.list_actions(db, tid, status=status, customer_id=customer, limit=limit)
        totals = outbox.counts(db, tid)
    table = Table(title=f"outbox of {tid}: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
    for col in ("id", "customer", "channel", "purpose", "status", "attempts", "journey", "why / last error"):
        table.add_column(col)
    for r in rows:
        note = r.last_error or str(r.payload.get("why", ""))
        table.add_row(
            str(r.action_id),
            r.customer_id,
            r.channel,
            r.purpose,
            r.status,
            f"{r.attempts}/{r.max_attempts or 'default'}",
            r.journey_id or "-",
            note[:80],
        )
    console.print(table)


@outbox_app.command("dispatch")
def dispatch_cmd(
    tenant: str | None = TenantOption,
    drain: bool = typer.Option(
        True, "--drain/--once", help="Keep going (waiting out backoffs) until every action is final, or one pass."
    ),
    batch: int = typer.Option(64, min=1, help="Actions claimed per round."),
    max_seconds: float | None = typer.Option(None, min=0.1, help="Stop after this long."),
) -> None:
    """Deliver due actions through the configured channel adapters (consent is re-checked for each)."""
    with user_errors(), database() as db:
        tid = tenant_or_default(tenant)
        s = settings()
        dispatcher = Dispatcher(db, tid, build_adapters(s), s.channels)
        left, _ = dispatcher.outstanding()
        with progress_bar() as bar:
            task = bar.add_task("dispatch", total=left or None)

            def tick(stats: DispatchStats) -> None:
                bar.update(task, completed=stats.delivered + stats.dead + stats.refused)

            stats = dispatcher.run(batch=batch, drain=drain, max_seconds=max_seconds, progress=tick)
    console.print(
        f"delivered {stats.delivered}, retried {stats.retried}, dead-lettered {stats.dead}, "
        f"refused (no consent) {stats.refused}"
    )


@outbox_app.command("cancel")
def cancel_cmd(
    action_id: int = typer.Argument(..., help="Outbox action id (see `outbox list`)."),
    tenant: str | None = TenantOption,
    reason: str = typer.Option("", help="Why; written to the audit log."),
    actor: str = typer.Option("cli", help="Who cancels; written to the audit log."),
) -> None:
    """Cancel a pending action, or roll back a delivered one where the channel allows it (webhook, sink)."""
    with user_errors(), database() as db:
        tid = tenant_or_default(tenant)
        new = outbox.cancel(db, tid, action_id, build_adapters(settings()), actor=actor, reason=reason)
    console.print(f"action {action_id}: {new}")
