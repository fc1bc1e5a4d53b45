"""The lead view of GET /v1/leads/{lead_id}: stage, owner, score with explanation, history, handoffs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.api.schemas.leads import HandoffView, HistoryEntry, LeadView, ScoreView
from scoring.db.models import Contact, HandoffOutbox, LeadScore, Rep, Signal
from scoring.errors import Problem, UnknownLead
from scoring.handoff.batch import lead_status
from scoring.rules.spec import Rulebook
from scoring.store.lifecycle import events


def score_view(score: LeadScore, rulebook: Rulebook | None) -> ScoreView:
    """The stored score, lines largest first; each line says its rule in English when the rulebook
    in force is the version that scored it."""
    same = rulebook is not None and rulebook.version == score.rulebook_version
    texts = {r.id: r.english() for r in rulebook.rules} if rulebook is not None and same else {}
    lines = sorted(score.explanation, key=lambda line: -abs(float(line["points"])))
    view = ScoreView.model_validate(score, from_attributes=True)
    return view.model_copy(
        update={
            "explanation": [
                {**line, "text": texts[line["rule"]]} if line["rule"] in texts else dict(line)
                for line in lines
            ]
        }
    )


def lead_view(session: Session, lead_id: int, rulebook: Rulebook | None = None) -> LeadView:
    """Everything the API shows about one lead; UnknownLead when there is none."""
    contact = session.get(Contact, lead_id)
    if contact is None:
        raise UnknownLead([Problem("lead_id", f"no lead with id {lead_id}")])
    owner = session.get(Rep, contact.owner_rep_id) if contact.owner_rep_id else None
    score = session.get(LeadScore, lead_id)
    handoffs = session.scalars(
        select(HandoffOutbox).where(HandoffOutbox.contact_id == lead_id).order_by(HandoffOutbox.id)
    )
    blocked = session.scalar(
        select(Signal.data)
        .where(Signal.contact_id == lead_id, Signal.kind == "handoff_blocked")
        .order_by(Signal.id.desc())
        .limit(1)
    )
    qualification = (
        lead_status(
            contact.lifecycle_stage,
            score.score,
            score.threshold,
            score.failed_gates or [],
            (blocked or {}).get("message"),
        )
        if score
        else None
    )
    return LeadView(
        id=contact.id,
        qualification=qualification,
        external_id=contact.external_id,
        email=contact.email,
        stage=contact.lifecycle_stage,
        owner_email=owner.email if owner else None,
        score=score_view(score, rulebook) if score else None,
        history=[
            HistoryEntry.model_validate(e, from_attributes=True) for e in events(session, lead_id)
        ],
        handoffs=[HandoffView.model_validate(h, from_attributes=True) for h in handoffs],
    )
