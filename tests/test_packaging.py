"""Every data file the package reads ships in the wheel: a file under `hyperjourney/` that no package-data pattern
matches would be missing from a `pip install` (found: the inbound detector's `*.json.gz` model)."""

from __future__ import annotations

import fnmatch
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_every_tracked_package_file_matches_a_package_data_pattern() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["*"]
    listed = subprocess.run(["git", "ls-files", "hyperjourney"], cwd=ROOT, capture_output=True, text=True, check=True)
    files = [Path(line) for line in listed.stdout.splitlines() if not line.endswith(".py")]
    assert files, "git ls-files found no data files: is this a checkout?"
    # setuptools matches each pattern against the path relative to the package folder that holds the file
    missing = [
        str(f)
        for f in files
        if not any(fnmatch.fnmatch(f.name, p) or fnmatch.fnmatch(f"{f.parent.name}/{f.name}", p) for p in patterns)
    ]
    assert missing == []
