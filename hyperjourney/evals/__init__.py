"""Offline evals: golden suites, stored runs, regression gates, reports and drift monitors."""

from __future__ import annotations

from hyperjourney.evals.suite import REGISTRY


def registry_names() -> list[str]:
    return sorted(REGISTRY)
