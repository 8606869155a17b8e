"""Importing this package registers every golden suite with the registry."""

from hyperjourney.evals.suites import copilot, retrieval, safety, scoring

__all__ = ["copilot", "retrieval", "safety", "scoring"]
