"""No module but the eval runner names the held-out golden files (issue 16.1): nothing can train or tune on them.

The held-out split of every golden set lives in ``evals/datasets/held_out``. Only `evals/splits.py` (the runner's
loader) and `evals/runner.py` may build a path into that folder or use the helpers that do; any other module of the
package that spells the folder in a path, joins ``"held_out"`` onto a path, or imports those helpers fails here.
(Metric names such as ``<metric>.held_out`` are not paths and stay allowed.)
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "hyperjourney"
ALLOWED = {"hyperjourney/evals/splits.py", "hyperjourney/evals/runner.py"}
HELPERS = {"HELD_OUT_DIR", "held_out_file"}


def _path_like(value: str) -> bool:
    return "held_out/" in value or "/held_out" in value or "held_out\\" in value


def names_held_out_files(source: str) -> list[str]:
    """Where the module builds a path into the held-out folder or reaches for the runner's helpers that do."""
    hits = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _path_like(node.value):
            hits.append(f"line {node.lineno}: path {node.value!r}")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            for side in (node.left, node.right):
                if isinstance(side, ast.Constant) and side.value == "held_out":
                    hits.append(f"line {node.lineno}: / 'held_out'")
        elif isinstance(node, ast.Call):
            if any(isinstance(a, ast.Constant) and a.value == "held_out" for a in node.args):
                hits.append(f"line {node.lineno}: call with 'held_out'")
        elif isinstance(node, ast.ImportFrom) and any(a.name in HELPERS for a in node.names):
            hits.append(f"line {node.lineno}: imports {[a.name for a in node.names if a.name in HELPERS]}")
        elif isinstance(node, ast.Attribute) and node.attr in HELPERS:
            hits.append(f"line {node.lineno}: uses {node.attr}")
    return hits


def test_the_check_catches_each_way_of_naming_the_held_out_folder() -> None:
    for source in (
        "p = DATASETS / 'held_out' / 'copy_briefs.yaml'",
        "p = 'hyperjourney/evals/datasets/held_out/routing_golden.yaml'",
        "p = DATASETS.joinpath('held_out', 'x.yaml')",
        "from hyperjourney.evals.splits import held_out_file",
        "from hyperjourney.evals import splits\np = splits.HELD_OUT_DIR",
    ):
        assert names_held_out_files(source), source
    assert names_held_out_files("metrics[f'{name}.held_out'] = 1.0\nlabel = 'held_out'") == []


def test_no_module_but_the_runner_names_held_out_files() -> None:
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        if rel in ALLOWED:
            continue
        hits = names_held_out_files(path.read_text("utf-8"))
        if hits:
            offenders[rel] = hits
    assert offenders == {}
