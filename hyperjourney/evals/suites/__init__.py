"""Importing this package registers every golden suite with the registry."""

from hyperjourney.evals.suites import canvas, copilot, copy, cost, nba, retrieval, routing, safety, scoring, tickets

__all__ = ["canvas", "copilot", "copy", "cost", "nba", "retrieval", "routing", "safety", "scoring", "tickets"]
