"""HubSpot's own values (data/crm_values.yaml) through POST /v1/hubspot/webhooks: lead status and
lifecycle stage move leads through the contract, a disqualification without its reason is parked
as "needs reason", and every answered event id is a duplicate on replay (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from handoff_world import (
    CRM_SECRET,
    CRM_SOURCE,
    NOW,
    SETTINGS,
    api,
    engine_of,
    fresh_timestamp,
    get,
    hot,
    hubspot_webhook,
    lead,
    post,
    seed,
)
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from scoring.api import default_pipeline
from scoring.api.hubspot import HubSpotEvent, apply_hubspot, hubspot_values, plan
from scoring.api.transaction import committed
from scoring.cli import app
from scoring.db.models import Contact, CrmRecord, InboundEvent, LifecycleEvent, ParkedFeedback
from scoring.handoff.gate import write_gate
from scoring.signals import utcnow

MQL, COLD = 101, 202  # HubSpot record ids of lead 1 (an MQL owned by a rep) and lead 2 (a lead)


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    seed(engine)
    with api(engine) as client:
        post(client, "/v1/events", {"events": hot("acme")})
        post(client, "/v1/events", {"events": [lead("cold-0", "cold")]})
        with engine.begin() as connection:
            connection.execute(
                insert(CrmRecord),
                [
                    {"crm": "hubspot", "contact_id": 1, "crm_id": str(MQL), "synced_at": NOW},
                    {"crm": "hubspot", "contact_id": 2, "crm_id": str(COLD), "synced_at": NOW},
                ],
            )
        yield client


def change(event_id: int, name: str, value: str, record: int = MQL) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "subscriptionType": "contact.propertyChange",
        "objectId": record,
        "propertyName": name,
        "propertyValue": value,
        "occurredAt": fresh_timestamp() * 1000,
    }


def _lead(engine: Engine, lead_id: int = 1) -> tuple[str, list[tuple[str, str | None]]]:
    """The lead's stage and its history as (to_stage, reason_code), oldest first."""
    with Session(engine) as session:
        contact = session.get(Contact, lead_id)
        assert contact is not None
        rows = session.execute(
            select(LifecycleEvent.to_stage, LifecycleEvent.reason_code)
            .where(LifecycleEvent.contact_id == lead_id)
            .order_by(LifecycleEvent.id)
        ).all()
    return contact.lifecycle_stage, [tuple(r) for r in rows]  # type: ignore[misc]


