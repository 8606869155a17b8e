"""Check an edit to a pending plan before anyone approves it: the edited variants (typed in a form or made from
a follow-up request such as "make the email shorter") are re-checked by the same guardrails the approval step
uses, against the evidence the run's Copywriter cited, and the check is audited on the run.

Nothing here resumes the run: the plan keeps waiting, with the draft shown, until a person approves (the
approval then sends the draft as an ``edit`` decision, re-checked once more by the graph) or rejects it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from hyperjourney.agents import copywriter
from hyperjourney.agents.copy_edits import EditRequest, apply_request
from hyperjourney.db.database import Database
from hyperjourney.graphs.checkpoints import tenant_saver
from hyperjourney.graphs.flows import build_graph
from hyperjourney.graphs.leases import RunStateError
from hyperjourney.graphs.wiring import Deps, build_deps
from hyperjourney.knowledge.models import Hit
from hyperjourney.settings import get_settings


class EditCheck(BaseModel):
    """Edited variants and what the guardrails found (empty ``problems``: the edit may be approved)."""

    variants: list[copywriter.Variant]
    problems: list[str] = Field(default_factory=list)
    request: str = Field("", description="the plain-language request it was made from, if any")


def _pending(deps: Deps, tenant: str, run_id: str) -> tuple[dict[str, Any], list[Hit]]:
    """The approval the run waits on and the evidence its copy may cite; refuses a run that waits on none."""
    with deps.db.tenant(tenant) as conn:
        row = conn.execute("SELECT flow, status FROM agent_runs WHERE run_id = %s", (run_id,)).fetchone()
    if row is None:
        raise RunStateError(f"run {run_id!r} not found in tenant {tenant!r}")
    with tenant_saver(deps.db, tenant) as saver:
        snapshot = build_graph(str(row[0]), saver).get_state({"configurable": {"thread_id": run_id}})
    pending = [i.value for task in snapshot.tasks for i in task.interrupts]
    if row[1] != "awaiting_approval" or not pending or "variants" not in pending[0]:
        raise RunStateError(f"run {run_id} is {row[1]}: there is no drafted copy waiting for a decision")
    copy = snapshot.values.get("copy")
    return pending[0], copywriter.CopySet.model_validate(copy).evidence if copy is not None else []


def pending_variants(db: Database, tenant: str, run_id: str, *, deps: Deps | None = None) -> list[copywriter.Variant]:
    deps = deps or build_deps(db, get_settings())
    approval, _ = _pending(deps, tenant, run_id)
    return [copywriter.Variant.model_validate(v) for v in approval["variants"]]


def check_edit(
    db: Database,
    tenant: str,
    run_id: str,
    variants: list[copywriter.Variant],
    *,
    reviewer: str,
    request: str = "",
    deps: Deps | None = None,
) -> EditCheck:
    """Re-check edited variants with the Copywriter's guardrails (as the approval step will) and audit it."""
    deps = deps or build_deps(db, get_settings())
    approval, evidence = _pending(deps, tenant, run_id)
    ctx = deps.context(tenant, run_id, "canvas")
    problems = copywriter.revalidate(ctx, variants, evidence) if variants else ["an edit must keep some copy"]
    planned = {s["channel"] for s in approval["plan"]["steps"]}
    if variants and not planned & {v.channel for v in variants}:
        problems.append(f"the edited variants fill no step of the plan (its channels: {', '.join(sorted(planned))})")
    checked = [
        v.model_copy(update={"passed_guardrails": not any(p.startswith(f"{v.channel}:") for p in problems),
                             "tier": "human"})
        for v in variants
    ]  # fmt: skip
    deps.recorder.event(
        tenant, run_id, actor=f"human:{reviewer}", action="approval:edit_checked",
        payload={"request": request, "variants": [v.model_dump(mode="json") for v in checked], "problems": problems},
    )  # fmt: skip
    return EditCheck(variants=checked, problems=problems, request=request)


def request_edit(
    db: Database,
    tenant: str,
    run_id: str,
    request: EditRequest,
    *,
    base: list[copywriter.Variant] | None,
    reviewer: str,
    text: str = "",
    deps: Deps | None = None,
) -> EditCheck:
    """Apply a plain-language request to ``base`` (a draft being worked on) or else the drafted copy, then check
    it. Raises ``copy_edits.EditRequestError`` when the request cannot apply."""
    deps = deps or build_deps(db, get_settings())
    variants = base if base is not None else pending_variants(db, tenant, run_id, deps=deps)
    return check_edit(db, tenant, run_id, apply_request(variants, request), reviewer=reviewer, request=text, deps=deps)
