"""The CLI starts instantly: help, version, config and `db url` import no domain, and only some commands migrate."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hyperjourney.cli.main import COMMANDS, commands
from hyperjourney.db.database import Database
from tests.cli_runner import invoke

HEAVY = (
    "sklearn",
    "scipy",
    "langgraph",
    "langchain_core",
    "guardrails",
    "hyperjourney.evals",
    "hyperjourney.graphs",
    "hyperjourney.guardrails.models",
    "chainlit",
    "ragas",
    "llama_index",
    "pyarrow",
    "pandas",
    "numpy",
)

PROBE = """
import json, sys
from typer.testing import CliRunner
from hyperjourney.cli.main import app
result = CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"code": result.exit_code, "out": result.stdout, "modules": sorted(sys.modules)}))
"""


def _imported_by(*args: str) -> tuple[int, str, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True)
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    return probe["code"], probe["out"], set(probe["modules"])


@pytest.mark.parametrize("args", [("--help",), ("version",), ("config", "show")])
def test_light_commands_import_nothing_heavy(args: tuple[str, ...]) -> None:
    code, out, modules = _imported_by(*args)
    assert code == 0, out
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY or any(m.startswith(h) for h in HEAVY))
    assert heavy == []
    if args == ("--help",):
        assert all(name in out for name in COMMANDS)  # every lazy command is still listed


def test_db_url_imports_nothing_heavy(db: Database) -> None:
    code, out, modules = _imported_by("db", "url")
    assert code == 0 and out.startswith("postgresql://"), out
    heavy_loaded = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy_loaded == [], f"heavy modules imported: {heavy_loaded[:10]}"
    # a running embedded server is attached from its postmaster.pid (pgserver and psutil cost half a second), and
    # printing a URL needs no driver
    assert {"pgserver", "psutil", "psycopg", "procrastinate"}.isdisjoint(modules)
    code, out, modules = _imported_by("db", "url", "--app")
    assert code == 0 and "user=hyperjourney_app" in out, out


def test_root_summaries_match_the_commands_own_help() -> None:
    loaded = commands()
    for name, spec in COMMANDS.items():
        assert loaded[name].get_short_help_str(limit=300) == spec.summary, name


def test_a_schema_behind_is_named_with_the_command_to_run(db: Database) -> None:
    with db.admin() as conn:
        version, checksum = conn.execute(
            "SELECT version, checksum FROM schema_migrations ORDER BY version DESC LIMIT 1"
        ).fetchone()
        conn.execute("DELETE FROM schema_migrations WHERE version = %s", (version,))
    try:
        code, out = invoke("tenant", "list")
        assert code == 1
        assert "the database schema is behind" in out and "run `hyperjourney db migrate`" in out and version in out
    finally:
        with db.admin() as conn:
            conn.execute("INSERT INTO schema_migrations (version, checksum) VALUES (%s, %s)", (version, checksum))
    code, out = invoke("tenant", "list")
    assert code == 0, out


def test_a_command_whose_extra_is_missing_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from hyperjourney.cli import main

    monkeypatch.setattr(main, "find_spec", lambda module: None if module == "chainlit" else object())
    code, out = invoke("ui")
    assert code == 2
    assert "pip install 'hyperjourney[ui]'" in out
