"""The scale benchmark's verdicts come from the receiver's log checked against the database: a missing, repeated,
unconsented or over-cap email each shows up in its own count (the benchmark itself is not run in the suite)."""

from __future__ import annotations

import uuid

from bench.scale_bench import address, check, consentless, expected, setup
from hyperjourney.channels.inbox import Received
from hyperjourney.db.database import Database


def mail(to: str, key: str, at: float) -> Received:
    return Received(to=to, key=key, subject="Welcome", body="Glad to have you.", at=at)


def test_lost_duplicated_consent_and_cap_violations_are_counted(db: Database) -> None:
    phase = setup(db, 1, 40, prefix=f"sc{uuid.uuid4().hex[:6]}")
    tenant = phase.tenants[0]
    everyone = [address(t, c) for t in phase.tenants for c in phase.customers[t]]
    phase.first_post, phase.started = dict.fromkeys(everyone, 100.0), 100.0
    wanted = sorted(expected(phase))
    assert len(wanted) == 36  # every 10th customer has no consent
    unconsented = address(tenant, phase.customers[tenant][9])
    assert consentless(9) and unconsented not in wanted
    received = [mail(to, f"k:{to}", 100.0 + i) for i, to in enumerate(wanted[1:], start=1)]  # wanted[0] lost
    received.append(mail(wanted[1], f"k:{wanted[1]}", 200.0))  # the same key again: a duplicate (and over cap)
    received.append(mail(wanted[2], "k:other", 201.0))  # a second email under another key: over cap
    received.append(mail(unconsented, f"k:{unconsented}", 202.0))
    outcome = check(db, phase, received, last=202.0)
    assert (outcome.lost, outcome.duplicated, outcome.consent_violations, outcome.cap_violations) == (1, 1, 1, 2)
    assert outcome.sends == 36 and outcome.seconds == 102.0
