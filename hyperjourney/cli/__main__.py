"""`python -m hyperjourney.cli` runs the command line."""

from hyperjourney.cli.main import app

app()
