"""Edits to a pending plan are checked by the guardrails and audited, and the plan keeps waiting until approved."""

from __future__ import annotations

from hyperjourney.agents.copy_edits import EditRequest, split_fixed
from hyperjourney.db.database import Database
from hyperjourney.graphs import edit_drafts, runs
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.guardrails.tone import ToneAttributes
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings
from tests.agentkit import RecordingLauncher, fixed_clock

GOAL = "Lift LTV 20% in fintech SMBs"


def test_a_follow_up_edits_the_pending_plan_and_a_refusal_names_the_words(
    db: Database, seeded: str, settings: Settings
) -> None:
    deps = build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=RecordingLauncher())
    run = runs.start_canvas(db, seeded, GOAL, deps=deps)
    assert run.status == "awaiting_approval" and run.approval is not None
    drafted = edit_drafts.pending_variants(db, seeded, run.run_id, deps=deps)
    email = next(v for v in drafted if v.channel == "email")

    shorter = edit_drafts.request_edit(
        db, seeded, run.run_id, EditRequest(kind="shorter", channel="email"), base=None, reviewer="ui:rita",
        text="make the email shorter", deps=deps,
    )  # fmt: skip
    assert shorter.problems == []
    edited = next(v for v in shorter.variants if v.channel == "email")
    assert len(edited.body) < len(email.body)
    assert split_fixed(edited.body).fixed == split_fixed(email.body).fixed != ""  # the footer is kept as it was
    assert runs.show_run(db, seeded, run.run_id).status == "awaiting_approval"  # a check resumes nothing

    # checked against the tone the variant carries (here a neutral 0.5 warmth, not the warm email's 0.75)
    neutral = ToneAttributes(formality=0.5, warmth=0.5, brevity=0.6)
    gushing = email.model_copy(
        update={
            "body": split_fixed(email.body).body("We love you! We love you so much, thanks, thanks, thanks!"),
            "tone": neutral,
        }
    )
    refused = edit_drafts.check_edit(db, seeded, run.run_id, [gushing], reviewer="ui:rita", deps=deps)
    warmth = [p for p in refused.problems if "tone_warmth" in p]
    assert warmth and "because of: 'love', 'you', 'thanks'" in warmth[0]
    with db.tenant(seeded) as conn:
        checks = conn.execute(
            "SELECT payload->>'request', jsonb_array_length(payload->'problems') FROM audit_log "
            "WHERE entity = %s AND action = 'approval:edit_checked' ORDER BY seq",
            (run.run_id,),
        ).fetchall()
    assert checks[0] == ("make the email shorter", 0) and checks[1][1] >= 1

    done = runs.resume(
        db, seeded, run.run_id,
        {"action": "edit", "reviewer": "ui:rita", "variants": [v.model_dump() for v in shorter.variants]}, deps=deps,
    )  # fmt: skip
    assert done.status == "completed"
