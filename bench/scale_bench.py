"""The scale test (issue 19.4): 2 API processes and 1, 2 then 4 worker processes against one Postgres, a local
SMTP server refusing 10% of sends (451, transient), events posted through ``/v1/events`` that trigger a
journey for every customer. Each worker count gets its own tenants and customers; the figures come from the
receiver's log checked against the database: throughput (ratio to 1 worker, same run), p95 event-to-send
latency, and lost, duplicated, consent- and cap-violating sends, which must all be 0.

`python -m bench scale` runs the default size (minutes on two shared cores); `--full` the issue's size
(100,000 events for 20,000 customers per worker count).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import yaml
from rich.console import Console

from bench.report import Figure, scratch_database
from hyperjourney.api.keys import create_key
from hyperjourney.channels.inbox import LocalInbox, Received, free_port
from hyperjourney.db.database import Database
from hyperjourney.journeys import store
from hyperjourney.journeys.definition import JourneyDefinition
from hyperjourney.journeys.runner import JourneyRunner
from hyperjourney.policy.store import DEMO_POLICY_FILE, store_policy
from hyperjourney.workers.run import (
    database_now,
    spawn_api,
    spawn_workers,
    stop_workers,
    wait_for_api,
    wait_for_workers,
)

WORKER_COUNTS = (1, 2, 4)
TENANTS = 4
"""Tenants per worker count: a tenant's journey ticks take turns on its cursor, so tenants are what spread."""
NO_CONSENT_EVERY = 10
"""Every 10th customer has no email consent: any mail to one is a consent violation."""
BATCH = 200
REFUSE_SHARE = 0.10
SETTLE_TIMEOUT_S = 900.0

JOURNEY = JourneyDefinition.model_validate(
    {
        "id": "scale-welcome",
        "name": "Welcome (scale benchmark)",
        "trigger": {"event": "signed_up"},
        "start": "hello",
        "steps": [
            {"type": "action", "id": "hello", "channel": "email", "why": "you just signed up", "next": "done",
             "variants": [{"name": "a", "subject": "Welcome", "body": "Glad to have you."}]},
            {"type": "exit", "id": "done", "reason": "welcomed"},
        ],
        "caps": {"max_actions": 1, "window_days": 7, "reenter_after_days": 7},
        "goal": {"event": "upgraded", "within_hours": 24},
        "holdout_share": 0,
    }
)  # fmt: skip
CAP = 1
"""Sends one customer may get: the journey's max_actions (the policy's email cap is 1 a day as well)."""

WORKER_ENV = {
    "HYPERJOURNEY_CHANNELS__SMTP_HOST": "127.0.0.1",
    "HYPERJOURNEY_CHANNELS__BACKOFF_BASE_S": "0.2",
    "HYPERJOURNEY_CHANNELS__MAX_ATTEMPTS": "12",
    "HYPERJOURNEY_WORKERS__SWEEP_CRON": "* * * * * *",
    "HYPERJOURNEY_WORKERS__POLL_S": "0.5",
}
API_ENV = {"HYPERJOURNEY_API__RATE_PER_SECOND": "100000", "HYPERJOURNEY_API__BURST": "100000"}


@dataclass
class Phase:
    workers: int
    tenants: list[str]
    keys: dict[str, str]
    customers: dict[str, list[str]]
    first_post: dict[str, float] = field(default_factory=dict)
    """recipient address -> when the request carrying its customer's first event was sent"""
    started: float = 0.0


@dataclass(frozen=True)
class Outcome:
    workers: int
    sends: int
    seconds: float
    p95_latency_s: float
    lost: int
    duplicated: int
    consent_violations: int
    cap_violations: int
    dead: int


def address(tenant: str, customer: str) -> str:
    return f"{customer}@{tenant}.example.com"


def _policy_yaml() -> str:
    """The demo policy without its email send window (the benchmark runs at any hour), caps and consent kept."""
    from importlib import resources

    doc = yaml.safe_load((resources.files("hyperjourney.policy") / DEMO_POLICY_FILE).read_text(encoding="utf-8"))
    doc["version"] = "scale-bench-1"
    doc.pop("send_windows", None)
    doc["budgets"] = {"per_campaign_default": 10**9, "per_day": 10**9}
    return yaml.safe_dump(doc)


