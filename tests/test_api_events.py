"""POST /v1/events: per-item validation, idempotency by event id, rescoring, MQL handoff."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from handoff_world import SETTINGS, activity, api, engine_of, get, hot, lead, post, seed
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.db.models import (
    Assignment,
    Contact,
    HandoffOutbox,
    LifecycleEvent,
    RescoreRequest,
    Signal,
    Touch,
)
from scoring.handoff.adapters import make_adapter
from scoring.handoff.settings import ServiceSettings
from scoring.handoff.worker import Worker


def _world(engine: Engine) -> Iterator[TestClient]:
    seed(engine)
    with api(engine) as client:
        yield client


@pytest.fixture
def client(sqlite_engine: Engine) -> Iterator[TestClient]:
    """The API on SQLite only."""
    yield from _world(sqlite_engine)


@pytest.fixture
def any_client(engine: Engine) -> Iterator[TestClient]:
    """The API on every backend."""
    yield from _world(engine)


def _count(engine: Engine, model: type, *where: object) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_a_hot_lead_becomes_an_mql_with_one_complete_outbox_row(any_client: TestClient) -> None:
    client = any_client
    engine = engine_of(client)
    response = post(client, "/v1/events", {"events": hot("acme")})
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["accepted"], result["rejected"], result["qualified"]) == (3, 0, [1])
    with Session(engine) as session:
        contact = session.get(Contact, 1)
        row = session.scalars(select(HandoffOutbox)).one()
        assignment = session.scalars(select(Assignment)).one()
    assert contact is not None and contact.lifecycle_stage == "mql"
    assert contact.owner_rep_id == assignment.rep_id
    assert row.idempotency_key.startswith("mql-1-")
    payload = row.payload
    assert payload["lead"]["email"] == "pat@acme.example"
    assert payload["account"]["domain"] == "acme.example"
    assert payload["score"]["score"] >= payload["score"]["threshold"]
    assert {line["rule"] for line in payload["score"]["explanation"]} >= {
        "demo_request",
        "industry_core",
    }
    assert [t["kind"] for t in payload["recent_engagement"]] == ["meeting_booked", "demo_request"]
    assert payload["campaign"]["code"] == "webinar-q4"
    assert payload["score"]["rulebook_version"]
    assert payload["assigned_rep"]["rule"] == "territory:na_mid_market"
    assert "round robin" in payload["assigned_rep"]["reason"]


def test_replaying_the_same_events_changes_nothing(any_client: TestClient) -> None:
    client = any_client
    engine = engine_of(client)
    post(client, "/v1/events", {"events": hot("acme")})
    again = post(client, "/v1/events", {"events": hot("acme")}).json()
    assert (again["accepted"], again["duplicates"], again["qualified"]) == (0, 3, [])
    assert _count(engine, Touch) == 2
    assert _count(engine, HandoffOutbox) == 1
    assert _count(engine, LifecycleEvent) == 1


def test_invalid_items_are_rejected_one_by_one_naming_their_field(any_client: TestClient) -> None:
    client = any_client
    engine = engine_of(client)
    events = [
        lead("ok-1", "fine"),
        lead("bad-1", "broken", email="not-an-email"),
        {
            "id": "bad-2",
            "type": "activity.recorded",
            "occurred_at": "2026-01-01T00:00:00",
            "lead": {},
        },
        activity("bad-3", "nobody", "page_view"),
        lead("bad-4", "other", campaign="no-such-campaign"),
        {"type": "lead.unknown"},
    ]
    result = post(client, "/v1/events", {"events": events}).json()
    statuses = [r["status"] for r in result["results"]]
    assert statuses == ["accepted", "rejected", "rejected", "rejected", "rejected", "rejected"]
    fields = {
        r["index"]: {e["field"] for e in r["errors"]} for r in result["results"] if r["errors"]
    }
    assert fields[1] == {"events.1.lead.email"}
    assert fields[2] == {"events.2.lead.external_id", "events.2.activity"}
    assert fields[3] == {"events.3.lead.external_id"}
    assert fields[4] == {"events.4.lead.campaign"}
    assert fields[5] == {"events.5.type"}
    assert _count(engine, Contact) == 1


def test_a_batch_without_any_valid_event_is_422_naming_every_field(client: TestClient) -> None:
    response = post(client, "/v1/events", {"events": [lead("x", "x", country="usa")]})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "events.0.lead.country", "message": "String should match pattern '^[A-Z]{2}$'"}
    ]
    assert post(client, "/v1/events", {"events": []}).json()["errors"][0]["field"] == "events"
    assert post(client, "/v1/events", [1, 2]).json()["errors"][0]["field"] == "body"


def test_an_email_owned_by_another_lead_is_refused(client: TestClient) -> None:
    post(client, "/v1/events", {"events": [lead("a", "first", email="same@x.example")]})
    result = post(client, "/v1/events", {"events": [lead("b", "second", email="same@x.example")]})
    assert result.status_code == 422
    assert result.json()["errors"][0]["field"] == "events.0.lead.email"


def test_an_account_owner_receives_the_mql_before_territory_rules(client: TestClient) -> None:
    engine = engine_of(client)
    account = {"domain": "owned.example", "name": "Owned Corp"}
    events = hot("owned")
    events[0]["lead"]["account"] = account
    post(client, "/v1/events", {"events": events})
    with Session(engine) as session:
        assignment = session.scalars(select(Assignment)).one()
    assert (assignment.rep_id, assignment.rule) == (4, "account_owner")
    assert "owns account Owned Corp" in assignment.reason


def test_a_subscriber_becomes_a_lead_when_its_company_is_known(client: TestClient) -> None:
    engine = engine_of(client)
    post(client, "/v1/events", {"events": [lead("s-0", "sub", account=None)]})
    assert _count(engine, Contact, Contact.lifecycle_stage == "subscriber") == 1
    post(client, "/v1/events", {"events": [lead("s-1", "sub")]})
    assert _count(engine, Contact, Contact.lifecycle_stage == "lead") == 1
    assert _count(engine, Signal, Signal.kind == "transition") == 1


def test_a_lead_failing_a_gate_is_scored_but_not_handed_off(client: TestClient) -> None:
    engine = engine_of(client)
    events = hot("gmail")
    events[0]["lead"]["email"] = "pat@gmail.com"
    result = post(client, "/v1/events", {"events": events}).json()
    assert result["qualified"] == []
    assert _count(engine, HandoffOutbox) == 0
    assert _count(engine, Contact, Contact.lifecycle_stage == "lead") == 1


def test_in_queue_mode_the_worker_rescores_and_hands_off(engine: Engine) -> None:
    seed(engine)
    queued = ServiceSettings(**{**SETTINGS.__dict__, "rescore": "queue"})
    with api(engine, queued) as client:
        result = post(client, "/v1/events", {"events": hot("acme")}).json()
        assert (result["rescoring"], result["rescored"], result["qualified"]) == ("queued", 0, [])
        assert _count(engine, RescoreRequest) == 1
        pipeline = client.app.state.policy.current()  # type: ignore[attr-defined]
        worker = Worker(engine, make_adapter("builtin", {"engine": engine}), pipeline=pipeline)
        stats = worker.run(until_idle=True)
        lead = get(client, "/v1/leads/1").json()
    assert (stats.rescored, stats.delivered) == (1, 1)
    assert _count(engine, RescoreRequest) == 0
    assert lead["stage"] == "mql"
    assert lead["handoffs"][0]["status"] == "delivered"


def test_a_lead_without_an_email_is_scored_without_trouble(client: TestClient) -> None:
    response = post(client, "/v1/events", {"events": [lead("bare-1", "bare", email=None)]})
    assert response.status_code == 200, response.text
    assert response.json()["rescored"] == 1
