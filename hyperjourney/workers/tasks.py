"""The jobs the workers run (procrastinate): agent runs, and per tenant journey ticks, outbox dispatch,
retraining and drift.

Every job names its tenant and is safe to run twice or side by side: a tick serialises on the tenant's cursor
row and claims due enrollments with SKIP LOCKED, dispatch claims actions under a lease and sends with the
action's idempotency key, a retrain or a drift measurement stores a newer version. So a worker killed
mid-job loses nothing: the next tick or sweep redoes what it had not committed.

New events and outbox actions queue their tick or dispatch in the writing transaction (migration 0019);
the sweeps below catch what only time makes due (timers, backoffs, deferred sends) and run the schedules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from procrastinate import App, BaseConnector, JobContext

from hyperjourney.api.runs_service import tapped
from hyperjourney.channels.adapters import Adapter, build_adapters
from hyperjourney.channels.dispatcher import Dispatcher
from hyperjourney.db.database import Database
from hyperjourney.features.store import refresh_all
from hyperjourney.graphs import runs
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.journeys.runner import JourneyRunner
from hyperjourney.monitoring.store import save_drift
from hyperjourney.monitoring.tenant_drift import measure
from hyperjourney.scoring.service import score_all
from hyperjourney.scoring.train import train_all
from hyperjourney.settings import Settings
from hyperjourney.workers import queue
from hyperjourney.workers.stalled import retry_stalled

TICK, DISPATCH, RETRAIN, DRIFT = (
    "hyperjourney.journey_tick",
    "hyperjourney.dispatch_outbox",
    "hyperjourney.retrain",
    "hyperjourney.measure_drift",
)
QUEUES = {TICK: "journeys", DISPATCH: "outbox", RETRAIN: "models", DRIFT: "models", queue.RUN_GRAPH: queue.RUNS_QUEUE}


@dataclass
class WorkerEnv:
    """What every job of one worker process shares: the database pool, settings and channel adapters."""

    db: Database
    settings: Settings
    adapters: dict[str, Adapter]

    @classmethod
    def build(cls, db: Database, settings: Settings) -> WorkerEnv:
        return cls(db, settings, build_adapters(settings))


def _env(context: JobContext) -> WorkerEnv:
    env = context.additional_context["env"]
    assert isinstance(env, WorkerEnv)
    return env


def defer_for_every_tenant(db: Database, task: str) -> int:
    """Queue ``task`` once per tenant (a tenant that already has one waiting keeps it); returns the tenants."""
    with db.admin() as conn:
        rows = conn.execute("SELECT defer_tenant_job(%s, %s, tenant_id) FROM tenants", (QUEUES[task], task))
        return len(rows.fetchall())


def journey_tick(context: JobContext, tenant: str) -> None:
    JourneyRunner(_env(context).db, tenant).tick(datetime.now(UTC))


def dispatch_outbox(context: JobContext, tenant: str) -> None:
    env = _env(context)
    Dispatcher(env.db, tenant, env.adapters, env.settings.channels).run(drain=False)


def retrain(context: JobContext, tenant: str) -> None:
    """Refresh features, train what the data supports, rescore every customer when a model changed."""
    env = _env(context)
    refresh_all(env.db, tenant)
    if train_all(env.db, tenant, scoring=env.settings.scoring).versions:
        score_all(env.db, tenant)


def measure_drift(context: JobContext, tenant: str) -> None:
    with _env(context).db.tenant(tenant) as conn:
        report = measure(conn)
        if report.readings:
            save_drift(conn, report)


def run_graph(context: JobContext, tenant: str, flow: str, value: str) -> None:
    """A run the API queued: its id reaches the API at the first recorded step, or the error that came first."""
    env, job_id = _env(context), context.job.id
    assert job_id is not None
    known: list[str] = []

    def tap(run_id: str) -> None:
        if not known:
            with env.db.tenant(tenant) as conn:
                queue.record_run_id(conn, job_id, run_id)
            known.append(run_id)

    deps = tapped(build_deps(env.db, env.settings), tap)
    start = runs.start_canvas if flow == "canvas" else runs.start_copilot
    try:
        start(env.db, tenant, value, deps=deps)
    except Exception as exc:
        with env.db.tenant(tenant) as conn:
            queue.record_error(conn, job_id, str(exc), bad_input=isinstance(exc, ValueError))
        if not isinstance(exc, ValueError):
            raise


def schedule_sweep(context: JobContext, timestamp: int) -> None:
    env = _env(context)
    db = env.db
    defer_for_every_tenant(db, TICK)
    defer_for_every_tenant(db, DISPATCH)
    with db.admin() as conn:  # jobs of dead workers run again; a rate bucket idle a day is full again
        retry_stalled(conn, env.settings.workers.stalled_after_s)
        conn.execute("DELETE FROM api_rate_buckets WHERE updated < now() - interval '1 day'")


def schedule_retrain(context: JobContext, timestamp: int) -> None:
    defer_for_every_tenant(_env(context).db, RETRAIN)


def schedule_drift(context: JobContext, timestamp: int) -> None:
    defer_for_every_tenant(_env(context).db, DRIFT)


def build_app(settings: Settings, connector: BaseConnector) -> App:
    """The queue's tasks, with the schedules set by the crons in ``settings.workers``."""
    app = App(connector=connector)
    tasks: dict[str, Callable[..., None]] = {
        TICK: journey_tick,
        DISPATCH: dispatch_outbox,
        RETRAIN: retrain,
        DRIFT: measure_drift,
        queue.RUN_GRAPH: run_graph,
    }
    for name, func in tasks.items():
        app.task(name=name, queue=QUEUES[name], pass_context=True)(func)
    w = settings.workers
    for cron, schedule in (
        (w.sweep_cron, schedule_sweep),
        (w.retrain_cron, schedule_retrain),
        (w.drift_cron, schedule_drift),
    ):
        task = app.task(name=f"hyperjourney.{schedule.__name__}", queue="schedule", pass_context=True)(schedule)
        app.periodic(cron=cron)(task)
    return app
