"""GET /v1/leads/{lead_id} and GET /v1/health."""

from __future__ import annotations

from contextlib import AbstractContextManager

from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.api.auth import Signed, remember, signed
from scoring.api.deps import get_gate, get_pipeline, get_session, get_settings
from scoring.api.leads import lead_view
from scoring.api.openapi import signed_by
from scoring.api.problems import RESPONSES, ErrorBody
from scoring.api.schemas.leads import Health, LeadView
from scoring.api.transaction import committed
from scoring.db.models import HandoffOutbox
from scoring.handoff.qualify import Pipeline
from scoring.handoff.scorer import RulebookScorer
from scoring.handoff.settings import ServiceSettings

router = APIRouter(tags=["leads"])


@router.get(
    "/v1/leads/{lead_id}",
    response_model=LeadView,
    responses={**RESPONSES, 404: {"model": ErrorBody, "description": "no such lead"}},
    openapi_extra=signed_by("leads:read"),
    summary="A lead: stage, owner, score with explanation, history and handoffs",
)
def get_lead(
    lead_id: int = Path(ge=1, le=2**63 - 1),
    request: Signed = Depends(signed("leads:read")),
    session: Session = Depends(get_session),
    settings: ServiceSettings = Depends(get_settings),
    pipeline: Pipeline = Depends(get_pipeline),
    gate: AbstractContextManager[object] = Depends(get_gate),
) -> LeadView:
    """Signed like every other call (over an empty body), with its own nonce: one signed header
    set reads one lead once. Needs the `leads:read` scope."""
    committed(session, lambda s: remember(s, request.caller, settings.tolerance_s), gate=gate)
    rulebook = pipeline.scorer.rulebook if isinstance(pipeline.scorer, RulebookScorer) else None
    return lead_view(session, lead_id, rulebook)


@router.get(
    "/v1/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "a check fails; `checks` says which"}},
    summary="Liveness, storage, schema and queue depth",
)
def get_health(
    request: Request,
    session: Session = Depends(get_session),
    pipeline: Pipeline = Depends(get_pipeline),
) -> Health | JSONResponse:
    """Unauthenticated: whether the database answers and can be written, how many handoffs wait
    or died. 503 when a check fails, with the failing check named in `checks`."""
    counts = dict(
        session.execute(
            select(HandoffOutbox.status, func.count()).group_by(HandoffOutbox.status)
        ).all()
    )
    connection = session.connection()
    checks = {"database": "ok", "storage": request.app.state.storage.check(connection)}
    failing = any(value != "ok" for value in checks.values())
    health = Health(
        status="failing" if failing else "ok",
        checks=checks,
        database=connection.dialect.name,
        schema_revision=MigrationContext.configure(connection).get_current_revision(),
        contract_version=pipeline.contract.version,
        rulebook_version=pipeline.scorer.version,
        pending_handoffs=counts.get("pending", 0),
        dead_handoffs=counts.get("dead", 0),
    )
    if failing:
        return JSONResponse(health.model_dump(), status_code=503)
    return health
