"""Imports never climb a layer, nothing at run time imports `evals`, and the domain packages form no cycle.

Layers, top to bottom: surfaces (cli, api, ui) → graphs → agents → tools → domains → models, db, settings.
A package may import its own layer or any layer below; `evals` may import anything, and only `cli` (and `evals`)
may import it. Every import counts, module-level or inside a function: a lazy import still climbs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "hyperjourney"

SURFACES, GRAPHS, AGENTS, TOOLS, DOMAINS, BASE = 5, 4, 3, 2, 1, 0
DOMAIN_PACKAGES = (
    "knowledge", "scoring", "policy", "guardrails", "journeys", "channels", "experiments", "monitoring", "review",
    "nba", "features", "data", "assets", "conversations",
)  # fmt: skip
LAYER = {
    **dict.fromkeys(("cli", "api", "ui", "workers"), SURFACES),
    "graphs": GRAPHS,
    "agents": AGENTS,
    "tools": TOOLS,
    **dict.fromkeys(DOMAIN_PACKAGES, DOMAINS),
    **dict.fromkeys(("models", "db", "settings", "offline", "prompts", "keyfiles", "telemetry", "__init__"), BASE),
}
EVALS = "evals"

Edge = tuple[str, str, str]  # (importing file relative to the package, imported module, line)


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_of(path: Path) -> str:
    parts = ["hyperjourney", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> Iterator[Edge]:
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_of(path)
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                    targets = [".".join([*base, *([node.module] if node.module else [])])]
                else:
                    targets = [node.module or ""]
            else:
                continue
            for target in targets:
                if target.startswith("hyperjourney"):
                    yield str(path.relative_to(PACKAGE)), target, str(node.lineno)


def violations(edges: list[Edge]) -> list[str]:
    found = []
    for file, target, line in edges:
        src, dst = _top("hyperjourney." + file.removesuffix(".py").replace("/", ".")), _top(target)
        if src in (dst, EVALS):
            continue
        if dst == EVALS:
            if src != "cli":
                found.append(f"{file}:{line} imports {target}: nothing at run time imports evals")
        elif src not in LAYER or dst not in LAYER:
            found.append(
                f"{file}:{line}: package {src if src not in LAYER else dst!r} has no layer in tests/test_layers"
            )
        elif LAYER[dst] > LAYER[src]:
            found.append(f"{file}:{line} imports {target}: {src} may not import the layer above it ({dst})")
    return found


def domain_cycles(edges: list[Edge]) -> list[list[str]]:
    """Cycles among the domain packages (package A imports B, B imports … A)."""
    graph: dict[str, set[str]] = {}
    for file, target, _ in edges:
        src, dst = file.split("/")[0].removesuffix(".py"), _top(target)
        if src != dst and LAYER.get(src) == DOMAINS and LAYER.get(dst) == DOMAINS:
            graph.setdefault(src, set()).add(dst)
    cycles, done = [], set()

    def walk(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in done:
                walk(nxt, [*path, nxt])
        done.add(node)

    for start in sorted(graph):
        if start not in done:
            walk(start, [start])
    return cycles


def test_no_import_climbs_a_layer_and_nothing_imports_evals() -> None:
    assert violations(list(imports())) == []


def test_domain_packages_form_no_cycle() -> None:
    assert domain_cycles(list(imports())) == []


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages - set(LAYER) == {EVALS}


def test_the_checks_catch_a_climb_an_evals_import_and_a_cycle() -> None:
    edges = [
        ("tools/x.py", "hyperjourney.graphs.canvas", "3"),
        ("experiments/readout.py", "hyperjourney.evals.store", "4"),
        ("journeys/runner.py", "hyperjourney.experiments.assign", "5"),
        ("experiments/simulate.py", "hyperjourney.journeys.runner", "6"),
        ("cli/eval_commands.py", "hyperjourney.evals.store", "7"),
        ("graphs/canvas.py", "hyperjourney.tools.toolbox", "8"),
    ]
    assert [v.split(" ")[0] for v in violations(edges)] == ["tools/x.py:3", "experiments/readout.py:4"]
    assert domain_cycles(edges) == [["experiments", "journeys", "experiments"]]
