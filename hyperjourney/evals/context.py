"""Fingerprint what a run depended on, so `eval compare` can say what changed between two runs."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from hyperjourney import __version__
from hyperjourney.evals.results import RunContext
from hyperjourney.evals.suite import EvalEnv, Suite, dataset_hash

PACKAGE = Path(__file__).resolve().parents[1]
PROMPTS = PACKAGE / "prompts"
POLICIES = PACKAGE / "policy"
DATA_TABLES = ("customers", "events", "orders", "tickets", "consents", "products")


def _hashes(folder: Path, patterns: tuple[str, ...]) -> dict[str, str]:
    files = sorted(f for pattern in patterns for f in folder.rglob(pattern) if f.is_file()) if folder.is_dir() else []
    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()[:12] for f in files}


def code_version() -> str:
    try:
        described = subprocess.run(
            ["git", "-C", str(PACKAGE), "describe", "--always", "--dirty"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return __version__
    sha = described.stdout.strip()
    return f"{__version__}+{sha}" if described.returncode == 0 and sha else __version__


def collect(env: EvalEnv, suite: Suite) -> RunContext:
    with env.db.tenant(env.tenant) as conn:
        counts = {}
        for table in DATA_TABLES:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            counts[table] = int(row[0]) if row else 0
    models = {
        "llm-small": env.settings.llm_small.model if env.settings.llm_small.configured else None,
        "llm-large": env.settings.llm_large.model if env.settings.llm_large.configured else None,
    }
    return RunContext(
        code_version=code_version(),
        dataset=dataset_hash(suite.dataset_files()),
        prompts=_hashes(PROMPTS, ("*.md", "*.txt", "*.yaml")),
        models=models,
        policies=_hashes(POLICIES, ("*.yaml", "*.yml")),
        data=counts,
    )
