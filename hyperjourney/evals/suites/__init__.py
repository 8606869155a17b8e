"""Importing this package registers every golden suite with the registry."""

from hyperjourney.evals.suites import copilot, retrieval, scoring

__all__ = ["copilot", "retrieval", "scoring"]
