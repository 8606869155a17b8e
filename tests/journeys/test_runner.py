"""The runner against a real tenant: same-entity waits with timeouts, goals pause, holdouts, crash safety."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hyperjourney.db.database import Database
from hyperjourney.journeys import runner as runner_mod
from hyperjourney.journeys.assign import in_holdout
from hyperjourney.journeys.definition import examples
from hyperjourney.journeys.launch import JourneyPlan, launch_plan
from hyperjourney.journeys.runner import JourneyRunner
from tests.actions_fixtures import T0, add_customers, add_event, add_events
from tests.assets.test_send_path import FACT, add_kb, marked_email

H = timedelta(hours=1)


def treatment_ids(n: int, journey: str = "cart-abandon", share: float = 0.2, prefix: str = "c") -> list[str]:
    ids = (f"{prefix}{i}" for i in range(10_000))
    return [c for c in ids if not in_holdout(journey, c, share)][:n]


def launch_cart(db: Database, tenant: str) -> JourneyRunner:
    launch_plan(db, tenant, JourneyPlan(template="cart-abandon"), now=T0)
    return JourneyRunner(db, tenant, use_models=False)


def actions(db: Database, tenant: str) -> list[tuple[str, str, str | None]]:
    with db.tenant(tenant) as conn:
        return conn.execute("SELECT customer_id, channel, variant FROM outbox ORDER BY action_id").fetchall()


def state(db: Database, tenant: str, customer: str) -> tuple[str, str]:
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT state, step_id FROM journey_enrollments WHERE customer_id = %s", (customer,)
        ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_waits_for_checkout_of_the_same_cart_then_times_out(db: Database, tenant: str) -> None:
    slow, quick = treatment_ids(2)
    add_customers(db, tenant, [slow, quick])
    run = launch_cart(db, tenant)
    add_event(db, tenant, "e1", slow, "added_to_cart", T0, cart_id="cartA", product_id="p1")
    add_event(db, tenant, "e2", quick, "added_to_cart", T0, cart_id="cartB")
    run.tick(T0)
    add_event(db, tenant, "e3", slow, "checkout", T0 + H, cart_id="cartOTHER")  # another cart: keeps waiting
    add_event(db, tenant, "e4", quick, "checkout", T0 + H, cart_id="cartB")
    run.tick(T0 + 2 * H)
    assert state(db, tenant, slow) == ("waiting", "wait_checkout")
    assert state(db, tenant, quick) == ("exited", "bought")
    assert actions(db, tenant) == []
    stats = run.tick(T0 + 5 * H)  # 4 h timeout passed
    assert stats.timeouts == 1
    assert [(c, ch) for c, ch, _ in actions(db, tenant)] == [(slow, "email")]
    assert state(db, tenant, slow) == ("waiting", "wait_day")
    run.tick(T0 + 30 * H)
    assert [(c, ch) for c, ch, _ in actions(db, tenant)] == [(slow, "email"), (slow, "sms")]
    assert state(db, tenant, slow) == ("exited", "done")


def test_goal_pauses_the_journey(db: Database, tenant: str) -> None:
    (cid,) = treatment_ids(1)
    add_customers(db, tenant, [cid])
    run = launch_cart(db, tenant)
    add_event(db, tenant, "a", cid, "added_to_cart", T0, cart_id="cartD")
    run.tick(T0 + 5 * H)
    assert len(actions(db, tenant)) == 1
    add_event(db, tenant, "b", cid, "checkout", T0 + 10 * H, cart_id="cartD")
    stats = run.tick(T0 + 40 * H)
    assert stats.goals == 1 and state(db, tenant, cid)[0] == "goal_met"
    assert len(actions(db, tenant)) == 1  # no SMS after the goal


def test_holdout_is_deterministic_and_gets_nothing(db: Database, tenant: str) -> None:
    ids = [f"h{i}" for i in range(60)]
    add_customers(db, tenant, ids)
    run = launch_cart(db, tenant)
    add_events(db, tenant, [(f"x{i}", cid, "added_to_cart", T0, {"cart_id": f"k{i}"}) for i, cid in enumerate(ids)])
    stats = run.tick(T0 + 5 * H)
    held = {c for c in ids if in_holdout("cart-abandon", c, 0.2)}
    assert stats.holdout == len(held) and 0 < len(held) < 30
    sent_to = {c for c, _, _ in actions(db, tenant)}
    assert sent_to == set(ids) - held


def test_crash_mid_batch_neither_skips_nor_repeats(db: Database, tenant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = treatment_ids(25, prefix="r")
    add_customers(db, tenant, ids)
    run = launch_cart(db, tenant)
    add_events(db, tenant, [(f"r{i}", cid, "added_to_cart", T0, {"cart_id": f"rc{i}"}) for i, cid in enumerate(ids)])
    run.tick(T0)
    real_act = JourneyRunner._act
    calls = {"n": 0}

    def flaky(self: JourneyRunner, *args: Any, **kwargs: Any) -> str:
        calls["n"] += 1
        if calls["n"] == 13:
            raise RuntimeError("simulated crash")
        return real_act(self, *args, **kwargs)

    monkeypatch.setattr(runner_mod.JourneyRunner, "_act", flaky)
    with pytest.raises(RuntimeError, match="simulated crash"):
        JourneyRunner(db, tenant, use_models=False, batch=10).tick(T0 + 5 * H)
    JourneyRunner(db, tenant, use_models=False, batch=10).tick(T0 + 5 * H)
    JourneyRunner(db, tenant, use_models=False, batch=10).tick(T0 + 30 * H)
    sent = actions(db, tenant)
    assert sorted(c for c, ch, _ in sent if ch == "email") == sorted(ids)
    assert sorted(c for c, ch, _ in sent if ch == "sms") == sorted(ids)
    with db.tenant(tenant) as conn:
        gaps = conn.execute(
            "SELECT enrollment_id FROM journey_step_log GROUP BY enrollment_id HAVING max(step_seq) <> count(*)"
        ).fetchall()
        paths = conn.execute(
            "SELECT DISTINCT string_agg(step_id, '>' ORDER BY step_seq) FROM journey_step_log GROUP BY enrollment_id"
        ).fetchall()
    assert gaps == []
    assert paths == [("wait_checkout>wait_checkout>likely_buyer>remind_email>wait_day>wait_day>sms_nudge>done",)]


def test_b2b_trigger_needs_whitepaper_before_pricing(db: Database, tenant: str) -> None:
    ids = treatment_ids(2, "b2b-pricing-intent", 0.1, prefix="b")
    add_customers(db, tenant, ids)
    launch_plan(db, tenant, JourneyPlan(template="b2b-pricing-intent"), now=T0)
    run = JourneyRunner(db, tenant, use_models=False)
    add_event(db, tenant, "w", ids[0], "whitepaper_download", T0 - 48 * H, asset="close-faster")
    add_event(db, tenant, "p0", ids[0], "page_view", T0, page="/pricing")
    add_event(db, tenant, "p1", ids[1], "page_view", T0, page="/pricing")  # no whitepaper: no trigger
    stats = run.tick(T0 + H)
    assert stats.enrolled == 1
    assert [(c, ch) for c, ch, _ in actions(db, tenant)] == [(ids[0], "webhook"), (ids[0], "email")]


def test_launch_plan_enrolls_the_audience(db: Database, tenant: str) -> None:
    ids = [f"a{i}" for i in range(10)]
    add_customers(db, tenant, ids[:8], marketing=("email", "in_app"))
    add_customers(db, tenant, ids[8:], marketing=("email",))
    result = launch_plan(
        db, tenant,
        JourneyPlan(plan_id="run-1", template="plg-milestone", journey_id="fintech-smb-lift", audience=ids,
                    goal="Lift LTV 20% in fintech SMBs"),
        now=T0,
    )  # fmt: skip
    assert result.status == "launched" and result.enrolled + result.holdout == 10
    assert result.actions_queued + result.denied == result.enrolled and result.denied >= 1
    same = JourneyPlan(template="plg-milestone", journey_id="fintech-smb-lift", goal="Lift LTV 20% in fintech SMBs")
    again = launch_plan(db, tenant, same, now=T0)
    assert (again.status, again.version) == ("unchanged", result.version)
    edited = launch_plan(db, tenant, same.model_copy(update={"holdout_share": 0.5}), now=T0)
    assert (edited.status, edited.version) == ("launched", result.version + 1)
    assert examples()  # shipped patterns still load after launching a derivative


def test_policy_denies_without_consent_and_defers_outside_the_send_window(db: Database, tenant: str) -> None:
    nomail, late = treatment_ids(2, prefix="q")
    add_customers(db, tenant, [nomail], marketing=())
    add_customers(db, tenant, [late])
    run = launch_cart(db, tenant)
    add_event(db, tenant, "n1", nomail, "added_to_cart", T0, cart_id="n")
    add_event(db, tenant, "l1", late, "added_to_cart", T0 + 12 * H, cart_id="l")  # 21:00 UTC + 4 h wait = 01:00
    stats = run.tick(T0 + 17 * H)
    assert (stats.denied, stats.deferred) == (1, 1)
    with db.tenant(tenant) as conn:
        outcomes = dict(conn.execute(
            "SELECT e.customer_id, l.outcome FROM journey_step_log l JOIN journey_enrollments e "
            "USING (tenant_id, enrollment_id) WHERE l.step_id = 'remind_email'").fetchall())  # fmt: skip
        due = conn.execute("SELECT next_attempt_at FROM outbox").fetchall()
    assert outcomes[nomail] == "denied:consent" and outcomes[late].startswith("sent:")
    assert [d.astimezone(T0.tzinfo).hour for (d,) in due] == [8]  # the email window opens at 08:00


def test_canvas_plan_from_the_agents_launches_as_a_journey(db: Database, tenant: str, tmp_path: Path) -> None:
    ids = [f"v{i}" for i in range(12)]
    add_customers(db, tenant, ids, marketing=("email", "sms"))
    cid = add_kb(db, tenant, tmp_path)
    email = marked_email(f"{FACT} [cite:{cid}].")
    canvas = {
        "plan": {"name": "LTV lift · fintech SMBs", "trigger": "enters segment 'fintech SMBs'",
                 "steps": [{"channel": "email", "delay_days": 0, "variant": "email-1"},
                           {"channel": "sms", "delay_days": 3, "variant": "sms-1"}],
                 "cadence": "one touch every 3 days", "frequency_cap_per_week": 2, "holdout_share": 0.25},
        "variants": [{"channel": "email", "subject": "Close your books faster", "body": email},
                     {"channel": "email", "subject": "Your month-end, shorter", "body": email},
                     {"channel": "sms", "body": "Northwind: month-end tips are in your inbox. Reply STOP to opt out."}],
        "segment": {"name": "fintech SMBs"}, "segment_name": "fintech SMBs", "metric": "ltv", "audience": ids,
        "goal": "Lift LTV 20% in fintech SMBs", "approved_by": "maria", "evidence": [{"citation_id": cid}],
        "policy": [], "cohort_size": 12,
    }  # fmt: skip
    result = launch_plan(db, tenant, JourneyPlan.model_validate({**canvas, "plan_id": "run-42"}))
    assert result.launched and result.journey_id == "ltv-lift-fintech-smbs" and result.not_launched == []
    assert result.enrolled + result.holdout == 12 and result.actions_queued == result.enrolled
    JourneyRunner(db, tenant, use_models=False).tick(datetime.now(UTC) + 4 * 24 * H)  # launched "now"
    sent = actions(db, tenant)
    assert {ch for _, ch, _ in sent} == {"email", "sms"}
    assert {v for _, ch, v in sent if ch == "email"} <= {"email-1", "email-2"}
    with db.tenant(tenant) as conn:
        bodies = [str(b) for (b,) in conn.execute("SELECT payload->>'body' FROM outbox").fetchall()]
    assert not [b for b in bodies if "[cite:" in b]
    assert any(f"{FACT}.\n\nWant to see" in b for b in bodies)
    again = launch_plan(db, tenant, JourneyPlan.model_validate({**canvas, "plan_id": "run-42"}))
    assert again.status == "unchanged" or again.enrolled == 0  # the same approval never enrolls twice


def test_a_step_whose_copy_was_dropped_is_skipped_not_sent_empty(db: Database, tenant: str) -> None:
    ids = [f"e{i}" for i in range(4)]
    add_customers(db, tenant, ids, marketing=("email", "sms"))
    plan = JourneyPlan(
        plan_id="run-7",
        plan={"name": "edited plan", "steps": [{"channel": "email", "delay_days": 0},
                                               {"channel": "sms", "delay_days": 2}], "holdout_share": 0},
        variants=[{"channel": "sms", "body": "Northwind: month-end tips are in your inbox. Reply STOP to opt out."}],
        audience=ids,
    )  # fmt: skip
    result = launch_plan(db, tenant, plan, now=T0)
    assert result.not_launched == ["step send_0: no approved email copy"]
    JourneyRunner(db, tenant, use_models=False).tick(T0 + 3 * 24 * H)
    assert {ch for _, ch, _ in actions(db, tenant)} == {"sms"}
