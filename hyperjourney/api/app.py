"""The headless API: an app factory over a Database and Settings, so tests and `serve` build the same thing."""

from __future__ import annotations

from importlib.util import find_spec

from fastapi import FastAPI

from hyperjourney import __version__
from hyperjourney.api import (
    decisions_routes,
    docs_routes,
    events_routes,
    health_routes,
    observability,
    problems,
    scores_routes,
    segment_routes,
)
from hyperjourney.api.ratelimit import RateLimiter
from hyperjourney.db.database import Database
from hyperjourney.settings import Settings

DESCRIPTION = (
    "Start and stream agent runs, resume approvals, ask for next-best actions, ingest events and search the "
    "knowledge base. Every /v1 route needs `Authorization: Bearer <tenant API key>`; /health, /ready, /metrics "
    "and these docs do not. Errors are application/problem+json naming the field at fault as the request names it."
)


def create_app(db: Database, settings: Settings, *, require_workers: bool = False) -> FastAPI:
    """``require_workers``: /ready also needs a live worker (``serve``, whose runs and journeys they carry)."""
    app = FastAPI(title="hyperjourney API", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None)
    app.state.db = db
    app.state.settings = settings
    app.state.require_workers = require_workers
    app.add_middleware(observability.RequestContext)
    app.state.limiter = RateLimiter(db, settings.api.rate_per_second, settings.api.burst)
    a = settings.assistant
    app.state.assistant_tenant_limiter = RateLimiter(db, a.tenant_rate_per_second, a.tenant_burst)
    app.state.assistant_visitor_limiter = RateLimiter(db, a.visitor_rate_per_second, a.visitor_burst)
    problems.install(app)
    docs_routes.install(app)
    app.include_router(health_routes.router)
    app.include_router(observability.router)
    app.include_router(events_routes.router)
    app.include_router(segment_routes.router)
    app.include_router(decisions_routes.router)
    app.include_router(scores_routes.router)
    if installed("hyperjourney.knowledge.search"):
        from hyperjourney.api import dashboard_routes, knowledge_routes

        app.include_router(knowledge_routes.router)
        app.include_router(dashboard_routes.router)
    if installed("hyperjourney.graphs.runs"):
        from hyperjourney.api import runs_routes

        app.include_router(runs_routes.router)
    if installed("hyperjourney.graphs.assistant"):
        from hyperjourney.api import conversations_routes, widget_routes

        app.include_router(conversations_routes.router)
        app.include_router(widget_routes.router)
        app.add_middleware(widget_routes.AssistantCors)
    return app


def installed(module: str) -> bool:
    """Routes over another part's facade exist only where that part is installed."""
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False
