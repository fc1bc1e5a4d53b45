"""The handoff payload: complete or not queued at all, whatever fields a lead is missing."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from handoff_world import NOW, SETTINGS, seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from scoring.db.models import Account, Contact, HandoffOutbox, LeadScore, Rep, Signal, Touch
from scoring.errors import IncompleteHandoff
from scoring.handoff.payload import HandoffPayload, build_payload
from scoring.handoff.qualify import rescore
from scoring.handoff.scorer import default_pipeline
from scoring.store.reasons import sync_reasons

OPTIONAL = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "country",
    "account_id",
    "original_campaign_id",
)
NUMBERS = itertools.count(1)


def test_an_incomplete_payload_names_every_missing_piece(sqlite_engine: Engine) -> None:
    seed(sqlite_engine)
    with Session(sqlite_engine) as session:
        contact = Contact(
            external_id="bare",
            lifecycle_stage="lead",
            created_at=NOW,
            updated_at=NOW,
            do_not_contact=False,
        )
        session.add(contact)
        session.flush()
        score = LeadScore(
            contact_id=contact.id,
            score=80,
            threshold=60,
            failed_gates=[],
            explanation=[],
            rulebook_version="v",
            scored_at=NOW,
        )
        rep = session.get(Rep, 1)
        assert rep is not None
        with pytest.raises(IncompleteHandoff) as failed:
            build_payload(
                session,
                contact,
                score=score,
                rep=rep,
                rule="r",
                reason="why",
                idempotency_key="k",
                now=NOW,
            )
    assert sorted(p.where for p in failed.value.problems) == [
        "account",
        "campaign",
        "lead.email",
        "lead.last_name",
        "score.explanation",
    ]


@pytest.fixture(scope="module")
def pipeline_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, object]:
    from scoring.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('payload') / 'db.sqlite'}")
    upgrade(engine)
    seed(engine)
    pipeline = default_pipeline(SETTINGS, engine)
    with engine.begin() as connection:
        sync_reasons(connection, pipeline.vocabulary)
    return engine, pipeline


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(missing=st.sets(st.sampled_from(OPTIONAL)))
def test_every_lead_is_an_mql_with_a_complete_payload_or_neither(
    pipeline_world: tuple[Engine, object], missing: set[str]
) -> None:
    engine, pipeline = pipeline_world
    n = next(NUMBERS)
    values = {
        "external_id": f"p-{n}",
        "email": f"pat{n}@acme{n}.example",
        "first_name": "Pat",
        "last_name": "Doe",
        "job_title": "VP Marketing",
        "seniority": "vp",
        "department": "Marketing",
        "country": "US",
        "account_id": None,
        "original_campaign_id": 1,
        "lifecycle_stage": "lead",
        "do_not_contact": False,
        "created_at": NOW - timedelta(days=1),
        "updated_at": NOW,
    }
    with engine.begin() as connection:
        values["account_id"] = connection.execute(
            insert(Account)
            .values(
                name=f"Acme {n}",
                domain=f"acme{n}.example",
                industry="Software",
                employees=500,
                country="US",
                region="NA",
            )
            .returning(Account.id)
        ).scalar_one()
        values.update({name: None for name in missing})
        contact_id = connection.execute(
            insert(Contact).values(**values).returning(Contact.id)
        ).scalar_one()
        connection.execute(
            insert(Touch),
            [
                {"contact_id": contact_id, "kind": k, "occurred_at": NOW - timedelta(hours=1)}
                for k in ("demo_request", "meeting_booked")
            ],
        )
    with Session(engine) as session, session.begin():
        rescore(session, pipeline, [contact_id], NOW, "test")  # type: ignore[arg-type]
    with Session(engine) as session:
        stage = session.scalar(select(Contact.lifecycle_stage).where(Contact.id == contact_id))
        payloads = session.scalars(
            select(HandoffOutbox.payload).where(HandoffOutbox.contact_id == contact_id)
        ).all()
        blocked = session.scalar(
            select(func.count()).where(
                Signal.contact_id == contact_id, Signal.kind == "handoff_blocked"
            )
        )
        score = session.get(LeadScore, contact_id)
    assert (stage == "mql") == (len(payloads) == 1)
    for payload in payloads:
        HandoffPayload.model_validate(payload)
    if {"email", "account_id"} & missing:
        assert stage == "lead"  # a gate stopped it
    assert score is not None
    qualifies = score.score >= score.threshold and not score.failed_gates
    if stage == "lead" and qualifies:
        assert blocked  # the rulebook said yes, the payload contract said no, and a signal says why
    if {"last_name", "original_campaign_id"} & missing:
        assert stage == "lead"
