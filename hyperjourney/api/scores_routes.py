"""GET /v1/customers/{customer_id}/scores: the same scores, confidences and reasons as `models score ID`."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hyperjourney.api.auth import Caller
from hyperjourney.api.problems import PROBLEM_RESPONSES, ApiProblem
from hyperjourney.db.database import Database
from hyperjourney.scoring.schema import CustomerScores
from hyperjourney.scoring.scorer import ModelsNotTrainedError
from hyperjourney.scoring.service import score_customer

router = APIRouter(tags=["scores"], responses=PROBLEM_RESPONSES)


@router.get("/v1/customers/{customer_id}/scores", response_model=CustomerScores, summary="One customer's scores")
def customer_scores(customer_id: str, request: Request, who: Caller) -> CustomerScores:
    """Every active model's score with its confidence and reasons, the segment and any stale features."""
    db: Database = request.app.state.db
    try:
        return score_customer(db, who.tenant, customer_id)
    except ModelsNotTrainedError as exc:
        raise ApiProblem(409, "Models not trained", str(exc)) from exc
    except ValueError as exc:
        raise ApiProblem(404, "Not found", str(exc), field="customer_id") from exc
