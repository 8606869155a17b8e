"""What the canvas and copilot show, as plain markdown and SVG built from run data (no chainlit here).

Copy marks its sources inline as ``[cite:<citation id>]``; for people each mark becomes a numbered
reference whose source is listed under the text and can be opened ("inspect evidence").

Chainlit renders every message as markdown, so every value that is not this module's own formatting
(ticket subjects and text, names, replies, copy, reasons) goes through :func:`md` first: a subject holding
``![p](http://host/pixel.png)`` must read as those characters, not make the reviewer's browser fetch it.
"""

from __future__ import annotations

import re
from typing import Any

from hyperjourney.agents.copy_edits import split_fixed
from hyperjourney.ui.canvas_state import CanvasView, plain_reason

CITE = re.compile(r"\[cite:([^\]\s]+)\]")
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:&$=\"'])")
# GFM turns bare URLs and emails into links after escapes are resolved (and chainlit embeds media links, which
# fetches them); an invisible word joiner where those patterns start keeps them plain text.
_AUTOLINK_START = re.compile(r"(?i)(https?(?=:)|www(?=\.)|(?<=[\w.+-])(?=@))")
_WORD_JOINER = "\u2060"


def md(value: Any) -> str:
    """``value`` as literal text inside markdown: every ASCII punctuation mark that markdown (or HTML and
    entities) could act on is backslash-escaped and URL or email starts are broken, so nothing becomes a link,
    image or tag; it reads the same."""
    text = _AUTOLINK_START.sub(lambda m: m.group(0) + _WORD_JOINER, str(value))
    return _MARKDOWN_ACTIVE.sub(r"\\\1", text)


def md_line(value: Any) -> str:
    """:func:`md` on one line: newlines in a subject must not start a new markdown block."""
    return md(" ".join(str(value).split()))


def numbered(text: str, order: list[str]) -> str:
    """Replace ``[cite:id]`` marks with ``[n]``, numbering citations in ``order`` (extended as new ones appear)."""

    def repl(match: re.Match[str]) -> str:
        cid = match.group(1)
        if cid not in order:
            order.append(cid)
        return f"[{order.index(cid) + 1}]"

    return CITE.sub(repl, text)


def sources(order: list[str], titles: dict[str, str]) -> str:
    lines = [f"{i}. {md(cid)} — {md(titles.get(cid, ''))}".rstrip(" —") for i, cid in enumerate(order, start=1)]
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
        lines.append(f"**why** {md(plain_reason(step['reason']))}")
    if step.get("review_reason"):
        lines.append(f"**sent to review** {md(plain_reason(step['review_reason']))}")
    if step.get("evidence_ids"):
        lines.append("**evidence** " + ", ".join(md(e) for e in step["evidence_ids"]))
    outputs = {k: v for k, v in (step.get("outputs") or {}).items() if k not in {"body", "evidence"}}
    if outputs:
        lines.append(
            "**output**\n" + "\n".join(f"- {md(k.replace('_', ' '))}: {md(_short(v))}" for k, v in outputs.items())
        )
    return "\n\n".join(lines)


