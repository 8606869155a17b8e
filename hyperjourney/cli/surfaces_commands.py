"""`hyperjourney serve`, `hyperjourney apikeys …` and `hyperjourney ui`: how people and systems reach the product."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from enum import Enum

import typer
from rich.panel import Panel
from rich.table import Table

from hyperjourney.cli.context import TenantOption, console, database, settings, tenant_or_default, user_errors
from hyperjourney.db.database import Database
from hyperjourney.settings import Settings

apikeys_app = typer.Typer(help="Per-tenant API keys for the headless API (stored hashed).", no_args_is_help=True)


class KeyRole(str, Enum):
    reviewer = "reviewer"
    viewer = "viewer"
    widget = "widget"


_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """'30d', '12h', '90m', '2w' -> a timedelta (a whole positive number and one unit)."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*([mhdw])\s*", text.lower())
    if match is None or int(match.group(1)) == 0:
        raise typer.BadParameter(f"{text!r} is not a duration like 30d, 12h, 90m or 2w", param_hint="--expires-in")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@apikeys_app.command("create")
def apikeys_create(
    name: str = typer.Option(..., "--name", "-n", help="What the key is for, e.g. 'crm-sync'."),
    role: KeyRole = typer.Option(
        KeyRole.reviewer,
        "--role",
        help="reviewer: full access; viewer: read only; widget: the assistant's chat routes only (publishable).",
    ),
    expires_in: str | None = typer.Option(
        None, "--expires-in", help="Expire after this long, e.g. 30d, 12h, 2w (default: never)."
    ),
    tenant: str | None = TenantOption,
) -> None:
    """Create a key and print it once; only its hash is stored, so copy it now."""
    from hyperjourney.api.keys import create_key

    if not name.strip():
        raise typer.BadParameter("must not be empty", param_hint="--name")
    lifetime = parse_duration(expires_in) if expires_in is not None else None
    with user_errors(), database() as db:
        created = create_key(db, tenant_or_default(tenant), name.strip(), role.value, expires_in=lifetime)
    expiry = f", expires {created.info.expires_at:%Y-%m-%d %H:%M %Z}" if created.info.expires_at else ""
    console.print(
        f"key [bold]{created.info.key_id}[/] ({created.info.role}{expiry}) for tenant {tenant_or_default(tenant)}"
    )
    console.print(created.token, soft_wrap=True, highlight=False)
    console.print("[dim]shown once; send it as `Authorization: Bearer <key>`[/]")


@apikeys_app.command("list")
def apikeys_list(tenant: str | None = TenantOption) -> None:
    """List the tenant's keys (id, name, role, prefix, last use, expiry, revoked) — never the secret."""
    from hyperjourney.api.keys import list_keys

    with user_errors(), database() as db:
        keys = list_keys(db, tenant_or_default(tenant))
    table = Table(title=f"API keys of {tenant_or_default(tenant)}")
    now = datetime.now(UTC)
    for col in ("key id", "name", "role", "prefix", "created", "last used", "expires", "revoked"):
        table.add_column(col)
    for k in keys:
        table.add_row(
            k.key_id,
            k.name,
            k.role,
            k.prefix + "…",
            f"{k.created_at:%Y-%m-%d %H:%M}",
            f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "-",
            _expiry(k.expires_at, now),
            f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "-",
        )
    console.print(table)


def _expiry(expires_at: datetime | None, now: datetime) -> str:
    if expires_at is None:
        return "never"
    return f"{expires_at:%Y-%m-%d %H:%M}" + (" (expired)" if expires_at <= now else "")


@apikeys_app.command("revoke")
def apikeys_revoke(
    key_id: str = typer.Argument(..., help="The key id shown by `apikeys list`."), tenant: str | None = TenantOption
) -> None:
    """Revoke a key at once; requests with it get 401 from then on."""
    from hyperjourney.api.keys import revoke_key

    with user_errors(), database() as db:
        if not revoke_key(db, tenant_or_default(tenant), key_id):
            console.print(f"[bold red]error:[/] no live key {key_id!r} in tenant {tenant_or_default(tenant)}")
            raise typer.Exit(1)
    console.print(f"revoked {key_id}")


def structured_logs(s: Settings) -> None:
    """Long-running processes log JSON lines (or text) with request and run ids, PII redacted."""
    from hyperjourney.guardrails.redaction import log_safe
    from hyperjourney.telemetry import logs

    logs.configure(log_safe, fmt=s.log_format, level=s.log_level)


