"""A headless install pulls neither chainlit nor ragas; the version has one source; the package is typed."""

from __future__ import annotations

import tomllib
from importlib import metadata, resources
from pathlib import Path

import hyperjourney

PYPROJECT = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _names(requirements: list[str]) -> set[str]:
    return {r.split(">")[0].split("=")[0].split("<")[0].split("[")[0].strip() for r in requirements}


def test_ui_and_evals_are_extras_not_base_dependencies() -> None:
    base = _names(PYPROJECT["dependencies"])
    extras = PYPROJECT["optional-dependencies"]
    assert not {"chainlit", "literalai", "traceloop-sdk", "ragas"} & base
    assert {"chainlit", "literalai", "traceloop-sdk"} <= _names(extras["ui"])
    assert "ragas" in _names(extras["evals"])


def test_one_version_source_and_an_spdx_license() -> None:
    assert "version" not in PYPROJECT and "version" in PYPROJECT["dynamic"]
    assert metadata.version("hyperjourney") == hyperjourney.__version__
    assert PYPROJECT["license"] == "Apache-2.0"


def test_the_package_is_marked_typed() -> None:
    assert resources.files("hyperjourney").joinpath("py.typed").is_file()