def _parked(engine: Engine) -> list[tuple[int, str, str, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(
                ParkedFeedback.contact_id,
                ParkedFeedback.status,
                ParkedFeedback.cause,
                func.coalesce(ParkedFeedback.reason_code, ""),
            ).order_by(ParkedFeedback.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_unqualified_without_a_reason_parks_the_lead_as_needs_reason(client: TestClient) -> None:
    engine = engine_of(client)
    before = _lead(engine)
    [result] = hubspot_webhook(client, [change(1, "hs_lead_status", "UNQUALIFIED")])
    assert (result["status"], result["detail"]) == ("parked", "needs reason")
    assert _lead(engine) == before  # the lead did not move
    assert _parked(engine) == [(1, "waiting", "hs_lead_status=UNQUALIFIED", "")]
    metrics = client.get("/metrics").text
    assert "smarketing_feedback_needs_reason 1.0" in metrics
    assert 'smarketing_feedback_parked_total{source="hubspot"}' in metrics


@pytest.mark.parametrize("reason_first", [False, True], ids=["status first", "reason first"])
def test_unqualified_with_the_reason_property_disqualifies_citing_it(
    client: TestClient, reason_first: bool
) -> None:
    engine = engine_of(client)
    events = [
        change(1, "hs_lead_status", "UNQUALIFIED"),
        change(2, "smarketing_disqualification_reason", "NO_BUDGET"),  # HubSpot's option value
    ]
    results = hubspot_webhook(client, events[::-1] if reason_first else events)
    by_id = {r["event_id"]: r for r in results}
    assert (by_id[1]["status"], by_id[1]["detail"]) == ("applied", "disqualified")
    assert (by_id[2]["status"], by_id[2]["detail"]) == ("applied", "reason for event 1")
    stage, history = _lead(engine)
    assert (stage, history[-1]) == ("disqualified", ("disqualified", "no_budget"))
    assert _parked(engine) == []
    lookup = get(client, "/v1/leads/1").json()["history"][-1]
    assert (lookup["actor"], lookup["reason_code"]) == ("crm:hubspot", "no_budget")


def test_an_unknown_reason_is_refused_clearly_and_nothing_moves(client: TestClient) -> None:
    engine = engine_of(client)
    before = _lead(engine)
    events = [
        change(1, "hs_lead_status", "UNQUALIFIED"),
        change(2, "smarketing_disqualification_reason", "TOO_PRICEY"),
    ]
    status, reason = hubspot_webhook(client, events)
    assert (status["status"], status["field"]) == ("rejected", "reason_code")
    assert "unknown reason code 'TOO_PRICEY'" in status["detail"]
    assert "valid codes: bad_timing, competitor" in status["detail"]
    assert (reason["status"], reason["detail"]) == ("rejected", "reason for event 1")
    assert _lead(engine) == before
    assert _parked(engine) == []


def test_a_reason_sent_later_applies_the_parked_disqualification(client: TestClient) -> None:
    engine = engine_of(client)
    hubspot_webhook(client, [change(1, "hs_lead_status", "UNQUALIFIED")])
    [result] = hubspot_webhook(
        client, [change(2, "smarketing_disqualification_reason", "competitor")]
    )
    assert (result["status"], result["detail"]) == ("applied", "disqualified")
    assert _lead(engine)[0] == "disqualified"
    assert _parked(engine) == [(1, "applied", "hs_lead_status=UNQUALIFIED", "competitor")]
    assert "smarketing_feedback_needs_reason 0.0" in client.get("/metrics").text


def test_a_replay_of_any_answered_event_is_a_duplicate_and_changes_nothing(
    client: TestClient,
) -> None:
    engine = engine_of(client)
    events = [
        change(1, "hs_lead_status", "OPEN"),  # applied: mql -> sal (lead 1 has an owner)
        change(2, "lifecyclestage", "customer", COLD),  # refused: lead -> customer
        change(3, "smarketing_lost_reason", "nope", COLD),  # rejected: unknown reason
        change(4, "firstname", "Pat"),  # ignored: not mapped
        change(5, "hs_lead_status", "NEW"),  # ignored: moves nothing
        change(6, "hs_lead_status", "OPEN", record=999),  # ignored: unknown contact
        change(7, "hs_lead_status", "UNQUALIFIED", COLD),  # parked: needs reason
        change(7, "hs_lead_status", "OPEN", COLD),  # the same id again in the same request
        {"eventId": 8, "subscriptionType": "contact.propertyChange"},  # rejected: no objectId
    ]
    first = hubspot_webhook(client, events)
    assert [r["status"] for r in first] == [
        "applied",
        "refused",
        "rejected",
        "ignored",
        "ignored",
        "ignored",
        "parked",
        "duplicate",
        "rejected",
    ]
    assert first[8]["field"] == "8.objectId"
    assert "moves nothing" in first[4]["detail"] and first[5]["detail"] == "unknown contact"
    state = (_lead(engine, 1), _lead(engine, 2), _parked(engine))
    replay = hubspot_webhook(client, events[:7] + events[8:])
    assert [r["status"] for r in replay] == ["duplicate"] * 8
    assert (_lead(engine, 1), _lead(engine, 2), _parked(engine)) == state
    with Session(engine) as session:
        remembered = session.scalar(select(func.count()).where(InboundEvent.source == "hubspot"))
    assert remembered == 8


def test_a_feedback_the_contract_refused_is_a_duplicate_on_replay(client: TestClient) -> None:
    engine = engine_of(client)
    body = {"event_id": "fb-9", "outcome": "won", "lead_id": 2}
    first = post(client, "/v1/feedback", body, source=CRM_SOURCE, secret=CRM_SECRET)
    assert first.status_code == 409
    before = _lead(engine, 2)
    again = post(client, "/v1/feedback", body, source=CRM_SOURCE, secret=CRM_SECRET)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "duplicate"
    assert _lead(engine, 2) == before


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("hs_lead_status", "NEW", "ignore"),
        ("hs_lead_status", "OPEN", ("accepted", None)),
        ("hs_lead_status", "IN_PROGRESS", ("accepted", None)),
        ("hs_lead_status", "ATTEMPTED_TO_CONTACT", ("accepted", None)),
        ("hs_lead_status", "CONNECTED", ("accepted", None)),
        ("hs_lead_status", "OPEN_DEAL", ("opportunity_created", None)),
        ("hs_lead_status", "UNQUALIFIED", "park"),
        ("hs_lead_status", "BAD_TIMING", ("lost", "bad_timing")),
        ("lifecyclestage", "subscriber", "ignore"),
        ("lifecyclestage", "lead", "ignore"),
        ("lifecyclestage", "marketingqualifiedlead", "ignore"),
        ("lifecyclestage", "salesqualifiedlead", ("sales_qualified", None)),
        ("lifecyclestage", "opportunity", ("opportunity_created", None)),
        ("lifecyclestage", "customer", ("won", None)),
        ("lifecyclestage", "evangelist", "ignore"),
        ("lifecyclestage", "other", "ignore"),
        ("lifecyclestage", "churned", "not mapped"),
    ],
)
def test_every_native_hubspot_value_has_its_meaning(name: str, value: str, expected: Any) -> None:
    event = HubSpotEvent.model_validate(
        {"eventId": 1, "subscriptionType": "contact.propertyChange", "objectId": 5,
         "occurredAt": 0, "propertyName": name, "propertyValue": value}
    )  # fmt: skip
    planned = plan(hubspot_values(), event, 7)
    if expected == "park":
        assert (planned.park_stage, planned.feedback) == ("disqualified", None)
    elif expected in ("ignore", "not mapped"):
        assert planned.feedback is None and planned.park_stage is None
        assert ("is not mapped" in planned.ignore) == (expected == "not mapped")
    else:
        assert planned.feedback is not None
        assert (planned.feedback.outcome, planned.feedback.reason_code) == expected


def test_a_reason_given_after_the_lead_moved_on_is_refused_by_the_contract(
    client: TestClient,
) -> None:
    engine = engine_of(client)
    hubspot_webhook(client, [change(1, "hs_lead_status", "UNQUALIFIED")])
    for n, outcome in enumerate(["accepted", "sales_qualified", "opportunity_created", "won"]):
        body = {"event_id": f"fb-{n}", "outcome": outcome, "lead_id": 1}
        assert post(client, "/v1/feedback", body, source=CRM_SOURCE, secret=CRM_SECRET).is_success
    [late] = hubspot_webhook(client, [change(2, "hs_lead_status", "UNQUALIFIED")])
    assert (late["status"], late["detail"]) == (
        "refused",
        "the contract has no transition customer -> disqualified",
    )
    url = engine.url.render_as_string(hide_password=False)
    with Session(engine) as session:
        parked_id = session.scalars(select(ParkedFeedback.id)).one()
    result = CliRunner().invoke(
        app, ["feedback", "resolve", str(parked_id), "--reason", "no_budget", "-d", url]
    )
    assert result.exit_code == 1
    assert _lead(engine)[0] == "customer"
    assert _parked(engine) == [(1, "refused", "hs_lead_status=UNQUALIFIED", "no_budget")]


def test_two_deliveries_of_one_batch_at_once_answer_it_exactly_once(client: TestClient) -> None:
    """HubSpot may deliver a batch again while the first delivery is still being applied: the
    loser's unit of work is retried and sees every id answered."""
    engine = engine_of(client)
    items: list[object] = [
        change(1, "hs_lead_status", "OPEN"),
        change(2, "hs_lead_status", "UNQUALIFIED", COLD),
    ]
    pipeline = default_pipeline(SETTINGS, engine)
    gate = write_gate(engine)
    barrier = threading.Barrier(2)
    answers: list[list[str]] = []

    def deliver() -> None:
        with Session(engine) as session:
            barrier.wait()
            results = committed(
                session, lambda s: apply_hubspot(s, pipeline, items, utcnow()), gate=gate
            )
        answers.append([r.status for r in results])

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == [["applied", "parked"], ["duplicate", "duplicate"]]
    assert _lead(engine, 1)[1][-1] == ("sal", None)
    assert [stage for stage, _ in _lead(engine, 1)[1]].count("sal") == 1
    assert _parked(engine) == [(2, "waiting", "hs_lead_status=UNQUALIFIED", "")]