def serve(
    host: str | None = typer.Option(None, "--host", help="Interface (default HYPERJOURNEY_API__HOST or 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", help="Port (default HYPERJOURNEY_API__PORT or 8000)."),
    workers: int = typer.Option(
        1, "--workers", min=0, help="Worker processes started beside the API (0: run `hyperjourney worker` apart)."
    ),
) -> None:
    """Run the headless API (OpenAPI at /docs and /openapi.json) and its workers until interrupted."""
    import uvicorn

    from hyperjourney.api.app import create_app
    from hyperjourney.telemetry import tracing
    from hyperjourney.workers.run import spawn_workers, stop_workers

    s = settings()
    structured_logs(s)
    with user_errors(), database(migrate_schema=True) as db:
        app = create_app(db, s, require_workers=True)
        children = spawn_workers(db, workers)
        try:  # our request line (with its request id) replaces uvicorn's access line
            uvicorn.run(app, host=host or s.api.host, port=port or s.api.port, log_config=None, access_log=False)
        finally:
            stop_workers(children)
            tracing.flush()


def worker(
    concurrency: int | None = typer.Option(
        None, "--concurrency", min=1, help="Jobs run at once (default HYPERJOURNEY_WORKERS__CONCURRENCY or 4)."
    ),
    name: str | None = typer.Option(None, "--name", help="Shown in the queue's tables (default host:pid)."),
) -> None:
    """Run a worker on the Postgres job queue until interrupted: agent runs, journeys, outbox, retraining, drift.

    Start as many as the load needs, on any machine that reaches the database."""
    from hyperjourney.telemetry import tracing
    from hyperjourney.workers.run import run_worker

    s = settings()
    structured_logs(s)
    with user_errors(), database() as db:
        console.print(f"worker {name or ''} on the job queue; Ctrl+C stops it after the jobs in progress")
        try:
            run_worker(db, s, name=name, concurrency=concurrency)
        finally:
            tracing.flush()


def ui(
    host: str | None = typer.Option(None, "--host", help="Interface (default HYPERJOURNEY_UI__HOST or 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", help="Port (default HYPERJOURNEY_UI__PORT or 8001)."),
    tenant: str | None = TenantOption,
) -> None:
    """Run the chainlit app (Canvas for marketers, Copilot for support) on localhost until interrupted.

    Logins come from HYPERJOURNEY_UI__USERS, e.g. '{"ana": {"password": "…", "role": "reviewer"}}';
    reviewers may approve plans, viewers may only look. Nothing is fetched from the internet.
    """
    from hyperjourney.api.app import installed
    from hyperjourney.ui import server

    s = settings()
    if not installed("hyperjourney.graphs.runs"):
        console.print("[bold red]error:[/] the agent graphs (hyperjourney.graphs) are not installed")
        raise typer.Exit(1)
    if not s.ui.users:
        console.print(
            "[yellow]warning:[/] no logins are configured, so nobody can sign in; set HYPERJOURNEY_UI__USERS, e.g. "
            '\'{"ana": {"password": "…", "role": "reviewer"}}\''
        )
    with user_errors(), database(migrate_schema=True) as db, db.tenant(tenant_or_default(tenant)):
        pass  # fails early, with the command to run, when the tenant does not exist
    server.serve(s, tenant_or_default(tenant), host or s.ui.host, port or s.ui.port)


def demo_step(db: Database, tenant: str) -> None:
    """The demo's surfaces: a reviewer API key for the demo tenant (made once, shown once) and how to start both."""
    from hyperjourney.api.keys import create_key, list_keys

    live = [k for k in list_keys(db, tenant) if k.name == "demo" and k.revoked_at is None]
    if live:
        key_line = (
            f"API key [bold]{live[0].key_id}[/] (made on an earlier run; `hyperjourney apikeys create` for another)"
        )
    else:
        key_line = f"API key (shown once): {create_key(db, tenant, 'demo', actor='demo').token}"
    console.print(
        Panel(
            f"{key_line}\n"
            "`hyperjourney serve` → http://127.0.0.1:8000/docs (send `Authorization: Bearer <key>`)\n"
            '`HYPERJOURNEY_UI__USERS=\'{"ana":{"password":"…","role":"reviewer"}}\' hyperjourney ui`'
            " → http://127.0.0.1:8001 (Canvas and Copilot)",
            title="surfaces",
        ),
        soft_wrap=True,
    )
