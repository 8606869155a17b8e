"""Entry point: `hyperjourney --help` lists every command group."""

from __future__ import annotations

import json

import typer

from hyperjourney import __version__
from hyperjourney.cli import (
    actions_commands,
    agent_commands,
    data_commands,
    db_commands,
    demo_command,
    eval_commands,
    guardrails_commands,
    ingest_commands,
    knowledge_commands,
    scoring_commands,
    surfaces_commands,
)
from hyperjourney.cli.context import console, settings

app = typer.Typer(
    name="hyperjourney",
    help="Hyper-personalized customer journeys and support: grounded, under policy, self-hosted.\n\n"
    "Start with `hyperjourney demo`.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
config_app = typer.Typer(help="Inspect the effective settings.", no_args_is_help=True)


@config_app.command("show")
def config_show() -> None:
    """Print the effective settings (environment, .env, defaults) with secrets masked."""
    console.print_json(json.dumps(settings().masked()))


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


app.add_typer(config_app, name="config")
app.add_typer(db_commands.app, name="db")
app.add_typer(data_commands.tenant_app, name="tenant")
app.add_typer(data_commands.identities_app, name="identities")
app.add_typer(data_commands.audit_app, name="audit")
app.add_typer(knowledge_commands.app, name="kb")
app.add_typer(scoring_commands.app, name="models")
app.command()(ingest_commands.ingest)
app.command()(data_commands.seed)
demo_command.register(app)
guardrails_commands.register(app)
app.add_typer(eval_commands.app, name="eval")
actions_commands.register(app)
agent_commands.register(app)
surfaces_commands.register(app)
