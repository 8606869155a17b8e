"""The role dashboards as self-contained HTML: a table of figures and an inline SVG chart per section.

No script, no external asset. Tenant and customer strings go through ``escape`` (html.escape, quotes too).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from hyperjourney.api import dashboard_svg as svg
from hyperjourney.api.dashboard_data import (
    DASHBOARDS,
    BrandBoard,
    Dashboard,
    DataBoard,
    GrowthBoard,
    ModelCalibration,
    SalesBoard,
)
from hyperjourney.guardrails.tone_report import ChannelTone
from hyperjourney.monitoring.usage import FlowUsage

STYLE = (
    "body{font-family:sans-serif;margin:24px;max-width:1100px;color:#111}nav a{margin-right:16px}"
    "table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}"
    "th{background:#f3f4f6}.none{color:#666;font-style:italic}section{margin-bottom:28px}"
)
TITLES: dict[Dashboard, str] = {"growth": "Growth", "brand": "Brand", "sales": "Sales", "data": "Data"}


def page(name: Dashboard, tenant: str, body: str) -> str:
    nav = "".join(f'<a href="/v1/dashboards/{d}">{TITLES[d]}</a>' for d in DASHBOARDS)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{TITLES[name]} dashboard</title>'
        f"<style>{STYLE}</style></head><body><nav>{nav}</nav>"
        f'<h1>{TITLES[name]} dashboard</h1><p>Workspace <b id="tenant">{escape(tenant)}</b></p>{body}</body></html>'
    )


def table(head: Sequence[str], rows: Sequence[Sequence[object]], table_id: str = "") -> str:
    attr = f' id="{escape(table_id)}"' if table_id else ""
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table{attr}><tr>{th}</tr>{trs}</table>"


def none(text: str) -> str:
    return f'<p class="none">{escape(text)}</p>'


def section(title: str, content: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{content}</section>"


def growth(board: GrowthBoard) -> str:
    if not board.journeys:
        return section("Journeys", none("No journey has been launched in this workspace yet."))
    rows = []
    for j in board.journeys:
        c = j.readout.conversion
        rows.append([
            j.name, j.journey_id, j.status, j.readout.enrolled, j.readout.holdout, f"{c.treated_rate:.1%}",
            f"{c.control_rate:.1%}", f"{c.abs_lift:+.1%} [{c.ci_low:+.1%}, {c.ci_high:+.1%}]", f"{c.p_value:.3f}",
            f"{j.incremental_revenue:,.2f}", "spend not known" if j.spend is None else f"{j.spend:,.2f}",
            "spend not known" if j.ltv_to_cac is None else f"{j.ltv_to_cac:.2f}",
        ])  # fmt: skip
    head = ["Journey", "Id", "Status", "Treated", "Holdout", "Treated rate", "Holdout rate",
            "Lift [95% interval]", "p", "Incremental revenue", "Spend", "LTV/CAC"]  # fmt: skip
    lifts = [(j.name, j.readout.conversion) for j in board.journeys]
    points = [svg.Interval(label=name, value=c.abs_lift, low=c.ci_low, high=c.ci_high) for name, c in lifts]
    chart = svg.intervals("Conversion lift with 95% interval per journey", points)
    note = (
        "Lift is the goal conversion of treated customers minus the holdout's, in percentage points. LTV/CAC is "
        "the incremental revenue in the goal window divided by the recorded send cost."
    )
    return section("Lift per journey", table(head, rows, "growth") + chart + f"<p>{escape(note)}</p>")


def brand(board: BrandBoard) -> str:
    failures = none("No guardrail failure reached the review queue in the last 30 days.")
    if board.failures:
        rows = [[f.rule, f.failures, f.pending] for f in board.failures]
        failures = table(["Rule", "Failures (30 days)", "Still pending"], rows, "failures") + svg.bars(
            "Guardrail failures by rule", [(f.rule, f.failures) for f in board.failures]
        )
    queue = none("Nothing is waiting for a reviewer.")
    if board.queue:
        rows = [[q.kind, q.pending, f"{q.oldest_hours:.1f}", f"{q.median_hours:.1f}"] for q in board.queue]
        queue = table(["Kind", "Pending", "Oldest (hours)", "Median age (hours)"], rows, "queue")
    tone = none("No message has been queued or sent yet.")
    if board.tone:
        rows = [[t.channel, t.messages, *(_tone(t, a) for a in ("formality", "warmth", "brevity"))] for t in board.tone]
        tone = table(["Channel", "Messages", "Formality", "Warmth", "Brevity"], rows, "tone")
    return (
        section("Guardrail failures by rule", failures)
        + section("Review queue age", queue)
        + section("Tone by channel (0 low, 1 high)", tone)
    )


def _tone(tone: ChannelTone, attribute: str) -> str:
    target = f" (target {getattr(tone.target, attribute):.2f})" if tone.target else ""
    return f"{getattr(tone.mean, attribute):.2f}{target}"


def sales(board: SalesBoard) -> str:
    if not board.briefs:
        return section("Account briefs", none(f"No customer has a {board.score} score yet (train and score models)."))
    parts = []
    for b in board.briefs:
        a = b.account
        who = " · ".join(escape(x) for x in (a.company, a.industry, a.lifecycle_stage) if x)
        signals = "".join(f"<li>{escape(s)}</li>" for s in a.signals) or "<li>no reasons recorded</li>"
        recent = table(["When", "Event", "Channel"], [[f"{r.ts:%Y-%m-%d %H:%M}", r.type, r.channel or "-"]
                                                    for r in a.recent]) if a.recent else none("No events.")  # fmt: skip
        track = "".join(
            f"<li>{escape(c.snippet)} <cite>[{escape(c.citation_id)}] {escape(c.title)}</cite></li>"
            for c in b.talk_track
        )
        parts.append(
            f'<article class="brief"><h3>{escape(a.customer_id)}</h3><p>{who} · {escape(a.score)} '
            f'<b class="score">{a.value:.3f}</b></p><h4>Intent signals</h4><ul>{signals}</ul>'
            f"<h4>Recent activity</h4>{recent}<h4>Suggested talk track</h4>"
            + (f"<ul>{track}</ul>" if track else none("No knowledge base passage matches this account."))
            + "</article>"
        )
    return section(f"Account briefs (highest {board.score})", "".join(parts))


def data(board: DataBoard) -> str:
    cal = "".join(_calibration(c) for c in board.calibration)
    drift = none("No drift report yet (`hyperjourney eval run` or the scheduled drift job writes one).")
    if board.drift is not None:
        head = ["Signal", "Kind", "PSI", "Reference", "Recent", "Level", "Since"]
        drift = table(head, [r.cells() for r in board.drift.readings], "drift")
        drift += "".join(f"<p>{escape(w)}</p>" for w in board.drift.warnings())
    mix = none("No agent decision in the last 30 days.")
    if board.mix.decisions:
        shares = [(t, board.mix.share(t)) for t in board.mix.by_tier]
        mix = svg.bars("Router mix (share of decisions per tier)", shares, "{:.0%}")
        mix += table(["Tier", "Decisions"], list(board.mix.by_tier.items()), "mix")
    flows = none("No agent run in the last 30 days.")
    if board.flows:
        head = ["Flow", "Runs", "Succeeded", "Tokens", "Cost (USD)", "Tokens per success", "Cost per success (USD)",
                "Model latency p50 (ms)", "p95 (ms)"]  # fmt: skip
        flows = table(head, [_flow_row(f) for f in board.flows], "flows")
    return (
        section("Calibration", cal or none("No classifier is trained in this workspace yet."))
        + section("Drift", drift)
        + section("Router mix", mix)
        + section("Tokens, cost and latency per flow (canvas: marketers, copilot: support, nba: API)", flows)
    )


def _calibration(model: ModelCalibration) -> str:
    ece = "-" if model.ece is None else f"{model.ece:.4f}"
    curve = none("No curve recorded with this version (retrain to record one).")
    if model.curve:
        curve = svg.calibration(f"{model.label} calibration", [(p["predicted"], p["observed"]) for p in model.curve])
    return f"<div><h3>{escape(model.label)}</h3><p>ECE <b>{ece}</b></p>{curve}</div>"


def _flow_row(f: FlowUsage) -> list[object]:
    per_token = "-" if f.tokens_per_success is None else f"{f.tokens_per_success:.1f}"
    per_cost = "-" if f.cost_per_success_usd is None else f"{f.cost_per_success_usd:.4f}"
    return [f.flow, f.runs, f.succeeded, f.tokens, f"{f.cost_usd:.4f}", per_token, per_cost,
            f"{f.latency_p50_ms:.0f}", f"{f.latency_p95_ms:.0f}"]  # fmt: skip
