"""Offline eval suites and regression gates."""
