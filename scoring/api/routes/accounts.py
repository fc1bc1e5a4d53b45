"""GET /v1/accounts/{account_id}: one account's score rolled up from its contacts."""

from __future__ import annotations

import math
from contextlib import AbstractContextManager
from datetime import UTC, datetime

import pandas as pd
from fastapi import APIRouter, Depends, Path
from sqlalchemy.orm import Session

from scoring.api.auth import Signed, remember, signed
from scoring.api.deps import get_gate, get_pipeline, get_session, get_settings
from scoring.api.openapi import signed_by
from scoring.api.problems import RESPONSES, ErrorBody
from scoring.api.schemas.accounts import AccountView
from scoring.api.transaction import committed
from scoring.db.models import Account
from scoring.errors import Problem, UnknownAccount
from scoring.handoff.qualify import Pipeline
from scoring.handoff.scorer import RulebookScorer
from scoring.handoff.settings import ServiceSettings
from scoring.policy import in_force
from scoring.rules.spec import Rulebook
from scoring.store.accounts import account_table

router = APIRouter(tags=["accounts"])


def _value(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    return value.item() if hasattr(value, "item") else value


def account_view(
    session: Session, account_id: int, rulebook: Rulebook, now: datetime
) -> AccountView:
    """The account's roll-up as of `now`; UnknownAccount when there is no such account."""
    account = session.get(Account, account_id)
    if account is None:
        raise UnknownAccount([Problem("account_id", f"no account with id {account_id}")])
    table = account_table(session.connection(), rulebook, as_of=now, account_ids=[account_id])
    if table.empty:  # an account without contacts: nothing to roll up
        row: dict[str, object] = {"account_score": 0.0, "contacts": 0, "engaged_contacts": 0}
        row |= {"open_opportunities": 0, "pipeline_amount": 0.0, "roles_engaged": ""}
        row |= {"segment": "Unknown", "owner_rep_id": account.owner_rep_id}
    else:
        row = {str(key): _value(value) for key, value in table.iloc[0].to_dict().items()}
    roles = str(row.pop("roles_engaged") or "")
    row.pop("roles_engaged_count", None)
    return AccountView.model_validate(
        row
        | {
            "account_id": account_id,
            "account_name": account.name,
            "region": account.region,
            "roles_engaged": [r for r in roles.split(", ") if r],
            "rulebook_version": rulebook.version,
            "as_of": now,
        }
    )


@router.get(
    "/v1/accounts/{account_id}",
    response_model=AccountView,
    responses={**RESPONSES, 404: {"model": ErrorBody, "description": "no such account"}},
    openapi_extra=signed_by("leads:read"),
    summary="An account: score rolled up from its contacts, roles engaged, open pipeline",
)
def get_account(
    account_id: int = Path(ge=1, le=2**63 - 1),
    request: Signed = Depends(signed("leads:read")),
    session: Session = Depends(get_session),
    settings: ServiceSettings = Depends(get_settings),
    pipeline: Pipeline = Depends(get_pipeline),
    gate: AbstractContextManager[object] = Depends(get_gate),
) -> AccountView:
    """Signed like every other call (over an empty body), with its own nonce. Needs the
    `leads:read` scope: the roll-up reads the account's leads. Scored now, under the rulebook in
    force."""
    committed(session, lambda s: remember(s, request.caller, settings.tolerance_s), gate=gate)
    scorer = pipeline.scorer
    rulebook = (
        scorer.rulebook
        if isinstance(scorer, RulebookScorer)
        else in_force(session.get_bind()).rulebook
    )
    return account_view(session, account_id, rulebook, datetime.now(UTC).replace(tzinfo=None))