def setup(db: Database, workers: int, customers: int, prefix: str = "scale") -> Phase:
    """The phase's tenants: customers (every 10th without consent), email identities, the policy, the journey."""
    tenants = [f"{prefix}-w{workers}-t{k}" for k in range(TENANTS)]
    phase = Phase(workers, tenants, {}, {})
    policy = _policy_yaml()
    for k, tenant in enumerate(tenants):
        db.create_tenant(tenant)
        ids = [f"c{i}" for i in range(k, customers, TENANTS)]
        phase.customers[tenant] = ids
        store_policy(db, tenant, policy, source="scale-bench", actor="bench")
        with db.tenant(tenant) as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO customers (tenant_id, customer_id, created_at) VALUES (current_tenant(), %s, now())",
                [(c,) for c in ids],
            )
            cur.executemany(
                "INSERT INTO identities (tenant_id, customer_id, kind, value, raw_value) "
                "VALUES (current_tenant(), %s, 'email', %s, %s)",
                [(c, address(tenant, c), address(tenant, c)) for c in ids],
            )
            cur.executemany(
                "INSERT INTO consents (tenant_id, customer_id, channel, purpose, status, source, captured_at) "
                "VALUES (current_tenant(), %s, 'email', 'marketing', 'granted', 'bench', now() - interval '1 day')",
                [(c,) for i, c in enumerate(ids) if not consentless(i)],
            )
            JourneyRunner(db, tenant).start_cursor_here(conn)
            store.save(conn, JOURNEY, actor="bench")
        phase.keys[tenant] = create_key(db, tenant, "scale-bench", "reviewer", actor="bench").token
    return phase


def consentless(index: int) -> bool:
    return index % NO_CONSENT_EVERY == NO_CONSENT_EVERY - 1


def _batches(phase: Phase, events: int) -> list[tuple[str, list[dict[str, object]]]]:
    """Per tenant, its share of the events: customer after customer, round after round (5 each by default)."""
    now = datetime.now(UTC)
    out: list[tuple[str, list[dict[str, object]]]] = []
    per_tenant = events // len(phase.tenants)
    for tenant in phase.tenants:
        ids = phase.customers[tenant]
        evs: list[dict[str, object]] = [
            {"event_id": f"e{i}", "customer_id": ids[i % len(ids)], "type": "signed_up",
             "ts": (now + timedelta(milliseconds=i)).isoformat(), "properties": {"round": i // len(ids)}}
            for i in range(per_tenant)
        ]  # fmt: skip
        out.extend((tenant, evs[j : j + BATCH]) for j in range(0, len(evs), BATCH))
    # interleave the tenants, as independent sources would
    return sorted(out, key=lambda tb: (int(str(tb[1][0]["event_id"])[1:]), tb[0]))


def _post_all(phase: Phase, ports: list[int], batches: list[tuple[str, list[dict[str, object]]]]) -> None:
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{p}", timeout=120) for p in ports]

    def post(item: tuple[int, tuple[str, list[dict[str, object]]]]) -> None:
        n, (tenant, evs) = item
        sent = time.time()
        for e in evs:
            phase.first_post.setdefault(address(tenant, str(e["customer_id"])), sent)
        reply = clients[n % len(clients)].post(
            "/v1/events", json={"events": evs}, headers={"Authorization": f"Bearer {phase.keys[tenant]}"}
        )
        reply.raise_for_status()
        assert reply.json()["inserted"] == len(evs), reply.text

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(post, enumerate(batches)))
    finally:
        for c in clients:
            c.close()


def expected(phase: Phase) -> set[str]:
    return {address(t, c) for t in phase.tenants for i, c in enumerate(phase.customers[t]) if not consentless(i)}


def _open_actions(db: Database, phase: Phase) -> tuple[int, int]:
    """(outbox actions not final yet, dead letters) over the phase's tenants."""
    waiting = dead = 0
    for tenant in phase.tenants:
        with db.tenant(tenant) as conn:
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE status IN ('pending', 'sending')), "
                "count(*) FILTER (WHERE status = 'dead') FROM outbox"
            ).fetchone()
        assert row is not None
        waiting, dead = waiting + int(row[0]), dead + int(row[1])
    return waiting, dead


def _settle(db: Database, phase: Phase, inbox: LocalInbox) -> float:
    """Wait until every expected email arrived and nothing is left to send; returns the last arrival time."""
    wanted = expected(phase)
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while time.monotonic() < deadline:
        got = {m.to for m in inbox.received if m.to in phase.first_post}
        if got >= wanted and _open_actions(db, phase)[0] == 0:
            break
        time.sleep(0.5)
    time.sleep(2.0)  # a late duplicate would land now
    return max((m.at for m in inbox.received if m.to in phase.first_post), default=time.time())


