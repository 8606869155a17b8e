"""GET /v1/knowledge/search: the tenant's knowledge base, hybrid (vector + keyword) by default, with citation ids."""

from __future__ import annotations

import re
from typing import Literal

from fastapi import APIRouter, Query, Request

from hyperjourney.api.auth import Caller
from hyperjourney.api.problems import PROBLEM_RESPONSES, ApiProblem
from hyperjourney.knowledge.models import Hit, KnowledgeError, SearchFilters
from hyperjourney.knowledge.search import search

router = APIRouter(tags=["knowledge"], responses=PROBLEM_RESPONSES)


@router.get("/v1/knowledge/search", response_model=list[Hit], summary="Search the knowledge base")
def knowledge_search(
    request: Request,
    who: Caller,
    q: str = Query(..., min_length=1, max_length=1000, description="what to look for"),
    k: int = Query(8, ge=1, le=50),
    mode: Literal["hybrid", "vector", "keyword"] = Query("hybrid"),
    doc_type: list[str] | None = Query(None, max_length=20, description="repeat for several, e.g. faq, case_study"),
    region: str | None = Query(None, max_length=20),
    language: str | None = Query(None, min_length=2, max_length=5),
    max_age_days: int | None = Query(None, ge=0, le=36500),
) -> list[Hit]:
    """Each hit carries its `citation_id` (`<document_id>#<chunk_index>`), the id copy cites as `[cite:…]`."""
    filters = SearchFilters(doc_type=doc_type, region=region, language=language, max_age_days=max_age_days)
    try:
        return search(request.app.state.db, who.tenant, q, filters=filters, k=k, mode=mode)
    except KnowledgeError as exc:
        raise ApiProblem(422, "Invalid request", str(exc), field=_parameter(str(exc))) from exc


_NAMED = re.compile(r"^(?:unknown (doc_type|region|language) |bad search filter (\w+)|(k) must|unknown search (mode))")


def _parameter(message: str) -> str:
    """The query parameter a search error is about (a region filter no document has is `region`, not `q`)."""
    match = _NAMED.match(message)
    return next((g for g in match.groups() if g), "q") if match else "q"
