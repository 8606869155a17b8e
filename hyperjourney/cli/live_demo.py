"""The demo's last step: a journey advancing on its own. It starts `hyperjourney serve` (the API and one worker)
and a local SMTP server, posts one event to ``/v1/events`` and waits for the journey's email to arrive; nothing
else is run in between, so what moves the journey is the worker woken by the event's insert."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import typer
from rich.panel import Panel

from hyperjourney.api.keys import create_key
from hyperjourney.channels.inbox import LocalInbox, free_port
from hyperjourney.cli.context import console
from hyperjourney.db.database import Database
from hyperjourney.journeys import store
from hyperjourney.journeys.definition import JourneyDefinition
from hyperjourney.journeys.runner import JourneyRunner
from hyperjourney.workers.run import database_now, spawn_api, stop_workers, wait_for_api, wait_for_workers

JOURNEY = JourneyDefinition.model_validate(
    {
        "id": "live-welcome",
        "name": "Welcome (live demo)",
        "description": "A service email right after sign-up: transactional, so no send window delays it",
        "trigger": {"event": "signed_up"},
        "start": "hello",
        "steps": [
            {"type": "action", "id": "hello", "channel": "email", "purpose": "transactional",
             "why": "you just signed up", "next": "done",
             "variants": [{"name": "a", "subject": "Welcome to Northwind", "body": "Your account is ready."}]},
            {"type": "exit", "id": "done", "reason": "welcomed"},
        ],
        "goal": {"event": "upgraded", "within_hours": 24},
        "holdout_share": 0,
    }
)  # fmt: skip
WAIT_S = 180.0


def demo_step(db: Database, tenant: str) -> None:
    """Post a sign-up for a new customer to a freshly started `serve` and show the email its journey sends."""
    customer = f"live-{int(time.time())}"
    address = f"{customer}@example.com"
    with db.tenant(tenant) as conn:
        JourneyRunner(db, tenant).start_cursor_here(conn)
        store.save(conn, JOURNEY, actor="demo")
        conn.execute(
            "INSERT INTO customers (tenant_id, customer_id, created_at) VALUES (current_tenant(), %s, now())",
            (customer,),
        )
        conn.execute(
            "INSERT INTO identities (tenant_id, customer_id, kind, value, raw_value) "
            "VALUES (current_tenant(), %s, 'email', %s, %s)",
            (customer, address, address),
        )
    key = create_key(db, tenant, "live-demo", "reviewer", actor="demo").token
    port = free_port()
    with LocalInbox() as inbox:
        env = {"HYPERJOURNEY_CHANNELS__SMTP_HOST": "127.0.0.1", "HYPERJOURNEY_CHANNELS__SMTP_PORT": str(inbox.port)}
        console.print(f"starting `hyperjourney serve --port {port} --workers 1` with a local SMTP server…")
        since = database_now(db)
        server = spawn_api(db, port, workers=1, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_api(port)
            wait_for_workers(db, 1, since)
            posted_at = time.time()
            event = {"event_id": f"{customer}-signup", "customer_id": customer, "type": "signed_up",
                     "ts": datetime.now(UTC).isoformat()}  # fmt: skip
            reply = httpx.post(
                f"{base}/v1/events", json={"events": [event]}, headers={"Authorization": f"Bearer {key}"}, timeout=30
            )
            reply.raise_for_status()
            got = inbox.wait_for(address, WAIT_S)
        finally:
            stop_workers([server])
    if got is None:
        console.print(f"[bold red]no email reached the local SMTP server within {WAIT_S:.0f} s[/]")
        raise typer.Exit(1)
    console.print(
        Panel(
            f"POST /v1/events: signed_up for {customer}\n"
            f"→ the worker's journey tick enrolled it and queued the email, the dispatch job sent it\n"
            f"→ SMTP 127.0.0.1:{inbox.port} received “{got.subject}” for {got.to} "
            f"{got.at - posted_at:.1f} s after the post, with no other command\n\n{got.body.strip()}",
            title="a journey advancing on its own",
        )
    )