def check(db: Database, phase: Phase, received: list[Received], last: float) -> Outcome:
    """The receiver's log against the database: what arrived for whom, and whether it was allowed."""
    mine = [m for m in received if m.to in phase.first_post]
    per_key = Counter(m.key for m in mine)
    per_to = Counter(m.to for m in mine)
    granted: set[str] = set()
    for tenant in phase.tenants:  # consent as the database holds it, not as the benchmark meant it
        with db.tenant(tenant) as conn:
            granted |= {
                address(tenant, r[0])
                for r in conn.execute(
                    "SELECT customer_id FROM consents WHERE channel = 'email' AND purpose = 'marketing' "
                    "AND status = 'granted'"
                )
            }
    wanted = expected(phase)
    firsts = {}
    for m in mine:
        firsts.setdefault(m.to, m.at)
    latencies = sorted(firsts[to] - phase.first_post[to] for to in firsts)
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else float("nan")
    return Outcome(
        workers=phase.workers,
        sends=len(per_to),
        seconds=last - phase.started,
        p95_latency_s=p95,
        lost=len(wanted - set(per_to)),
        duplicated=sum(n - 1 for n in per_key.values()),
        consent_violations=sum(1 for to in per_to if to not in granted),
        cap_violations=sum(1 for n in per_to.values() if n > CAP),
        dead=_open_actions(db, phase)[1],
    )


def _warm_up(db: Database, ports: list[int]) -> None:
    """One batch to each API first (a tenant without journeys): its first request imports what it lazily needs."""
    db.create_tenant("scale-warm-up")
    with db.tenant("scale-warm-up") as conn:
        conn.execute(
            "INSERT INTO customers (tenant_id, customer_id, created_at) VALUES (current_tenant(), 'c0', now())"
        )
    key = create_key(db, "scale-warm-up", "scale-bench", "reviewer", actor="bench").token
    now = datetime.now(UTC).isoformat()
    for n, port in enumerate(ports):
        evs = [{"event_id": f"w{n}-{i}", "customer_id": "c0", "type": "page_view", "ts": now} for i in range(BATCH)]
        reply = httpx.post(
            f"http://127.0.0.1:{port}/v1/events",
            json={"events": evs},
            headers={"Authorization": f"Bearer {key}"},
            timeout=120,
        )
        reply.raise_for_status()


def measure(db: Database, *, events: int, customers: int, console: Console | None = None) -> list[Outcome]:
    """Run every worker count on ``db``; one Outcome each."""
    say = (console or Console(stderr=True)).print
    outcomes: list[Outcome] = []
    ports = [free_port(), free_port()]
    with LocalInbox(refuse_share=REFUSE_SHARE, seed=19) as inbox:
        apis = [spawn_api(db, p, workers=0, env=API_ENV) for p in ports]
        try:
            for p in ports:
                wait_for_api(p)
            _warm_up(db, ports)
            for n in WORKER_COUNTS:
                phase = setup(db, n, customers)
                batches = _batches(phase, events)
                since = database_now(db)
                env = {**WORKER_ENV, "HYPERJOURNEY_CHANNELS__SMTP_PORT": str(inbox.port)}
                workers = spawn_workers(db, n, env, quiet=True)
                try:
                    wait_for_workers(db, n, since)
                    phase.started = time.time()
                    _post_all(phase, ports, batches)
                    last = _settle(db, phase, inbox)
                finally:
                    stop_workers(workers)
                outcome = check(db, phase, list(inbox.received), last)
                say(f"  {n} worker(s): {outcome}")
                outcomes.append(outcome)
        finally:
            stop_workers(apis)
    return outcomes


def run(full: bool = False) -> list[Figure]:
    events, customers = (100_000, 20_000) if full else (2_000, 400)
    with scratch_database() as db:
        assert isinstance(db, Database)
        outcomes = measure(db, events=events, customers=customers)
    base = outcomes[0].sends / outcomes[0].seconds
    figures: list[Figure] = []
    for o in outcomes:
        clean = o.lost == o.duplicated == o.consent_violations == o.cap_violations == 0
        figures.append(
            Figure(
                f"scale {events:,} ev/{customers:,} cust, {o.workers} worker(s), 2 APIs: p95 event→send "
                f"{o.p95_latency_s:.1f} s; lost {o.lost}, dup {o.duplicated}, consent {o.consent_violations}, "
                f"cap {o.cap_violations}, dead {o.dead}",
                o.sends / o.seconds,
                "sends/s",
                "0 lost/dup/consent/cap",
                baseline=base,
                meets_target=clean,
            )
        )
    return figures
