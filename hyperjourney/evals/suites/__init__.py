"""Importing this package registers every golden suite with the registry."""

from hyperjourney.evals.suites import retrieval, scoring

__all__ = ["retrieval", "scoring"]
