"""Importing this package registers every golden suite with the registry."""

from hyperjourney.evals.suites import copilot, copy, nba, retrieval, safety, scoring

__all__ = ["copilot", "copy", "nba", "retrieval", "safety", "scoring"]
