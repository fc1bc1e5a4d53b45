"""GET /v1/leads/{lead_id} and GET /v1/health."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.api.auth import authenticate
from scoring.api.deps import get_pipeline, get_session, get_settings
from scoring.api.leads import lead_view
from scoring.api.openapi import SIGNED
from scoring.api.problems import RESPONSES, ErrorBody
from scoring.api.schemas.leads import Health, LeadView
from scoring.db.models import HandoffOutbox
from scoring.handoff.qualify import Pipeline
from scoring.handoff.scorer import RulebookScorer
from scoring.handoff.settings import ServiceSettings

router = APIRouter(tags=["leads"])


@router.get(
    "/v1/leads/{lead_id}",
    response_model=LeadView,
    responses={**RESPONSES, 404: {"model": ErrorBody, "description": "no such lead"}},
    openapi_extra=SIGNED,
    summary="A lead: stage, owner, score with explanation, history and handoffs",
)
def get_lead(
    request: Request,
    lead_id: int = Path(ge=1, le=2**63 - 1),
    session: Session = Depends(get_session),
    settings: ServiceSettings = Depends(get_settings),
    pipeline: Pipeline = Depends(get_pipeline),
) -> LeadView:
    """Signed like every other call (over an empty body)."""
    authenticate(settings, request.headers, b"")
    rulebook = pipeline.scorer.rulebook if isinstance(pipeline.scorer, RulebookScorer) else None
    return lead_view(session, lead_id, rulebook)


@router.get("/v1/health", response_model=Health, summary="Liveness, schema and queue depth")
def get_health(
    session: Session = Depends(get_session),
    pipeline: Pipeline = Depends(get_pipeline),
) -> Health:
    """Unauthenticated: says whether the database answers and how many handoffs wait or died."""
    counts = dict(
        session.execute(
            select(HandoffOutbox.status, func.count()).group_by(HandoffOutbox.status)
        ).all()
    )
    connection = session.connection()
    return Health(
        status="ok",
        database=connection.dialect.name,
        schema_revision=MigrationContext.configure(connection).get_current_revision(),
        contract_version=pipeline.contract.version,
        rulebook_version=pipeline.scorer.version,
        pending_handoffs=counts.get("pending", 0),
        dead_handoffs=counts.get("dead", 0),
    )
