"""Importing this package registers every golden suite with the registry."""

from hyperjourney.evals.suites import scoring

__all__ = ["scoring"]
