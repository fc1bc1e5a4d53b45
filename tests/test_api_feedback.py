"""POST /v1/feedback and HubSpot webhooks: CRM verdicts move leads through the contract."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from handoff_world import (
    CRM_SECRET,
    CRM_SOURCE,
    HUBSPOT_SECRET,
    api,
    engine_of,
    get,
    hot,
    lead,
    post,
    seed,
)
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from scoring.db.models import Contact, CrmRecord, LifecycleEvent, Signal
from scoring.signatures import hubspot_sign


def _world(engine: Engine) -> Iterator[TestClient]:
    seed(engine)
    with api(engine) as client:
        post(client, "/v1/events", {"events": hot("acme")})  # lead 1: an MQL owned by a rep
        post(client, "/v1/events", {"events": [lead("cold-0", "cold")]})  # lead 2: a plain lead
        yield client


@pytest.fixture
def client(sqlite_engine: Engine) -> Iterator[TestClient]:
    """The world on SQLite only."""
    yield from _world(sqlite_engine)


@pytest.fixture
def any_client(engine: Engine) -> Iterator[TestClient]:
    """The world on every backend."""
    yield from _world(engine)


def feedback(
    client: TestClient, event_id: str, outcome: str, lead_id: int = 1, **extra: Any
) -> Any:
    body = {"event_id": event_id, "outcome": outcome, "lead_id": lead_id, **extra}
    return post(client, "/v1/feedback", body, source=CRM_SOURCE, secret=CRM_SECRET)


def _state(engine: Engine, lead_id: int = 1) -> tuple[str, int, int]:
    with Session(engine) as session:
        contact = session.get(Contact, lead_id)
        history = session.scalar(select(func.count()).where(LifecycleEvent.contact_id == lead_id))
        signals = session.scalar(select(func.count()).where(Signal.kind == "feedback"))
    assert contact is not None
    return contact.lifecycle_stage, int(history or 0), int(signals or 0)


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({}, "a reason code is required"),
        ({"reason_code": "too_expensive"}, "unknown reason code 'too_expensive'"),
        ({"reason_code": "spam"}, "retired"),
    ],
    ids=["no reason", "unknown code", "retired code"],
)
def test_disqualification_without_a_valid_reason_is_422_and_changes_nothing(
    any_client: TestClient, extra: dict[str, str], words: str
) -> None:
    client = any_client
    engine = engine_of(client)
    before = _state(engine)
    response = feedback(client, "fb-1", "rejected", **extra)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "reason_code"
    assert words in error["message"]
    assert "valid codes: bad_timing, competitor, duplicate" in error["message"]
    assert _state(engine) == before


def test_disqualification_with_a_valid_reason_shows_in_history_and_signals(
    any_client: TestClient,
) -> None:
    client = any_client
    engine = engine_of(client)
    response = feedback(
        client, "fb-1", "rejected", reason_code="no_budget", note="seed stage startup"
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "applied",
        "lead_id": 1,
        "from_stage": "mql",
        "to_stage": "disqualified",
        "reason_code": "no_budget",
    }
    history = get(client, "/v1/leads/1").json()["history"]
    assert history[-1] | {"occurred_at": None} == {
        "from_stage": "mql",
        "to_stage": "disqualified",
        "occurred_at": None,
        "actor": "crm:crm",
        "reason_code": "no_budget",
        "note": "seed stage startup",
        "rulebook_version": None,
    }
    with Session(engine) as session:
        signal = session.scalars(select(Signal).where(Signal.kind == "feedback")).one()
    assert (signal.contact_id, signal.data["reason_code"], signal.data["to"]) == (
        1,
        "no_budget",
        "disqualified",
    )


def test_an_illegal_transition_is_409_naming_the_contract_rule(any_client: TestClient) -> None:
    client = any_client
    engine = engine_of(client)
    before = _state(engine, 2)
    response = feedback(client, "fb-9", "won", lead_id=2)
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "transition_not_allowed"
    assert (
        body["rule"]
        == "the contract has no transition lead -> customer (allowed: mql, disqualified)"
    )
    assert body["errors"][0]["field"] == "outcome"
    assert _state(engine, 2) == before


def test_the_crm_walks_a_lead_to_customer_once_per_event_id(client: TestClient) -> None:
    engine = engine_of(client)
    for n, outcome in enumerate(["accepted", "sales_qualified", "opportunity_created", "won"]):
        assert feedback(client, f"fb-{n}", outcome).status_code == 200
    assert feedback(client, "fb-3", "won").json()["status"] == "duplicate"
    assert _state(engine) == ("customer", 5, 4)


def test_a_lost_deal_goes_back_to_nurture_with_its_reason(client: TestClient) -> None:
    for n, outcome in enumerate(["accepted", "sales_qualified", "opportunity_created"]):
        feedback(client, f"fb-{n}", outcome)
    assert feedback(client, "fb-lost", "lost").status_code == 422
    response = feedback(client, "fb-lost", "lost", reason_code="bad_timing")
    assert response.json()["to_stage"] == "nurture"


def test_unknown_leads_and_unknown_fields_are_named(client: TestClient) -> None:
    assert (
        feedback(client, "fb-1", "accepted", lead_id=999).json()["errors"][0]["field"] == "lead_id"
    )
    response = feedback(client, "fb-2", "promoted")
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "outcome")
    body = {"event_id": "fb-3", "outcome": "accepted"}
    response = post(client, "/v1/feedback", body, source=CRM_SOURCE, secret=CRM_SECRET)
    assert response.status_code == 422


def test_hubspot_property_changes_become_feedback(client: TestClient) -> None:
    engine = engine_of(client)
    with engine.begin() as connection:
        connection.execute(
            insert(CrmRecord).values(
                crm="hubspot", contact_id=1, crm_id="123", synced_at=func.now()
            )
        )
    base = {
        "subscriptionType": "contact.propertyChange",
        "objectId": 123,
        "occurredAt": int(time.time() * 1000),
    }
    events = [
        {**base, "eventId": 1, "propertyName": "hs_lead_status", "propertyValue": "OPEN"},
        {
            **base,
            "eventId": 2,
            "propertyName": "smarketing_disqualification_reason",
            "propertyValue": "nope",
        },
        {
            **base,
            "eventId": 3,
            "propertyName": "lifecyclestage",
            "propertyValue": "salesqualifiedlead",
        },
        {**base, "eventId": 4, "propertyName": "firstname", "propertyValue": "Pat"},
        {
            **base,
            "eventId": 5,
            "objectId": 999,
            "propertyName": "hs_lead_status",
            "propertyValue": "OPEN",
        },
        {**base, "eventId": 6, "propertyName": "lifecyclestage", "propertyValue": "customer"},
        {"eventId": "x"},
    ]
    body = json.dumps(events).encode()
    stamp = str(int(time.time() * 1000))
    uri = "http://testserver/v1/hubspot/webhooks"
    headers = {
        "Content-Type": "application/json",
        "X-HubSpot-Request-Timestamp": stamp,
        "X-HubSpot-Signature-v3": hubspot_sign(HUBSPOT_SECRET, "POST", uri, body, int(stamp)),
    }
    response = client.post("/v1/hubspot/webhooks", content=body, headers=headers)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == [
        "applied",
        "rejected",
        "applied",
        "ignored",
        "ignored",
        "refused",
        "rejected",
    ]
    assert results[1]["field"] == "reason_code"
    assert "sales_qualified -> customer" in results[5]["detail"]
    assert results[6]["field"] == "6.eventId"
    assert _state(engine)[0] == "sales_qualified"


def test_the_lead_lookup_says_whether_a_lead_moved_or_only_qualifies(client: TestClient) -> None:
    moved = get(client, "/v1/leads/1").json()
    assert moved["stage"] == "mql" and moved["qualification"] == "moved to MQL"
    cold = get(client, "/v1/leads/2").json()
    assert cold["stage"] == "lead" and cold["qualification"] == "below the threshold"
