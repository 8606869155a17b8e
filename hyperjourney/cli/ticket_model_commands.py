"""`hyperjourney models train-tickets` and `models taxonomy set|show`: the ticket classifiers on the tenant's labels."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from hyperjourney.cli.context import TenantOption, console, database, tenant_or_default, user_errors
from hyperjourney.scoring import taxonomy
from hyperjourney.scoring.train import train_ticket_models

taxonomy_app = typer.Typer(help="The tenant's ticket intents: learned from its labels, with descriptions and routes.")


def train_tickets(tenant: str | None = TenantOption) -> None:
    """Train ticket_intent (and ticket_sentiment where labelled) alone; activate only what beats the active one."""
    with user_errors(), database() as db:
        report = train_ticket_models(db, tenant_or_default(tenant))
    for name, q in report.metrics.items():
        state = "activated" if q["activate"] else "stored, NOT activated (does not beat the baseline or active version)"
        console.print(
            f"{report.versions[name]}: accuracy {q['accuracy']:.3f} vs baseline {q['baseline_accuracy']:.3f} "
            f"on {q['n']} held-out tickets, {len(q['labels'])} labels — {state}"
        )
        if q.get("classes_missing_from_validation"):
            console.print(
                f"  labels with one ticket (trained, not validated): {len(q['classes_missing_from_validation'])}"
            )
        if q.get("sentiment_skipped"):
            console.print(f"  sentiment not trained: {q['sentiment_skipped']}")
        if "label_counts" in q:
            c = q["label_counts"]
            console.print(
                f"  labels: {c['with_intent']} of {c['tickets']} tickets with an intent, {c['without_intent']} without "
                f"(dropped), {c['with_sentiment']} with a known sentiment, unknown sentiments dropped: "
                f"{c['unknown_sentiment'] or 'none'}"
            )


@taxonomy_app.command("set")
def set_taxonomy(
    file: Path = typer.Argument(..., help="YAML list or CSV (intent,description,route) of the tenant's intents."),
    tenant: str | None = TenantOption,
) -> None:
    """Replace the descriptions and routes of the tenant's intents (validated first; all or nothing)."""
    with user_errors():
        entries = taxonomy.parse(file)
        with database() as db, db.tenant(tenant_or_default(tenant)) as conn:
            taxonomy.store(conn, entries)
    console.print(f"stored {len(entries)} intents from {file}")


@taxonomy_app.command("show")
def show_taxonomy(tenant: str | None = TenantOption) -> None:
    """The tenant's intents, how many labelled tickets each has, what it means and where it routes."""
    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        found = taxonomy.load(conn)
    table = Table(title=f"intents (from {found.source})")
    for col in ("intent", "tickets", "description", "route"):
        table.add_column(col)
    for e in found.intents:
        table.add_row(e.intent, str(e.tickets), e.description or "-", e.route or "-")
    console.print(table)