def _short(value: Any, limit: int = 80) -> str:
    """A step output in a few words: numbers rounded, collections by their size or fields, long text cut."""
    if isinstance(value, bool) or value is None:
        text = {True: "yes", False: "no", None: "none"}[value]
    elif isinstance(value, float):
        text = f"{value:,.2f}"
    elif isinstance(value, list | tuple):
        text = f"{len(value)} item{'s' if len(value) != 1 else ''}"
    elif isinstance(value, dict):
        text = ", ".join(f"{k} {_short(v, 24)}" for k, v in value.items()) or "empty"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plan_markdown(
    approval: dict[str, Any],
    results: dict[str, Any],
    order: list[str],
    titles: dict[str, str],
    view: CanvasView | None = None,
) -> str:
    """The approval card: where it stands, plan, sized opportunity, copy with citations, who gets what, checks."""
    plan = approval.get("plan", {})
    orchestrator = results.get("orchestrator", {})
    analyst = results.get("analyst", {})
    cohort = orchestrator.get("cohort_size", analyst.get("size", "?"))
    holdout = float(plan.get("holdout_share", 0) or 0)
    parts = [view.banner if view and view.banner else ""]
    parts += [f"### Plan: {md_line(plan.get('name', 'journey'))}", f"**Trigger** {md(plan.get('trigger', ''))}"]
    for i, step in enumerate(plan.get("steps", []), start=1):
        parts.append(
            f"{i}. day {md(step.get('delay_days', 0))} · {md(step.get('channel'))} · variant {md(step.get('variant'))}"
        )
    parts.append(
        f"**Cadence** {md(plan.get('cadence', ''))} · **cap** {md(plan.get('frequency_cap_per_week', '?'))}/week "
        f"· **holdout** {holdout:.0%}"
    )
    parts.append(opportunity_markdown(analyst, results.get("researcher", {})))
    drift = approval.get("drift") or analyst.get("drift_warnings") or []
    if drift:
        lines = "\n".join(f"- ⚠ {md(w)}" for w in drift)
        parts.append(f"**Data drift since the models trained** (sizing may be off)\n{lines}")
    problems = list(view.problems) if view else list(approval.get("edit_problems") or [])
    any_marked = False
    parts.append("### Copy")
    for i, variant in enumerate(view.variants if view else approval.get("variants", []), start=1):
        marked = flagged_words(problems, str(variant.get("channel")))
        any_marked = any_marked or bool(marked)
        subject = f"**Subject:** {md_line(variant['subject'])}\n\n" if variant.get("subject") else ""
        copy = split_fixed(numbered(str(variant.get("body", "")), order))
        body = quote(copy.editable, marked) + ("\n>\n" + quote(copy.fixed) if copy.fixed else "")
        check = "guardrails passed" if variant.get("passed_guardrails") else "guardrails NOT passed"
        parts.append(f"**Variant {i} · {md(variant.get('channel'))}** ({check}, tier {md(variant.get('tier', '?'))})")
        parts.append(f"{subject}{body}")
    if problems:
        listed = "\n".join(f"- {md(p)}" for p in problems)
        note = " (the words that caused it are **marked** in the copy above)" if any_marked else ""
        parts.append(f"**What the guardrails refused**{note}\n{listed}")
    parts.append("### What will be sent")
    parts.append(preview_markdown(approval, cohort, holdout))
    if approval.get("review"):
        parts.append("**Flagged for review**\n" + "\n".join(f"- {md(r)}" for r in approval["review"]))
    parts.append(sources(order, titles))
    return "\n\n".join(p for p in parts if p)


_BECAUSE = re.compile(r"because of: (.+)$")
_QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"")


def flagged_words(problems: list[str], channel: str) -> list[str]:
    """The words a refusal of ``channel``'s copy names (``email: …; because of: 'love', 'you'``), to mark them;
    punctuation is named in the refusal but not marked (bold markers beside it do not render)."""
    found: list[str] = []
    for problem in problems:
        named = _BECAUSE.search(problem) if problem.startswith(f"{channel}:") else None
        if named:
            found += [w for a, b in _QUOTED.findall(named.group(1)) if (w := a or b).isalnum() and w not in found]
    return found


def _marked(escaped: str, words: list[str]) -> str:
    """Bold each flagged word in already-escaped text (whole words, any case)."""
    for word in words:
        pattern = rf"(?<![\w]){re.escape(word)}(?![\w])"
        escaped = re.sub(pattern, lambda m: f"**{m.group(0)}**", escaped, flags=re.IGNORECASE)
    return escaped


_SEGMENT_ROWS = (
    ("avg_monetary_365d", "tenant_avg_monetary_365d", "Average spend, last 365 days", "${:,.0f}"),
    ("active_30d_share", "tenant_active_30d_share", "Active in the last 30 days", "{:.0%}"),
    ("avg_purchase_propensity", "tenant_avg_purchase_propensity", "Likelihood to buy (model score)", "{:.0%}"),
    ("avg_churn_risk", "tenant_avg_churn_risk", "Churn risk (model score)", "{:.0%}"),
    ("avg_clv", "tenant_avg_clv", "Customer lifetime value", "${:,.0f}"),
)


