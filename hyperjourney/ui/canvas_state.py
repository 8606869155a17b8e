"""The canvas's state machine: one state per thread, derived from the run's real status (and the thread's edit
draft), and what that state shows: the banner line, the buttons (for a role that may decide) and the copy.

The card, its buttons and every message come from here, so they cannot disagree: a refused edit is a state
with its buttons back at once, a launched run is a state with none.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from hyperjourney.agents.copywriter import Variant

State = Literal["running", "awaiting_approval", "edit_drafted", "edit_refused", "launched", "rejected",
                "escalated", "failed"]  # fmt: skip
Button = Literal["approve", "edit", "reject", "discard_edit"]
_RAW_NUMBER = re.compile(r"\b([A-Za-z_]+)[=:]\s*(-?\d+\.\d{3,})")
_REPHRASE = (
    "To get a plan without waiting, rephrase the goal with a metric, a segment and a target, for example "
    "“Lift LTV 20% in fintech SMBs” or “Win back churned retail customers, +10% repeat orders”."
)


class Draft(BaseModel):
    """A thread's edit in progress: checked variants not yet approved, and what the guardrails found."""

    variants: list[Variant]
    problems: list[str] = Field(default_factory=list)
    request: str = ""


class CanvasView(BaseModel):
    state: State
    banner: str
    buttons: list[Button] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)
    variants: list[dict[str, Any]] = Field(default_factory=list, description="the copy the card shows")
    problems: list[str] = Field(default_factory=list)


def plain_reason(text: str) -> str:
    """A model's reason for people: ``confidence=0.36354…`` reads as "confidence 36%", other raw floats rounded."""

    def short(match: re.Match[str]) -> str:
        name, value = match.group(1), float(match.group(2))
        return f"{name} {value:.0%}" if name.lower() == "confidence" else f"{name} {value:.2f}"

    return _RAW_NUMBER.sub(short, text)


def escalation_text(approval: dict[str, Any] | None, *, may_decide: bool) -> str:
    """Why a person has to decide, who will, and how to avoid the wait next time."""
    reasons = [plain_reason(r) for e in (approval or {}).get("escalations", []) for r in e.get("reasons", [])]
    kind = ((approval or {}).get("proposal") or {}).get("plan_kind")
    why = "; ".join(reasons) or "no model was sure enough to decide alone"
    guess = f" Its best guess is a **{kind}** plan." if kind else ""
    who = (
        "You (or any reviewer of this workspace) can approve the best guess or reject it below, or from the "
        "review queue."
        if may_decide
        else "A reviewer of this workspace will approve the best guess or reject it from the review queue; this "
        "thread shows their decision when you reopen it."
    )
    return f"**Waiting for a person.** Why: {why}.{guess}\n\n{who}\n\n{_REPHRASE}"


def canvas_view(
    status: str | None,
    approval: dict[str, Any] | None,
    outcome: dict[str, Any] | None,
    draft: Draft | None,
    *,
    may_decide: bool,
) -> CanvasView:
    """The one view a canvas thread shows for its run now."""
    decide: list[Button] = ["approve", "edit", "reject"] if may_decide else []
    if status == "running":
        return CanvasView(state="running", banner="The agents are working on this plan…")
    if status == "awaiting_approval" and approval is not None and approval.get("kind") == "escalation":
        return CanvasView(
            state="escalated",
            banner=escalation_text(approval, may_decide=may_decide),
            buttons=[b for b in decide if b != "edit"],
            labels={"approve": "Approve best guess", "reject": "Reject"},
        )
    if status == "awaiting_approval" and approval is not None:
        drafted = list(approval.get("variants", []))
        if draft is not None:
            shown = [v.model_dump(mode="json") for v in draft.variants]
            if draft.problems:
                return CanvasView(
                    state="edit_refused",
                    banner="**Your edit was not accepted**: fix the marked words and save again, approve the copy "
                    "as drafted, or reject the plan.",
                    buttons=decide,
                    labels={"approve": "Approve as drafted", "edit": "Fix the edit", "reject": "Reject"},
                    variants=shown,
                    problems=draft.problems,
                )
            return CanvasView(
                state="edit_drafted",
                banner="**Edited copy, checked by the guardrails**"
                + (f" ({draft.request})" if draft.request else "")
                + ": approve to launch it, edit again, or discard the edit.",
                buttons=[*decide, "discard_edit"] if may_decide else [],
                labels={
                    "approve": "Approve edited copy",
                    "edit": "Edit",
                    "reject": "Reject",
                    "discard_edit": "Discard edit",
                },
                variants=shown,
            )
        problems = list(approval.get("edit_problems") or [])
        if problems:
            return CanvasView(
                state="edit_refused",
                banner="**Your edit was not accepted**: edit again, approve the copy as drafted, or reject the plan.",
                buttons=decide,
                labels={"approve": "Approve", "edit": "Edit", "reject": "Reject"},
                variants=drafted,
                problems=problems,
            )
        waiting = (
            "Waiting for your decision: approve, edit (or type a change such as “make the email shorter”) or reject."
            if may_decide
            else "Waiting for a reviewer: you have the viewer role, so a reviewer of this workspace must approve it."
        )
        return CanvasView(
            state="awaiting_approval",
            banner=waiting,
            buttons=decide,
            labels={"approve": "Approve", "edit": "Edit", "reject": "Reject"},
            variants=drafted,
        )
    decision = (outcome or {}).get("decision")
    if status == "completed" and decision in {"approved", "edited"}:
        return CanvasView(state="launched", banner="")
    if status == "rejected":
        reason = str((outcome or {}).get("comment") or "").strip()
        because = f" Reason given: “{reason}”." if reason else ""
        return CanvasView(
            state="rejected", banner=f"**Rejected**: nothing was sent.{because} Type a new goal to start over."
        )
    if status == "escalated":
        return CanvasView(state="escalated", banner=escalation_text(approval, may_decide=may_decide))
    return CanvasView(state="failed", banner=f"The run is **{status or 'unknown'}**: type the goal again to retry.")
