"""Registers the acting-and-learning command groups (outbox, journeys) with one call from main."""

from __future__ import annotations

import typer

from hyperjourney.cli.journeys_commands import journeys_app
from hyperjourney.cli.outbox_commands import outbox_app


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
    app.add_typer(journeys_app, name="journeys")
