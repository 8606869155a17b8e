"""`hyperjourney demo`: the main job, end to end on the embedded default."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import typer
from rich.panel import Panel
from rich.table import Table

from hyperjourney.cli import actions_commands, guardrails_demo, knowledge_commands, live_demo, surfaces_commands
from hyperjourney.cli.agent_commands import demo_agents
from hyperjourney.cli.context import console, database, user_errors
from hyperjourney.cli.data_commands import print_seed, run_seed
from hyperjourney.cli.scoring_commands import demo_step as scoring_demo
from hyperjourney.data import audit, identities
from hyperjourney.data.demo_tenant import DEMO_TENANT, is_empty
from hyperjourney.data.summary import TenantSummary, summarize


def demo(
    live: bool = typer.Option(
        True,
        "--live/--no-live",
        help="End by starting `serve` (API and one worker) with a local SMTP server and showing an event posted to "
        "the API become an email with no other command; exits 1 if no email arrives.",
    ),
) -> None:
    """The main job on the embedded default: data, knowledge, policy, models, agents, journeys and a readout.

    Starts the database, migrates, seeds the demo tenant if empty, resolves identities, ingests the demo
    knowledge base, stores the demo policy, trains the models, runs the canvas goal to approval and approves it,
    runs two support tickets, simulates two weeks of journey outcomes and prints the lift readout, then starts
    `serve` and shows an event posted to the API become an email at a local SMTP server with no other command.
    Work already done is skipped, so a second run takes seconds (and one live email).
    """
    with user_errors(), database(migrate_schema=True) as db:
        db.create_tenant(DEMO_TENANT, "Northwind Cloud & Goods (demo)")
        if is_empty(db, DEMO_TENANT):
            print_seed(run_seed(db, DEMO_TENANT))
        with db.tenant(DEMO_TENANT) as conn:
            resolved = identities.resolve(conn)
            audit.append(conn, actor="demo", action="identities_resolve", payload={"merged_now": resolved.merged_now})
        knowledge_commands.demo_step(db, DEMO_TENANT)
        guardrails_demo.demo_step(db, DEMO_TENANT)
        scoring_demo(db, DEMO_TENANT)
        surfaces_commands.demo_step(db, DEMO_TENANT)
        with db.tenant(DEMO_TENANT) as conn:  # after the knowledge step, so its documents are counted
            summary = summarize(conn, DEMO_TENANT)
            chain = audit.verify(conn)
    print_summary(summary, chain.ok, now=datetime.now(UTC))
    demo_agents()
    actions_commands.demo_step()
    if live:
        with user_errors(), database() as db:
            live_demo.demo_step(db, DEMO_TENANT)


def print_summary(summary: TenantSummary, audit_ok: bool, *, now: datetime) -> None:
    counts = Table(title=f"tenant {summary.tenant}", show_header=False)
    for name, n in summary.counts.items():
        counts.add_row(name, f"{n:,}")
    coverage = Table(title="marketing consent coverage")
    coverage.add_column("channel")
    coverage.add_column("share of unique profiles", justify="right")
    for channel, share in summary.consent_coverage.items():
        coverage.add_row(channel, f"{share:.1%}")
    clock, whose = freshness_clock([f.latest for f in summary.freshness], now)
    fresh = Table(title=f"freshness ({whose})")
    fresh.add_column("dataset")
    fresh.add_column("latest record")
    fresh.add_column("age", justify="right")
    for f in summary.freshness:
        fresh.add_row(f.dataset, f"{f.latest:%Y-%m-%d %H:%M}" if f.latest else "-", _age(clock, f.latest))
    console.print(counts, coverage, fresh)
    console.print(
        Panel(
            f"{summary.profiles_merged} duplicate profiles merged by identity resolution; audit chain "
            + ("[green]intact[/]" if audit_ok else "[red]BROKEN — run `hyperjourney audit verify`[/]"),
            title="hyperjourney demo",
        )
    )


STALE_AFTER = timedelta(days=2)


def freshness_clock(latest: list[datetime | None], now: datetime) -> tuple[datetime, str]:
    """The clock ages are read against, and a title saying which.

    Real time, unless every dataset's newest record is more than two days old: then the data keeps its own
    clock (a synthetic or replayed world, like the demo's), ages are against its newest record, and the title
    says how far behind real time that is. A record stamped after the clock reads "ahead", never a negative age.
    """
    known = [t for t in latest if t is not None]
    newest = max(known, default=None)
    if newest is None or now - newest <= STALE_AFTER:
        return now, f"ages against real time, {now:%Y-%m-%d %H:%M} UTC"
    behind = (now - newest).days
    return newest, (
        f"ages against the data's own clock, its newest record {newest:%Y-%m-%d %H:%M}: "
        f"the data is {behind} days older than real time"
    )


def _age(now: datetime, latest: datetime | None) -> str:
    if latest is None:
        return "-"
    hours = (now - latest).total_seconds() / 3600
    if hours < 0:
        return f"{-hours:.0f} h ahead"
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"
