"""Run the CLI in-process, the way every command test does."""

from __future__ import annotations

from typer.testing import CliRunner

from hyperjourney.cli.main import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    """Exit code and everything the command printed (stdout and stderr together)."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr
