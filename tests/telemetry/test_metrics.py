"""The counters /metrics serves move with what happens: routing mix and spend per flow, guardrail failures."""

from __future__ import annotations

from hyperjourney.guardrails.assets import validate_asset
from hyperjourney.guardrails.models import Asset
from hyperjourney.models.accounting import Ledger, Usage
from hyperjourney.telemetry.metrics import REGISTRY


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_routing_mix_tokens_and_cost_are_counted_per_flow() -> None:
    before = (
        _value("hyperjourney_router_decisions_total", flow="metrics-test", tier="llm-small"),
        _value("hyperjourney_model_tokens_total", flow="metrics-test", tier="llm-small", direction="output"),
        _value("hyperjourney_model_cost_usd_total", flow="metrics-test", tier="llm-small"),
    )
    ledger = Ledger("metrics-test", 1.0, 10_000)
    ledger.charge(Usage(tier="llm-small", input_tokens=100, output_tokens=40, cost_usd=0.002))
    ledger.decided("llm-small")
    after = (
        _value("hyperjourney_router_decisions_total", flow="metrics-test", tier="llm-small"),
        _value("hyperjourney_model_tokens_total", flow="metrics-test", tier="llm-small", direction="output"),
        _value("hyperjourney_model_cost_usd_total", flow="metrics-test", tier="llm-small"),
    )
    assert [round(a - b, 6) for a, b in zip(after, before, strict=True)] == [1, 40, 0.002]


def test_guardrail_failures_are_counted_by_rule() -> None:
    before = _value("hyperjourney_guardrail_failures_total", rule="empty")
    report = validate_asset(Asset(kind="email", subject="Hi", body="   "), [])
    assert not report.passed and report.codes() == {"empty"}
    assert _value("hyperjourney_guardrail_failures_total", rule="empty") == before + 1
