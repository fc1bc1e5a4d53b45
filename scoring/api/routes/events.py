"""POST /v1/events: batched lead upserts and activity events from marketing systems and web tracking."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from scoring.api.auth import Signed, signed
from scoring.api.deps import get_groups, get_session
from scoring.api.grouping import EventGroups, Pending
from scoring.api.openapi import json_body, signed_by
from scoring.api.parsing import parse_batch
from scoring.api.problems import RESPONSES, error_response
from scoring.api.schemas.events import BatchResult, EventBatch

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
    groups: EventGroups = Depends(get_groups),
) -> BatchResult | JSONResponse:
    """Apply every valid event in order, rescore the affected leads and hand off new MQLs.

    Invalid events are reported one by one (`rejected`, with their fields) while the valid ones are
    applied; an event id already seen from this source is a `duplicate` and changes nothing. When
    no event could be applied the answer is 422.
    """
    valid, rejected = parse_batch(request.body)
    pending = Pending(request.caller, valid, rejected)
    result = groups.submit(session, pending)
    if result.accepted + result.duplicates == 0:
        errors = [error for item in result.results for error in item.errors]
        return error_response(422, "invalid", "no event of the batch could be applied", errors)
    return result
