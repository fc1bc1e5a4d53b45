"""POST /v1/events: batched lead upserts and activity events from marketing systems and web tracking."""

from __future__ import annotations

from contextlib import AbstractContextManager

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from scoring.api.auth import Signed, remember, signed
from scoring.api.deps import get_gate, get_pipeline, get_session, get_settings
from scoring.api.ingest import apply_events
from scoring.api.openapi import json_body, signed_by
from scoring.api.parsing import parse_batch
from scoring.api.problems import RESPONSES, error_response
from scoring.api.schemas.events import BatchResult, EventBatch
from scoring.api.transaction import committed
from scoring.handoff.qualify import Pipeline
from scoring.handoff.settings import ServiceSettings
from scoring.metrics import count_events
from scoring.signals import utcnow

router = APIRouter(tags=["events"])


@router.post(
    "/v1/events",
    response_model=BatchResult,
    responses={
        **RESPONSES,
        422: RESPONSES[422] | {"description": "no event of the batch is valid"},
    },
    openapi_extra={**json_body(EventBatch), **signed_by("events:write")},
    summary="Ingest a batch of lead upserts and activities",
)
def post_events(
    request: Signed = Depends(signed("events:write")),
    session: Session = Depends(get_session),
    settings: ServiceSettings = Depends(get_settings),
    pipeline: Pipeline = Depends(get_pipeline),
    gate: AbstractContextManager[object] = Depends(get_gate),
) -> BatchResult | JSONResponse:
    """Apply every valid event in order, rescore the affected leads and hand off new MQLs.

    Invalid events are reported one by one (`rejected`, with their fields) while the valid ones are
    applied; an event id already seen from this source is a `duplicate` and changes nothing. When
    no event could be applied the answer is 422.
    """
    caller = request.caller
    valid, rejected = parse_batch(request.body)
    now = utcnow()

    def work(session: Session) -> BatchResult:
        remember(session, caller, settings.tolerance_s)
        count_events(session, caller.source, [("rejected", "invalid")] * len(rejected))
        results, rescored = apply_events(session, pipeline, caller.source, valid, now)
        everything = sorted([*results, *rejected], key=lambda r: r.index)
        count = {
            s: sum(r.status == s for r in everything) for s in ("accepted", "duplicate", "rejected")
        }
        return BatchResult(
            accepted=count["accepted"],
            duplicates=count["duplicate"],
            rejected=count["rejected"],
            rescoring="queued" if pipeline.rescore == "queue" else "inline",
            rescored=rescored.scored,
            qualified=rescored.qualified,
            results=everything,
        )

    result = committed(session, work, gate=gate)
    if result.accepted + result.duplicates == 0:
        errors = [error for item in result.results for error in item.errors]
        return error_response(422, "invalid", "no event of the batch could be applied", errors)
    return result
