"""What the canvas and copilot show, as plain markdown and SVG built from run data (no chainlit here).

Copy marks its sources inline as ``[cite:<citation id>]``; for people each mark becomes a numbered
reference whose source is listed under the text and can be opened ("inspect evidence").
"""

from __future__ import annotations

import re
from typing import Any

CITE = re.compile(r"\[cite:([^\]\s]+)\]")


def numbered(text: str, order: list[str]) -> str:
    """Replace ``[cite:id]`` marks with ``[n]``, numbering citations in ``order`` (extended as new ones appear)."""

    def repl(match: re.Match[str]) -> str:
        cid = match.group(1)
        if cid not in order:
            order.append(cid)
        return f"[{order.index(cid) + 1}]"

    return CITE.sub(repl, text)


def sources(order: list[str], titles: dict[str, str]) -> str:
    lines = [f"{i}. {cid} — {titles.get(cid, '')}".rstrip(" —") for i, cid in enumerate(order, start=1)]
    return "**Sources**\n" + "\n".join(lines) if lines else ""


def step_title(step: dict[str, Any]) -> str:
    return f"{step['node']} · {step['decision']}"


def step_markdown(step: dict[str, Any]) -> str:
    """One agent step: what it decided, on which tier, how sure, why, and the evidence it used."""
    confidence = step.get("confidence")
    lines = [
        f"**tier** {step.get('tier', '')}"
        + (f" · **confidence** {confidence:.2f}" if isinstance(confidence, int | float) else ""),
    ]
    if step.get("reason"):
        lines.append(f"**why** {step['reason']}")
    if step.get("review_reason"):
        lines.append(f"**sent to review** {step['review_reason']}")
    if step.get("evidence_ids"):
        lines.append("**evidence** " + ", ".join(f"`{e}`" for e in step["evidence_ids"]))
    outputs = {k: v for k, v in (step.get("outputs") or {}).items() if k not in {"body", "evidence"}}
    if outputs:
        lines.append("**output** " + ", ".join(f"{k}={_short(v)}" for k, v in outputs.items()))
    return "\n\n".join(lines)


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plan_markdown(approval: dict[str, Any], results: dict[str, Any], order: list[str], titles: dict[str, str]) -> str:
    """The approval card: plan, sized opportunity, copy with citations, exactly who gets what, policy checks."""
    plan = approval.get("plan", {})
    orchestrator = results.get("orchestrator", {})
    analyst = results.get("analyst", {})
    cohort = orchestrator.get("cohort_size", analyst.get("size", "?"))
    holdout = float(plan.get("holdout_share", 0) or 0)
    parts = [f"### Plan: {plan.get('name', 'journey')}", f"**Trigger** {plan.get('trigger', '')}"]
    for i, step in enumerate(plan.get("steps", []), start=1):
        parts.append(f"{i}. day {step.get('delay_days', 0)} · {step.get('channel')} · variant `{step.get('variant')}`")
    parts.append(
        f"**Cadence** {plan.get('cadence', '')} · **cap** {plan.get('frequency_cap_per_week', '?')}/week "
        f"· **holdout** {holdout:.0%}"
    )
    sizing = analyst.get("sizing", {})
    if sizing:
        value = analyst.get("expected_value_usd") or []
        money = f" · expected value ${value[0]:,.0f}–${value[1]:,.0f}" if len(value) == 2 else ""
        parts.append(
            f"### Sized opportunity\n{analyst.get('size', cohort)} customers in *{analyst.get('segment', '')}*: "
            f"expected lift {sizing.get('lift_low', 0):.0%}–{sizing.get('lift_high', 0):.0%}{money} "
            f"(confidence {sizing.get('confidence', 0):.2f}, run ≥ {sizing.get('min_days', '?')} days)"
        )
        parts.extend(f"- {r}" for r in analyst.get("reasons", []))
    drift = approval.get("drift") or analyst.get("drift_warnings") or []
    if drift:
        lines = "\n".join(f"- ⚠ {w}" for w in drift)
        parts.append(f"**Data drift since the models trained** (sizing may be off)\n{lines}")
    parts.append("### Copy")
    for i, variant in enumerate(approval.get("variants", []), start=1):
        subject = f"**Subject:** {variant['subject']}\n\n" if variant.get("subject") else ""
        body = numbered(str(variant.get("body", "")), order)
        check = "guardrails passed" if variant.get("passed_guardrails") else "guardrails NOT passed"
        parts.append(f"**Variant {i} · {variant.get('channel')}** ({check}, tier {variant.get('tier', '?')})")
        parts.append(f"{subject}{_quote(body)}")
    parts.append("### What will be sent")
    parts.append(preview_markdown(approval, cohort, holdout))
    if approval.get("review"):
        parts.append("**Flagged for review**\n" + "\n".join(f"- {r}" for r in approval["review"]))
    if approval.get("edit_problems"):
        parts.append("**Your edit was not accepted**\n" + "\n".join(f"- {p}" for p in approval["edit_problems"]))
    parts.append(sources(order, titles))
    return "\n\n".join(p for p in parts if p)