def audience_markdown(researcher: dict[str, Any]) -> str:
    """The segment's filters in words and every condition of the goal that no filter applies, with why: what the
    approver must see before the plan reaches anyone (never dropped silently)."""
    filters = [md(f) for f in researcher.get("filters") or [] if f]
    skipped = [f"{md(n.get('phrase', ''))} ({md(n.get('reason', ''))})" for n in researcher.get("not_applied") or []]
    out = f"\n\n**Filters**: {'; '.join(filters)}" if filters else ""
    return out + (f"\n\n**Not applied** ⚠ {'; '.join(skipped)}" if skipped else "")


def opportunity_markdown(analyst: dict[str, Any], researcher: dict[str, Any]) -> str:
    """Who the segment is in words, and its baseline beside the whole customer base, then the expected lift and
    value with their intervals, as a small table."""
    sizing, baseline = analyst.get("sizing") or {}, analyst.get("baseline") or {}
    if not sizing:
        return ""
    size = int(analyst.get("size") or baseline.get("size") or 0)
    share = baseline.get("share_of_tenant")
    total = f" of {round(size / share):,} ({share:.0%} of all customers)" if share else ""
    why = [str(r) for r in (researcher.get("segment") or {}).get("why", []) if r]
    who = f"**Who**: {size:,} customers{total}" + (f", where {md('; '.join(why))}" if why else "") + "."
    who += audience_markdown(researcher)
    rows = ["| | This segment | All customers |", "|---|---:|---:|"]
    for mine, theirs, label, fmt in _SEGMENT_ROWS:
        if isinstance(baseline.get(mine), int | float):
            other = fmt.format(baseline[theirs]) if isinstance(baseline.get(theirs), int | float) else "–"
            rows.append(f"| {label} | {fmt.format(baseline[mine])} | {other} |")
    rows += evidence_rows(analyst.get("evidence") or {})
    value = analyst.get("expected_value_usd") or []
    rows.append(f"| **Expected lift** | {sizing.get('lift_low', 0):+.0%} to {sizing.get('lift_high', 0):+.0%} | |")
    if len(value) == 2:
        rows.append(f"| **Expected value** | ${value[0]:,.0f} to ${value[1]:,.0f} | |")
    rows.append(
        f"| Confidence · shortest test | {sizing.get('confidence', 0):.0%} · {sizing.get('min_days', '?')} days | |"
    )
    return f"### Sized opportunity: {md_line(analyst.get('segment', ''))}\n\n{who}\n\n" + "\n".join(rows)


def evidence_rows(evidence: dict[str, Any]) -> list[str]:
    """The sizing's inputs from the tenant's data, each with its 90% interval: the outcome's baseline, the value
    per customer from the CLV score, the holdout and the test's power."""
    base, value, plan = evidence.get("baseline") or {}, evidence.get("value") or {}, evidence.get("holdout") or {}
    if not base or not value or not plan:
        return []
    rate, worth = base["rate"], value["per_customer"]
    return [
        f"| Baseline {md(base['outcome'])}, {base['horizon_days']} days | {rate['value']:.1%} "
        f"({rate['low']:.1%} to {rate['high']:.1%}) | {base['successes']:,} of {base['customers']:,} |",
        f"| Value per customer ({md(value['score'])}) | ${worth['value']:,.0f} "
        f"(${worth['low']:,.0f} to ${worth['high']:,.0f}) | {value['scored']:,} scored |",
        f"| Holdout · power | {plan['share']:.0%} ({plan['holdout']:,}) · {plan['power']:.0%} | |",
    ]


