"""POST /v1/feedback (our format) and POST /v1/hubspot/webhooks (HubSpot's): the CRM's verdicts."""

from __future__ import annotations

from contextlib import AbstractContextManager

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from scoring.api.answers import remember as remember_answer
from scoring.api.auth import Signed, authenticate_hubspot, remember, signed
from scoring.api.deps import get_gate, get_pipeline, get_session, get_settings
from scoring.api.feedback import apply_feedback
from scoring.api.hubspot import HubSpotEvent, HubSpotResult, apply_hubspot
from scoring.api.openapi import HUBSPOT_SIGNED, json_body, signed_by
from scoring.api.parsing import load_json, parse_model
from scoring.api.problems import RESPONSES, ErrorBody
from scoring.api.schemas.feedback import Feedback, FeedbackResult
from scoring.api.transaction import committed
from scoring.errors import DataError, Problem, TransitionNotAllowed
from scoring.handoff.qualify import Pipeline
from scoring.handoff.settings import ServiceSettings
from scoring.signals import utcnow
from scoring.signatures import HUBSPOT_SIGNATURE_HEADER

router = APIRouter(tags=["feedback"])
MAX_HUBSPOT_EVENTS = 1000


class HubSpotResults(BaseModel):
    results: list[HubSpotResult]


@router.post(
    "/v1/feedback",
    response_model=FeedbackResult,
    responses={
        **RESPONSES,
        404: {"model": ErrorBody, "description": "no lead matches"},
        409: {"model": ErrorBody, "description": "the lifecycle contract refused the move"},
    },
    openapi_extra={**json_body(Feedback), **signed_by("feedback:write")},
    summary="Record what the CRM decided about a lead",
)
def post_feedback(
    request: Signed = Depends(signed("feedback:write")),
    session: Session = Depends(get_session),
    settings: ServiceSettings = Depends(get_settings),
    pipeline: Pipeline = Depends(get_pipeline),
    gate: AbstractContextManager[object] = Depends(get_gate),
) -> FeedbackResult:
    """Move the lead through the contract: 409 names the rule that refused, 422 the bad field.

    `rejected` and `lost` need a `reason_code` of the vocabulary; an unknown one is refused with
    the list of valid codes and nothing changes. An event the contract refused (409) is answered:
    sending its id again is a `duplicate`; a 422 stored nothing, so the corrected event may reuse
    its id.
    """
    caller = request.caller
    feedback = parse_model(Feedback, request.body)
    now = utcnow()

    def work(session: Session) -> FeedbackResult | TransitionNotAllowed:
        remember(session, caller, settings.tolerance_s)
        try:
            with session.begin_nested():
                return apply_feedback(session, pipeline, caller.source, feedback, now)
        except TransitionNotAllowed as exc:  # answered: a replay of this id is a duplicate
            refused = f"refused: {exc.from_stage} -> {exc.to_stage}"
            remember_answer(
                session,
                caller.source,
                feedback.event_id,
                kind=f"feedback.{feedback.outcome}",
                answer=refused,
                contact_id=exc.contact_id if isinstance(exc.contact_id, int) else None,
                now=now,
            )
            return exc

    answer = committed(session, work, gate=gate)
    if isinstance(answer, TransitionNotAllowed):
        raise answer
    return answer


def _hubspot_uri(settings: ServiceSettings, request: Request) -> str:
    if not settings.public_url:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{settings.public_url}{request.url.path}{query}"


async def hubspot_request(request: Request) -> Signed:
    """HubSpot's v3 signature over the URI HubSpot called (SMARKETING_PUBLIC_URL when set)."""
    return await authenticate_hubspot(request, _hubspot_uri(request.app.state.settings, request))


@router.post(
    "/v1/hubspot/webhooks",
    response_model=HubSpotResults,
    responses=RESPONSES,
    openapi_extra={**json_body(HubSpotEvent, array=True), **HUBSPOT_SIGNED},
    summary="HubSpot webhook: contact property changes become feedback",
)
def post_hubspot(
    request: Signed = Depends(hubspot_request),
    session: Session = Depends(get_session),
    settings: ServiceSettings = Depends(get_settings),
    pipeline: Pipeline = Depends(get_pipeline),
    gate: AbstractContextManager[object] = Depends(get_gate),
) -> HubSpotResults:
    """Verify HubSpot's v3 signature, then apply each event on its own (200 with one result each)."""
    caller, body = request.caller, request.body
    items = load_json(body)
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_HUBSPOT_EVENTS:
        raise DataError(
            [Problem("body", f"expected a JSON array of 1 to {MAX_HUBSPOT_EVENTS} events")]
        )
    now = utcnow()

    def work(session: Session) -> HubSpotResults:
        remember(session, caller, settings.tolerance_s, HUBSPOT_SIGNATURE_HEADER)
        return HubSpotResults(results=apply_hubspot(session, pipeline, items, now))

    return committed(session, work, gate=gate)