def preview_markdown(approval: dict[str, Any], cohort: Any, holdout: float) -> str:
    """Per journey step: how many of the cohort the policy lets through, and the rules that fired."""
    lines = [f"Cohort: **{cohort}** customers ({holdout:.0%} held out as control)."]
    checks = {str(p.get("channel", "")): p for p in approval.get("policy", [])}
    for i, step in enumerate(approval.get("plan", {}).get("steps", []), start=1):
        check = checks.get(f"{i}:{step.get('channel')}", {})
        allowed, checked = check.get("allowed", "?"), check.get("checked", "?")
        rules = "; ".join(check.get("rules", [])) or "no policy result"
        review = " · needs review" if check.get("needs_review") else ""
        lines.append(
            f"- step {i} {step.get('channel')}: **{allowed} of {checked}** sampled customers allowed{review} — {rules}"
        )
    return "\n".join(lines)


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def copilot_markdown(
    outcome: dict[str, Any], steps: list[dict[str, Any]], order: list[str], titles: dict[str, str]
) -> str:
    """Sentiment, intent, tone and channel with reasons, then the grounded reply draft and its sources."""
    tone = outcome.get("tone", {})
    tone_step = next((s for s in steps if s.get("node") == "tone"), {})
    ticket = outcome.get("ticket", {})
    parts = [
        f"### Ticket {ticket.get('ticket_id', '')}: {ticket.get('subject', '')}",
        f"**Sentiment** {outcome.get('sentiment', '?')} · **intent** {outcome.get('intent', '?')}"
        f" · classified by the {outcome.get('classifier') or 'unknown model'}"
        + (f" · **route to** {outcome['route']}" if outcome.get("route") else ""),
        f"**Recommended tone** formality {tone.get('formality', 0):.1f} · warmth {tone.get('warmth', 0):.1f} "
        f"· brevity {tone.get('brevity', 0):.1f} · **channel** {outcome.get('channel', '?')}",
    ]
    if tone_step.get("reason"):
        parts.append(f"**Why** {tone_step['reason']}")
    if outcome.get("escalate"):
        parts.append("**Escalation advised**\n" + "\n".join(f"- {r}" for r in outcome.get("escalation_reasons", [])))
    parts.append("### Reply draft")
    parts.append(_quote(numbered(str(outcome.get("reply", "")), order)))
    parts.append(sources(order, titles))
    if outcome.get("next"):
        parts.append(f"_{outcome['next']}_")
    return "\n\n".join(p for p in parts if p)


def launch_markdown(outcome: dict[str, Any]) -> str:
    """The launch confirmation, with the decision behind it (what was decided and by whom) when it is known."""
    launch = outcome.get("launch", {})
    state = "Launched" if launch.get("launched") else "Approved and recorded"
    ident = launch.get("journey_id") or launch.get("detail", "")
    decided = outcome.get("decision")
    by = f" by `{outcome['reviewer']}`" if outcome.get("reviewer") else ""  # a bare "ui:name" reads as a directive
    decision = f"**Decision** {decided}{by}\n\n" if decided else ""
    return f"### ✅ {state}\n\n{decision}{ident}\n\n{outcome.get('next', '')}".strip()
