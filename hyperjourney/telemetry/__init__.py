"""Traces, structured logs and metrics: opt-in, standard formats (OpenTelemetry, JSON lines, Prometheus).

The bottom layer, beside ``models`` and ``db``: every layer above may open a span, log with the run's ids or
count something, and nothing here imports the rest of the package.
"""
