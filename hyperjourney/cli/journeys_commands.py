"""`hyperjourney journeys list|validate|launch|run`: versioned journeys and the runner."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from hyperjourney.channels.adapters import build_adapters
from hyperjourney.channels.dispatcher import Dispatcher
from hyperjourney.cli.context import (
    TenantOption,
    console,
    database,
    err_console,
    settings,
    tenant_or_default,
    user_errors,
)
from hyperjourney.experiments.readout import SEGMENT_COLUMNS, readout
from hyperjourney.journeys import store
from hyperjourney.journeys.definition import KNOWN_EVENTS, JourneyValidationError, examples, load
from hyperjourney.journeys.launch import JourneyPlan, launch_plan
from hyperjourney.journeys.runner import JourneyRunner

journeys_app = typer.Typer(
    help="Triggered journeys: versioned definitions, validation, launch and the runner.", no_args_is_help=True
)


@journeys_app.command("list")
def list_cmd(tenant: str | None = TenantOption) -> None:
    """List the tenant's journeys (latest version, status, enrollments by state) and the shipped patterns."""
    with user_errors(), database() as db:
        tid = tenant_or_default(tenant)
        with db.tenant(tid) as conn:
            stored = store.listing(conn)
            states = conn.execute(
                "SELECT journey_id, state, count(*) FROM journey_enrollments GROUP BY 1, 2 ORDER BY 1, 2"
            ).fetchall()
    table = Table(title=f"journeys of {tid}")
    for col in ("journey", "version", "status", "trigger", "holdout", "enrollments"):
        table.add_column(col)
    for sj in stored:
        d = sj.definition
        counts = ", ".join(f"{s} {n}" for j, s, n in states if j == d.id) or "-"
        table.add_row(d.id, str(sj.version), sj.status, d.trigger.event, f"{d.holdout_share:.0%}", counts)
    console.print(table)
    shipped = Table(title="shipped patterns (launch with `journeys launch --example ID`)")
    for col in ("id", "name", "trigger", "goal"):
        shipped.add_column(col)
    for d in examples():
        shipped.add_row(d.id, d.name, d.trigger.event, d.goal.event)
    console.print(shipped)


@journeys_app.command("validate")
def validate_cmd(
    files: list[Path] = typer.Argument(..., help="Journey definition files (YAML or JSON)."),
    extra_events: list[str] = typer.Option([], "--event", help="Also accept this event type (repeatable)."),
) -> None:
    """Check definitions: schema, unknown events/channels/steps, cycles, missing exits. Exit 1 if any is bad."""
    known = KNOWN_EVENTS | frozenset(extra_events)
    bad = 0
    for path in files:
        try:
            defn = load(path, known_events=known)
        except JourneyValidationError as exc:
            bad += 1
            err_console.print(f"[bold red]{path}[/]: invalid")
            for reason in exc.reasons:
                err_console.print(f"  - {reason}")
            continue
        console.print(f"[green]{path}[/]: ok ({defn.id}, {len(defn.steps)} steps, goal {defn.goal.event})")
    if bad:
        raise typer.Exit(1)


@journeys_app.command("launch")
def launch_cmd(
    file: Path | None = typer.Argument(None, help="A journey definition file."),
    example: str | None = typer.Option(None, help="Launch a shipped pattern instead (see `journeys list`)."),
    tenant: str | None = TenantOption,
    actor: str = typer.Option("cli", help="Who approves the launch; written to the audit log."),
) -> None:
    """Store (as a new version if changed) and activate a journey; new trigger events enroll customers."""
    if (file is None) == (example is None):
        err_console.print("[bold red]error:[/] give either FILE or --example")
        raise typer.Exit(2)
    with user_errors(), database() as db:
        if file is not None:
            plan = JourneyPlan(journey=load(file), approved_by=actor)
        else:
            plan = JourneyPlan(template=example, approved_by=actor)
        result = launch_plan(db, tenant_or_default(tenant), plan)
    console.print(result.detail)


@journeys_app.command("run")
def run_cmd(
    tenant: str | None = TenantOption,
    now: str | None = typer.Option(
        None, help="Fire timers due by this ISO time, e.g. 2026-03-01T09:00Z (default: now)."
    ),
    dispatch: bool = typer.Option(False, help="Also deliver the queued actions (`outbox dispatch --once`)."),
) -> None:
    """Advance journeys once: read new events (enroll, resolve waits, goals) and fire due timers."""
    with user_errors(), database() as db:
        tid = tenant_or_default(tenant)
        when = _parse_time(now) if now else datetime.now(UTC)
        stats = JourneyRunner(db, tid).tick(when)
        console.print(
            f"events {stats.events}, enrolled {stats.enrolled} (+{stats.holdout} holdout), actions {stats.actions}, "
            f"capped {stats.capped}, goals {stats.goals}, timeouts {stats.timeouts}, exited {stats.exited}"
        )
        if dispatch:
            s = settings()
            sent = Dispatcher(db, tid, build_adapters(s), s.channels).run(drain=False)
            console.print(f"delivered {sent.delivered}, refused {sent.refused}, dead {sent.dead}")


def _parse_time(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"--now: {text!r} is not an ISO date-time like 2026-03-01T09:00:00Z") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@journeys_app.command("readout")
def readout_cmd(
    journey_id: str = typer.Argument(..., help="Journey id (see `journeys list`)."),
    tenant: str | None = TenantOption,
    segment_by: str = typer.Option("region", help=f"Segment column: {', '.join(SEGMENT_COLUMNS)}."),
) -> None:
    """Lift of the journey's goal versus its holdout with 95% CIs, per segment, guardrails and the next test."""
    with user_errors(), database() as db:
        r = readout(db, tenant_or_default(tenant), journey_id, segment_by=segment_by)
    table = Table(title=f"{journey_id}: conversion by {segment_by}")
    for col in ("segment", "treated", "holdout", "lift (pts)", "95% CI"):
        table.add_column(col)
    for s in [None, *r.segments]:
        c = r.conversion if s is None else s.conversion
        table.add_row("all" if s is None else s.segment, f"{c.treated_rate:.1%} of {c.treated_n}",
                      f"{c.control_rate:.1%} of {c.control_n}", f"{100 * c.abs_lift:+.1f}",
                      f"{100 * c.ci_low:+.1f} … {100 * c.ci_high:+.1f}")  # fmt: skip
    console.print(table)
    for g in r.guardrails:
        console.print(f"guardrail {g.name}: {g.treated:.2%}" + (f" vs {g.control:.2%}" if g.control is not None else "")
                      + (" ok" if g.ok else " [red]BREACHED[/]"))  # fmt: skip
    console.print(r.summary)
    console.print(f"[bold]Next:[/] {r.next_test}")