def preview_markdown(approval: dict[str, Any], cohort: Any, holdout: float) -> str:
    """Per journey step: how many of the cohort the policy lets through, and the rules that fired."""
    lines = [f"Cohort: **{md(cohort)}** customers ({holdout:.0%} held out as control)."]
    checks = {str(p.get("channel", "")): p for p in approval.get("policy", [])}
    for i, step in enumerate(approval.get("plan", {}).get("steps", []), start=1):
        check = checks.get(f"{i}:{step.get('channel')}", {})
        allowed, checked = md(check.get("allowed", "?")), md(check.get("checked", "?"))
        rules = "; ".join(md(r) for r in check.get("rules", [])) or "no policy result"
        review = " · needs review" if check.get("needs_review") else ""
        lines.append(
            f"- step {i} {md(step.get('channel'))}: **{allowed} of {checked}** sampled customers "
            f"allowed{review} — {rules}"
        )
    return "\n".join(lines)


def quote(text: str, marked: list[str] | None = None) -> str:
    """Quote ``text`` (escaped line by line, so its line breaks stay and nothing in it is markup), with the
    ``marked`` words in bold."""
    return "\n".join("> " + _marked(md(line), marked or []) if line.strip() else ">" for line in text.splitlines())


def copilot_markdown(
    outcome: dict[str, Any], steps: list[dict[str, Any]], order: list[str], titles: dict[str, str],
    marked: list[str] | None = None,
) -> str:  # fmt: skip
    """Sentiment, intent, tone and channel with reasons, then the grounded reply draft (``marked``: the words a
    refused edit was refused for, in bold) and its sources."""
    tone = outcome.get("tone", {})
    tone_step = next((s for s in steps if s.get("node") == "tone"), {})
    ticket = outcome.get("ticket", {})
    parts = [
        f"### Ticket {md_line(ticket.get('ticket_id', ''))}: {md_line(ticket.get('subject', ''))}",
        f"**Sentiment** {md(outcome.get('sentiment', '?'))} · **intent** {md(outcome.get('intent', '?'))}"
        f" · classified by the {md(outcome.get('classifier') or 'unknown model')}"
        + (f" · **route to** {md(outcome['route'])}" if outcome.get("route") else ""),
        f"**Recommended tone** {tone_in_words(tone)} · **channel** {md(outcome.get('channel', '?'))}",
    ]
    if ticket.get("text"):
        parts.append("**The customer wrote**\n\n" + quote(str(ticket["text"])))
    if tone_step.get("reason"):
        parts.append(f"**Why** {md(tone_step['reason'])}")
    if outcome.get("escalate"):
        reasons = "\n".join(f"- {md(r)}" for r in outcome.get("escalation_reasons", []))
        parts.append("**Escalation advised**\n" + reasons)
    parts.append("### Reply draft")
    parts.append(quote(numbered(str(outcome.get("reply", "")), order), marked))
    parts.append(sources(order, titles))
    if outcome.get("next"):
        parts.append(f"_{md(outcome['next'])}_")
    return "\n\n".join(p for p in parts if p)


_TONE_WORDS = {
    "formality": ("casual", "neutral", "formal"),
    "warmth": ("matter-of-fact", "friendly", "warm"),
    "brevity": ("detailed", "medium length", "brief"),
}


def tone_in_words(tone: dict[str, Any]) -> str:
    """A recommended tone as an agent reads it ("warm, brief, formal"); the 0..1 scores stay in brackets."""
    words, scores = [], []
    for attr, (low, mid, high) in _TONE_WORDS.items():
        value = float(tone.get(attr) or 0)
        words.append(low if value < 0.4 else high if value > 0.6 else mid)
        scores.append(f"{attr} {value:.1f}")
    return f"{', '.join(words)} ({' · '.join(scores)})"


def launch_markdown(outcome: dict[str, Any]) -> str:
    """The launch confirmation, with the decision behind it (what was decided and by whom) when it is known."""
    launch = outcome.get("launch", {})
    state = "Launched" if launch.get("launched") else "Approved and recorded"
    ident = md(launch.get("journey_id") or launch.get("detail", ""))
    decided = outcome.get("decision")
    reviewer = str(outcome.get("reviewer") or "").replace("`", "")
    by = f" by `{reviewer}`" if reviewer else ""  # a bare "ui:name" reads as a directive
    decision = f"**Decision** {md(decided)}{by}\n\n" if decided else ""
    return f"### ✅ {state}\n\n{decision}{ident}\n\n{md(outcome.get('next', ''))}".strip()
