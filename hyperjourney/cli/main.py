"""Entry point: `hyperjourney --help` lists every command group without importing any of them.

Each command lives in a module that pulls in its domain (scikit-learn, LangGraph, guardrails-ai…), which
costs seconds; the root group loads a command's module only when that command runs or its own help is
asked for. The root help reads the one-line summaries from ``COMMANDS`` (a test keeps them equal to the
commands' own docstrings).
"""

from __future__ import annotations

import importlib
import json
from importlib.util import find_spec
from typing import Any, NamedTuple

import click
import typer
from typer.core import TyperGroup

from hyperjourney import __version__


class Lazy(NamedTuple):
    """Where a root command lives: the module under hyperjourney.cli, and the attribute (a Typer app or a command)."""

    module: str
    attr: str
    summary: str


COMMANDS: dict[str, Lazy] = {
    "ingest": Lazy(
        "ingest_commands",
        "ingest",
        "Validate every row, load the good ones with COPY, report bad rows by line, field and reason.",
    ),
    "seed": Lazy(
        "data_commands",
        "seed",
        "Generate the deterministic synthetic demo tenant (B2B SaaS, product-led SaaS, e-commerce) and load it.",
    ),
    "demo": Lazy(
        "demo_command",
        "demo",
        "The main job on the embedded default: data, knowledge, policy, models, agents, journeys and a readout.",
    ),
    "canvas": Lazy(
        "agent_commands",
        "canvas",
        "Goal-first canvas: research, sizing, cited copy and a journey under policy, stopping for your approval.",
    ),
    "copilot": Lazy(
        "agent_commands",
        "copilot",
        "Support copilot: intent, sentiment, tone and channel, a grounded reply with sources, escalation advice.",
    ),
    "nba": Lazy(
        "agent_commands",
        "nba",
        "Next best action for one customer (and event): ranked actions, each checked against policy.",
    ),
    "approve": Lazy(
        "agent_commands", "approve", "Approve a run's plan: it is launched (exactly once) and the outcome recorded."
    ),
    "reject": Lazy("agent_commands", "reject", "Reject a run's plan: nothing is launched."),
    "edit": Lazy(
        "agent_commands",
        "edit",
        "Edit a run's copy and approve it; the edit is re-validated by the guardrails and refused if it fails.",
    ),
    "serve": Lazy(
        "surfaces_commands",
        "serve",
        "Run the headless API (OpenAPI at /docs and /openapi.json) and its workers until interrupted.",
    ),
    "worker": Lazy(
        "surfaces_commands",
        "worker",
        "Run a worker on the Postgres job queue until interrupted: agent runs, journeys, outbox, retraining, drift.",
    ),
    "ui": Lazy(
        "surfaces_commands",
        "ui",
        "Run the chainlit app (Canvas for marketers, Copilot for support) on localhost until interrupted.",
    ),
    "db": Lazy("db_commands", "app", "Start, inspect, migrate and reset the database (embedded by default)."),
    "tenant": Lazy("data_commands", "tenant_app", "Create and list tenants."),
    "identities": Lazy(
        "data_commands", "identities_app", "Identity resolution across emails, phones, CRM ids, devices and cookies."
    ),
    "audit": Lazy("data_commands", "audit_app", "The hash-chained, append-only audit log."),
    "kb": Lazy(
        "knowledge_commands",
        "app",
        "The knowledge base agents cite: ingest, search, typed facts, status, retrieval evals.",
    ),
    "models": Lazy(
        "scoring_commands",
        "app",
        "Scoring models: train on point-in-time features, list and inspect versions, score customers.",
    ),
    "review": Lazy(
        "guardrails_commands", "review_app", "The human review queue: list, show, approve, reject or edit risky items."
    ),
    "policy": Lazy(
        "guardrails_commands",
        "policy_app",
        "The tenant's contact policy: show it, store a new version, check an action.",
    ),
    "guard": Lazy(
        "guardrails_commands", "guard_app", "Content guardrails and inbound safety: check copy, scan customer text."
    ),
    "eval": Lazy(
        "eval_commands", "app", "Offline evals: golden suites, comparisons, regression gates, reports, drift."
    ),
    "outbox": Lazy(
        "outbox_commands",
        "outbox_app",
        "The transactional outbox: every action is written once, then delivered with retries.",
    ),
    "journeys": Lazy(
        "journeys_commands",
        "journeys_app",
        "Triggered journeys: versioned definitions, validation, launch and the runner.",
    ),
    "ope": Lazy(
        "ope_commands",
        "ope",
        "Off-policy evaluation of a target policy on ingested decisions: IPS, SNIPS, DR, switch-DR with intervals.",
    ),
    "runs": Lazy("agent_commands", "runs_app", "Agent runs: list them, or show one run's timeline with evidence."),
    "apikeys": Lazy("surfaces_commands", "apikeys_app", "Per-tenant API keys for the headless API (stored hashed)."),
}


# Commands whose module needs an optional extra: (the module it needs, the extra that installs it).
EXTRAS = {"ui": ("chainlit", "ui"), "eval": ("ragas", "evals")}


def load(name: str) -> click.Command:
    """Import a root command's module and build its click command."""
    spec = COMMANDS[name]
    if name in EXTRAS and find_spec(EXTRAS[name][0]) is None:
        module, extra = EXTRAS[name]
        raise click.UsageError(
            f"`hyperjourney {name}` needs {module}, which a headless install leaves out: "
            f"pip install 'hyperjourney[{extra}]'"
        )
    target = getattr(importlib.import_module(f"hyperjourney.cli.{spec.module}"), spec.attr)
    holder = typer.Typer()
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name, no_args_is_help=True)
    else:
        holder.command(name=name)(target)
    command = typer.main.get_group(holder).commands[name]
    return command


class LazyGroup(TyperGroup):
    """The root group: eager commands (version, config) plus the lazy ones, in a stable order."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *COMMANDS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # the root help only needs the name and the summary
            return click.Command(cmd_name, help=COMMANDS[cmd_name].summary)
        return load(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="hyperjourney",
    cls=LazyGroup,
    help="Hyper-personalized customer journeys and support: grounded, under policy, self-hosted.\n\n"
    "Start with `hyperjourney demo`.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
config_app = typer.Typer(help="Inspect the effective settings.", no_args_is_help=True)


@app.callback()
def _every_command() -> None:
    from hyperjourney.guardrails.redaction import install_log_redaction

    install_log_redaction()  # no command's log line carries raw emails, phones, cards or addresses


@config_app.command("show")
def config_show() -> None:
    """Print the effective settings (environment, .env, defaults) with secrets masked."""
    from hyperjourney.cli.context import console, settings

    console.print_json(json.dumps(settings().masked()))


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


app.add_typer(config_app, name="config")


def commands() -> dict[str, Any]:
    """Every root command, loaded (for tests and docs that walk the whole tree)."""
    group = typer.main.get_group(app)
    ctx = click.Context(group)
    return {name: group.get_command(ctx, name) for name in group.list_commands(ctx)}
