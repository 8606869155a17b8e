"""Who may call: a tenant's API key on every /v1 route, within that key's rate.

Requests without a valid key (none, unknown, revoked, expired) spend tokens of their client address's
bucket: once an address has spent its burst of failures, its requests without a valid key get 429 instead
of 401, while valid keys from the same address (one office behind NAT) keep their own rate.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hyperjourney.api.keys import KeyExpiredError, Principal, authenticate
from hyperjourney.api.problems import ApiProblem
from hyperjourney.api.ratelimit import RateLimiter, retry_after_seconds
from hyperjourney.db.database import Database
from hyperjourney.review.roles import can

bearer = HTTPBearer(auto_error=False, description="A tenant API key from `hyperjourney apikeys create`")


def principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """Authenticate the key, then spend one token of its rate limit (of the address's, when it fails)."""
    limiter: RateLimiter = request.app.state.limiter
    found = _authenticated(request.app.state.db, credentials)
    if isinstance(found, ApiProblem):
        address = f"ip:{request.client.host if request.client else 'unknown'}"
        _within(limiter.acquire(address), "this address sent too many requests without a valid key")
        raise found
    _within(limiter.acquire(found.key_id), "rate limit for this key exceeded")
    if found.role == "widget":
        raise ApiProblem(403, "Forbidden", "a widget key may only call the assistant's /v1/conversations routes")
    return found


def widget(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    """The assistant's routes: a widget key (publishable, embedded in a site) or a reviewer key, within the
    tenant's assistant rate (every visitor of the site shares the key; each visitor has a rate of their own)."""
    limiter: RateLimiter = request.app.state.limiter
    found = _authenticated(request.app.state.db, credentials)
    if isinstance(found, ApiProblem):
        address = f"ip:{request.client.host if request.client else 'unknown'}"
        _within(limiter.acquire(address), "this address sent too many requests without a valid key")
        raise found
    if found.role not in ("widget", "reviewer"):
        raise ApiProblem(403, "Forbidden", "the assistant's routes need a widget or reviewer key")
    tenant_limiter: RateLimiter = request.app.state.assistant_tenant_limiter
    _within(tenant_limiter.acquire(f"assistant:{found.tenant}"), "the assistant's rate for this site is exceeded")
    return found


def within_visitor_rate(request: Request, who: Principal, visitor_id: str) -> None:
    """One token of the visitor's own bucket: one busy visitor cannot use up the site's rate."""
    limiter: RateLimiter = request.app.state.assistant_visitor_limiter
    _within(limiter.acquire(f"visitor:{who.tenant}:{visitor_id}"), "too many messages from this visitor")


def _authenticated(db: Database, credentials: HTTPAuthorizationCredentials | None) -> Principal | ApiProblem:
    """The key's principal, or the 401 that says what is wrong with it."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        return _unauthorized("send `Authorization: Bearer <API key>`")
    try:
        found = authenticate(db, credentials.credentials)
    except KeyExpiredError as exc:
        return _unauthorized(f"{exc}; create a new one with `hyperjourney apikeys create`")
    return found if found is not None else _unauthorized("the API key is unknown or revoked")


def _within(wait: float, why: str) -> None:
    """429 with ``Retry-After`` in whole seconds (at least 1) when ``wait`` is not 0."""
    if wait > 0:
        seconds = retry_after_seconds(wait)
        problem = ApiProblem(429, "Too many requests", f"{why}; retry after {seconds} s")
        problem.headers = {"Retry-After": str(seconds)}
        raise problem


def reviewer(who: Annotated[Principal, Depends(principal)]) -> Principal:
    """Routes that change state (ingest, start or resume runs) need a reviewer key."""
    if not can(who.role, "write"):
        raise ApiProblem(403, "Forbidden", "this key has the viewer role; a reviewer key is needed")
    return who


def _unauthorized(detail: str) -> ApiProblem:
    problem = ApiProblem(401, "Unauthorized", detail)
    problem.headers = {"WWW-Authenticate": "Bearer"}
    return problem


Caller = Annotated[Principal, Depends(principal)]
Reviewer = Annotated[Principal, Depends(reviewer)]
Widget = Annotated[Principal, Depends(widget)]
