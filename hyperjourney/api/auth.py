"""Who may call: a tenant's API key on every route but /health, within that key's rate."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hyperjourney.api.keys import Principal, authenticate
from hyperjourney.api.problems import ApiProblem
from hyperjourney.api.ratelimit import RateLimiter
from hyperjourney.db.database import Database
from hyperjourney.review.roles import can

bearer = HTTPBearer(auto_error=False, description="A tenant API key from `hyperjourney apikeys create`")


def principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """Authenticate the key, then spend one token of its rate limit."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("send `Authorization: Bearer <API key>`")
    db: Database = request.app.state.db
    found = authenticate(db, credentials.credentials)
    if found is None:
        raise _unauthorized("the API key is unknown or revoked")
    limiter: RateLimiter = request.app.state.limiter
    wait = limiter.acquire(found.key_id)
    if wait > 0:
        problem = ApiProblem(429, "Too many requests", f"rate limit for this key exceeded; retry in {wait:.1f} s")
        problem.headers = {"Retry-After": limiter.retry_after_header(wait)}
        raise problem
    return found


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
