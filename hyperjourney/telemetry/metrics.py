"""Prometheus metrics the process counts as things happen (one registry, served by the API's /metrics).

Gauges read from the database at scrape time (queue depth and age, journey lag, outbox retries and dead
letters, live workers) are collected by the API (api/metrics_routes.py); these are the counters and
histograms of this process: request latency, routing mix, tokens and cost per flow, guardrail failures and
the model tiers' retries, failovers and circuit state.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

REQUEST_SECONDS = Histogram(
    "hyperjourney_http_request_duration_seconds",
    "API request latency by route template, method and status",
    ["method", "route", "status"],
    registry=REGISTRY,
)
ROUTER_DECISIONS = Counter(
    "hyperjourney_router_decisions", "Decisions by flow and the tier that took them (human: review)",
    ["flow", "tier"], registry=REGISTRY,
)  # fmt: skip
MODEL_TOKENS = Counter(
    "hyperjourney_model_tokens", "Model tokens by flow, tier and direction", ["flow", "tier", "direction"],
    registry=REGISTRY,
)  # fmt: skip
MODEL_COST = Counter(
    "hyperjourney_model_cost_usd", "Model spend in USD by flow and tier", ["flow", "tier"], registry=REGISTRY
)
GUARDRAIL_FAILURES = Counter(
    "hyperjourney_guardrail_failures", "Guardrail checks that failed, by rule", ["rule"], registry=REGISTRY
)
TIER_RETRIES = Counter(
    "hyperjourney_tier_retries", "Transport retries of a model tier (429, 5xx, timeouts)", ["tier"], registry=REGISTRY
)
TIER_FAILOVERS = Counter(
    "hyperjourney_tier_failovers", "Decisions a tier could not take, by why and where they went",
    ["tier", "kind"], registry=REGISTRY,
)  # fmt: skip
CIRCUIT_OPEN = Gauge(
    "hyperjourney_tier_circuit_open", "1 while a tier's circuit breaker is open", ["tier"], registry=REGISTRY
)
