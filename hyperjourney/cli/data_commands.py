"""Tenant data commands: seed the demo tenant, create tenants, resolve identities, verify the audit log."""

from __future__ import annotations

import time

import typer
from rich.markup import escape
from rich.progress import TaskID
from rich.table import Table

from hyperjourney.cli.context import (
    TenantOption,
    console,
    database,
    err_console,
    settings,
    tenant_or_default,
    user_errors,
)
from hyperjourney.cli.progress import progress_bar
from hyperjourney.data import audit, audit_checkpoints, identities
from hyperjourney.data.demo_tenant import DEMO_TENANT, SeedResult, is_empty
from hyperjourney.data.demo_tenant import seed as seed_tenant
from hyperjourney.db.database import Database

tenant_app = typer.Typer(help="Create and list tenants.", no_args_is_help=True)
identities_app = typer.Typer(
    help="Identity resolution across emails, phones, CRM ids, devices and cookies.", no_args_is_help=True
)
audit_app = typer.Typer(help="The hash-chained, append-only audit log.", no_args_is_help=True)


def seed(
    tenant: str = typer.Option(DEMO_TENANT, "--tenant", "-t", help="Tenant to create and fill."),
    customers: int = typer.Option(5000, min=10, help="Customer profiles to generate (duplicates included)."),
    events: int = typer.Option(250_000, min=100, help="Events to generate."),
    tickets: int = typer.Option(1000, min=1, help="Support tickets to generate."),
    seed_value: int = typer.Option(7, "--seed", help="Random seed: the same seed gives the same tenant."),
    force: bool = typer.Option(False, "--force", help="Seed even if the tenant already has customers."),
) -> None:
    """Generate the deterministic synthetic demo tenant (B2B SaaS, product-led SaaS, e-commerce) and load it."""
    with user_errors(), database() as db:
        db.create_tenant(tenant)
        if not force and not is_empty(db, tenant):
            console.print(f"tenant {tenant!r} already has data; use --force to add a second seeding")
            return
        result = run_seed(db, tenant, seed_value=seed_value, customers=customers, events=events, tickets=tickets)
    print_seed(result)


def run_seed(db: Database, tenant: str, **kwargs: int) -> SeedResult:
    with progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def tick(name: str, n: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(f"load {name}", total=total)
            bar.advance(tasks[name], n)

        err_console.print("generating the demo tenant…")
        return seed_tenant(db, tenant, progress=tick, **kwargs)


def print_seed(result: SeedResult) -> None:
    table = Table(title="seeded")
    table.add_column("dataset")
    table.add_column("rows", justify="right")
    table.add_column("written", justify="right")
    for name, r in result.loaded.items():
        table.add_row(name, f"{r.read:,}", ", ".join(f"{k} {v:,}" for k, v in r.inserted.items()))
    console.print(table)
    console.print(f"identity resolution: {result.resolve.merged_total} duplicate profiles merged")


@tenant_app.command("create")
def tenant_create(tenant_id: str, name: str | None = typer.Option(None, help="Display name.")) -> None:
    """Create an empty tenant."""
    with user_errors(), database() as db:
        created = db.create_tenant(tenant_id, name)
    console.print(f"tenant {tenant_id!r} " + ("created" if created else "already exists"))


@tenant_app.command("list")
def tenant_list() -> None:
    """List tenants."""
    with user_errors(), database() as db, db.admin() as conn:
        for tid, name, created in conn.execute("SELECT tenant_id, name, created_at FROM tenants ORDER BY 1"):
            console.print(f"{tid}\t{name}\t{created:%Y-%m-%d}")


@identities_app.command("resolve")
def identities_resolve(tenant: str | None = TenantOption) -> None:
    """Merge profiles that share a normalized email, phone, CRM id, device or cookie (idempotent)."""
    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        result = identities.resolve(conn)
        audit.append(
            conn,
            actor="cli",
            action="identities_resolve",
            payload={"merged_now": result.merged_now, "merged_total": result.merged_total},
        )
    console.print(
        f"{result.profiles:,} profiles; {result.merged_now} merged now, {result.merged_total} merged in total"
    )


@audit_app.command("verify")
def audit_verify(tenant: str | None = TenantOption) -> None:
    """Recompute the hash chain and compare it with the last signed checkpoint; exits 1 if anything was altered."""
    with user_errors(), database() as db:
        result = audit_checkpoints.verify_tenant(db, tenant_or_default(tenant), settings())
    if not result.problems:
        anchored = "" if result.anchor_seq is None else f", up to the signed checkpoint at entry {result.anchor_seq:,}"
        console.print(f"[green]audit log intact[/]: {result.rows:,} entries verified{anchored}")
        if result.anchor_seq is None:
            console.print("no signed checkpoint yet: run `hyperjourney audit checkpoint` (e.g. every few minutes)")
        return
    for problem in result.problems:
        console.print(f"[bold red]tampered:[/] {escape(problem)}")
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    tenants: list[str] = typer.Option([], "--tenant", "-t", help="Only these tenants (default: every tenant)."),
    every: float = typer.Option(0, "--every", min=0, help="Repeat every this many seconds (0: once)."),
) -> None:
    """Verify every tenant's chain and export a signed checkpoint of each head that moved (file, webhook)."""
    cfg = settings()
    with user_errors(), database() as db:
        while True:
            try:
                checks = audit_checkpoints.checkpoint_all(db, cfg, tenants=tenants or None)
            except audit_checkpoints.CheckpointExportError as exc:
                err_console.print(f"[bold red]checkpoint not exported:[/] {escape(str(exc))}")
                raise typer.Exit(1) from exc
            refused = [c for c in checks if c.problems]
            for c in checks:
                if c.signed is not None:
                    console.print(f"{c.tenant}: signed entry {c.signed.seq:,}")
                for problem in c.problems:
                    console.print(f"[bold red]{c.tenant}: not signed, tampered:[/] {escape(problem)}")
            console.print(f"checkpoints in {audit_checkpoints.checkpoint_file(cfg)}")
            if refused:
                raise typer.Exit(1)
            if not every:
                return
            time.sleep(every)


@audit_app.command("tail")
def audit_tail(tenant: str | None = TenantOption, n: int = typer.Option(20, "-n", min=1)) -> None:
    """Show the latest entries."""
    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        rows = conn.execute(
            "SELECT seq, ts, actor, action, entity FROM audit_log ORDER BY seq DESC LIMIT %s", (n,)
        ).fetchall()
    for seq, ts, actor, action, entity in reversed(rows):
        console.print(f"{seq:>6} {ts:%Y-%m-%d %H:%M:%S} {actor:<8} {action:<20} {entity}")
