"""Outcomes for a launched journey, as two weeks of real traffic would leave them: more of the segment enters
(enrolled by the journey runner, holdout by hashed id) and some customers in each arm reach the goal."""

from __future__ import annotations

import math
from datetime import timedelta

from hyperjourney.data.ingest.loader import dataset, load_rows, validate
from hyperjourney.db.database import Database
from hyperjourney.journeys import store
from hyperjourney.journeys.runner import JourneyRunner, RunStats


def grow_and_convert(
    db: Database, tenant: str, journey_id: str, *, more: int = 80, treated: float = 0.5, holdout: float = 0.2
) -> dict[str, int]:
    """Enroll up to ``more`` customers, then give ``treated``/``holdout`` shares of each arm a goal event."""
    runner = JourneyRunner(db, tenant, use_models=False)
    with db.tenant(tenant) as conn:
        sj = store.get(conn, journey_id)
        start = conn.execute("SELECT min(started_at) FROM journey_enrollments WHERE journey_id = %s", (journey_id,))
        at = start.fetchone()[0]  # type: ignore[index]
        fresh = conn.execute(
            "SELECT customer_id FROM customers WHERE customer_id NOT IN "
            "(SELECT customer_id FROM journey_enrollments WHERE journey_id = %s) ORDER BY customer_id LIMIT %s",
            (journey_id, more),
        ).fetchall()
        for (customer,) in fresh:
            runner.enroll(conn, sj, customer, entity=f"test:{customer}", props={}, trigger_event="test", at=at,
                          stats=RunStats())  # fmt: skip
        arms = conn.execute(
            "SELECT customer_id, arm, started_at FROM journey_enrollments WHERE journey_id = %s ORDER BY customer_id",
            (journey_id,),
        ).fetchall()
        goal = sj.definition.goal.event
        events, converted = [], {"treatment": 0, "holdout": 0}
        for arm, share in (("treatment", treated), ("holdout", holdout)):
            members = [(c, t) for c, a, t in arms if a == arm]
            for customer, started in members[: math.ceil(share * len(members))]:
                converted[arm] += 1
                events.append({
                    "event_id": f"goal-{journey_id}-{customer}", "customer_id": customer, "type": goal,
                    "ts": (started + timedelta(hours=12)).isoformat(), "channel": "web",
                    "properties": {"revenue": 120.0},
                })  # fmt: skip
        ds = dataset("events")
        assert not load_rows(conn, ds, validate(ds, enumerate(events, start=1))).rejects
    counts = {arm: sum(1 for _, a, _ in arms if a == arm) for arm in ("treatment", "holdout")}
    return {**counts, **{f"{arm}_converted": n for arm, n in converted.items()}}
