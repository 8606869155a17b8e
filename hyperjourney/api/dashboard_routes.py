"""GET /v1/dashboards/{growth|brand|sales|data}: role dashboards as HTML pages, bound to the key's tenant.

Any key of the tenant (viewer or reviewer) may look; a key only ever sees its own tenant's figures (every
query runs under its tenant's row-level security).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hyperjourney.api import dashboard_data, dashboard_html
from hyperjourney.api.auth import Caller
from hyperjourney.api.dashboard_data import Dashboard
from hyperjourney.api.problems import PROBLEM_RESPONSES
from hyperjourney.db.database import Database

router = APIRouter(tags=["dashboards"], responses=PROBLEM_RESPONSES)


@router.get("/v1/dashboards/{name}", response_class=HTMLResponse, summary="A role dashboard (HTML)")
def dashboard(name: Dashboard, request: Request, who: Caller) -> HTMLResponse:
    """Growth, Brand, Sales or Data, from the same tables the product writes, with inline SVG charts."""
    db: Database = request.app.state.db
    if name == "growth":
        body = dashboard_html.growth(dashboard_data.growth(db, who.tenant))
    elif name == "brand":
        body = dashboard_html.brand(dashboard_data.brand(db, who.tenant))
    elif name == "sales":
        body = dashboard_html.sales(dashboard_data.sales(db, who.tenant))
    else:
        body = dashboard_html.data(dashboard_data.data(db, who.tenant))
    return HTMLResponse(dashboard_html.page(name, who.tenant, body), headers={"Cache-Control": "no-store"})
