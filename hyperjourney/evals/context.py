"""Fingerprint what a run depended on, so `eval compare` can say what changed between two runs."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from hyperjourney import __version__
from hyperjourney.evals.results import RunContext, Tier
from hyperjourney.evals.suite import EvalEnv, Suite, dataset_hash
from hyperjourney.settings import Settings

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


# The LLM tiers each eval tier lets the graphs call (small: none, fully offline).
LLM_TIERS: dict[Tier, tuple[str, ...]] = {
    "small": (),
    "llm-small": ("llm-small",),
    "llm-large": ("llm-small", "llm-large"),
}


def allowed_models(settings: Settings, tier: Tier) -> dict[str, str | None]:
    """LLM tier -> the model the graphs may call under ``tier`` (None: not allowed or not configured)."""
    configured = {
        "llm-small": settings.llm_small.model if settings.llm_small.configured else None,
        "llm-large": settings.llm_large.model if settings.llm_large.configured else None,
    }
    return {name: model if name in LLM_TIERS[tier] else None for name, model in configured.items()}


def collect(env: EvalEnv, suite: Suite) -> RunContext:
    with env.db.tenant(env.tenant) as conn:
        counts = {}
        for table in DATA_TABLES:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            counts[table] = int(row[0]) if row else 0
    return RunContext(
        code_version=code_version(),
        dataset=dataset_hash(suite.dataset_files()),
        prompts=_hashes(PROMPTS, ("*.md", "*.txt", "*.yaml")),
        models=allowed_models(env.settings, env.tier),
        policies=_hashes(POLICIES, ("*.yaml", "*.yml")),
        data=counts,
    )
