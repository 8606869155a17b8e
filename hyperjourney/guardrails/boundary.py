"""The tool boundary: what a run triggered by customer text may do, decided without reading that text.

Tools come from the run's allowlist, recipients come from the customer record the run was opened for,
and policy-changing tools are never reachable from a customer-triggered run. Any email address or phone
number in a tool's arguments that appears in the untrusted text but not on file is refused as tainted.
So even an injection the detector missed cannot change tools, policies or recipients.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from hyperjourney.guardrails.pii import find_pii

RECIPIENT_ARGS = ("to", "recipient", "recipients", "email", "phone", "customer_id", "cc", "bcc", "forward_to")
PRIVILEGED_TOOLS = ("update_policy", "store_policy", "set_consent", "update_settings", "grant_role", "export_customers")


class ToolCall(BaseModel):
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)


class RunScope(BaseModel):
    """Fixed when the run starts, from the ticket and configuration, never from the customer's words."""

    customer_id: str
    contacts_on_file: list[str] = Field(default_factory=list, description="the customer's own email/phone")
    allowed_tools: list[str]
    untrusted_text: str = ""
    max_refund: float = Field(0.0, ge=0, description="larger refunds go to human review")


class BoundaryVerdict(BaseModel):
    allowed: bool
    needs_review: bool = False
    reasons: list[str] = Field(default_factory=list)


def _norm(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch.isalnum() or ch in "@.")


def _values(value: Any) -> list[str]:
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value]
    return [str(value)]


def check_tool_call(call: ToolCall, scope: RunScope) -> BoundaryVerdict:
    reasons: list[str] = []
    if call.tool in PRIVILEGED_TOOLS:
        reasons.append(f"{call.tool} is never available to a customer-triggered run")
    elif call.tool not in scope.allowed_tools:
        reasons.append(f"{call.tool} is not in this run's tools ({', '.join(scope.allowed_tools)})")
    on_file = {_norm(c) for c in scope.contacts_on_file} | {_norm(scope.customer_id)}
    for key, value in call.args.items():
        if key.lower() in RECIPIENT_ARGS:
            for v in _values(value):
                if _norm(v) not in on_file:
                    reasons.append(f"{key}={v!r} is not the customer this run is for")
    tainted = {_norm(m.value) for m in find_pii(scope.untrusted_text) if m.kind in ("email", "phone")} - on_file
    for key, value in call.args.items():
        for v in _values(value):
            for m in find_pii(v):
                if m.kind in ("email", "phone") and _norm(m.value) in tainted:
                    reasons.append(f"{key} carries {m.value!r}, which came from the customer's text")
    review = False
    amount = call.args.get("amount")
    if call.tool == "issue_refund" and isinstance(amount, int | float) and amount > scope.max_refund:
        review = True
    return BoundaryVerdict(allowed=not reasons, needs_review=review and not reasons, reasons=reasons)
