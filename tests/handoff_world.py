"""A small world for the API and handoff tests: reps, campaigns, leads, signed requests.

Plain functions (not fixtures) so that every test module builds what it needs explicitly.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from scoring.db.models import Account, Campaign, Contact, Rep, Touch
from scoring.handoff.outbox import enqueue
from scoring.handoff.payload import HandoffPayload
from scoring.handoff.qualify import rescore
from scoring.handoff.scorer import default_pipeline
from scoring.handoff.settings import ServiceSettings
from scoring.signatures import hubspot_sign, request_headers
from scoring.store.reasons import sync_reasons

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

SOURCE, SECRET = "web", "web-secret"
CRM_SOURCE, CRM_SECRET = "crm", "crm-secret"
HUBSPOT_SECRET = "hubspot-client-secret"
SETTINGS = ServiceSettings(
    source_secrets={SOURCE: SECRET, CRM_SOURCE: CRM_SECRET},
    hubspot_client_secret=HUBSPOT_SECRET,
    rescore="inline",  # answers say at once what rescoring did; queue mode has its own tests
    rate_per_minute=100_000,  # the rate limit has its own test (test_attack_signatures)
)
NOW = datetime.now().replace(microsecond=0)

REPS = (
    # email, team, territory, weekly capacity, active
    ("ada@sales.example", "Mid-Market", "NA-MM", 50, True),
    ("bo@sales.example", "Mid-Market", "NA-MM", 50, True),
    ("cy@sales.example", "Mid-Market", "NA-MM", 0, False),
    ("dee@sales.example", "Enterprise", "NA-ENT", 20, True),
    ("eve@sales.example", "SMB Inside Sales", "NA-SMB", 1000, True),
)


def seed(engine: Engine) -> None:
    """Reps of three NA teams, two campaigns, and one account owned by an Enterprise rep."""
    with engine.begin() as connection:
        for i, (email, team, territory, capacity, active) in enumerate(REPS, start=1):
            connection.execute(
                insert(Rep).values(
                    id=i,
                    email=email,
                    name=email.split("@")[0].title(),
                    team=team,
                    territory=territory,
                    weekly_capacity=capacity,
                    active=active,
                )
            )
        connection.execute(
            insert(Campaign),
            [
                {"code": "webinar-q4", "name": "Q4 webinar", "channel": "webinar"},
                {"code": "search-brand", "name": "Brand search", "channel": "paid_search"},
            ],
        )
        connection.execute(
            insert(Account).values(
                name="Owned Corp",
                domain="owned.example",
                industry="Software",
                employees=800,
                country="US",
                region="NA",
                owner_rep_id=4,
            )
        )


def lead(event_id: str, external_id: str, **overrides: Any) -> dict[str, Any]:
    """A lead.upserted event for a well-fitting lead (Software, 500 people, marketing director)."""
    account = {
        "domain": f"{external_id}.example",
        "name": f"{external_id.title()} Inc",
        "industry": "Software",
        "employees": 500,
        "country": "US",
        "region": "NA",
    }
    body = {
        "external_id": external_id,
        "email": f"pat@{external_id}.example",
        "first_name": "Pat",
        "last_name": "Doe",
        "job_title": "Director of Marketing",
        "seniority": "director",
        "department": "Marketing",
        "country": "US",
        "campaign": "webinar-q4",
        "account": account,
    }
    body.update(overrides)
    return {"id": event_id, "type": "lead.upserted", "occurred_at": NOW.isoformat(), "lead": body}


def activity(event_id: str, external_id: str, kind: str, minutes_ago: int = 5) -> dict[str, Any]:
    moment = NOW - timedelta(minutes=minutes_ago)
    return {
        "id": event_id,
        "type": "activity.recorded",
        "occurred_at": moment.isoformat(),
        "lead": {"external_id": external_id},
        "activity": {"kind": kind, "campaign": "webinar-q4"},
    }


def hot(external_id: str, prefix: str = "e") -> list[dict[str, Any]]:
    """Events that make a lead an MQL under data/rulebook.yaml: fit plus a demo and a meeting."""
    return [
        lead(f"{prefix}-{external_id}-0", external_id),
        activity(f"{prefix}-{external_id}-1", external_id, "demo_request"),
        activity(f"{prefix}-{external_id}-2", external_id, "meeting_booked"),
    ]


def signed(
    body: bytes,
    *,
    source: str = SOURCE,
    secret: str = SECRET,
    at: float | None = None,
    method: str = "POST",
    path: str = "/v1/events",
    nonce: str | None = None,
) -> dict[str, str]:
    """The headers of a request signed as `source` would (v2: method, path, timestamp, nonce, body)."""
    timestamp = int(time.time() if at is None else at)
    return {
        "Content-Type": "application/json",
        **request_headers(
            source,
            secret,
            method=method,
            target=path,
            body=body,
            timestamp=timestamp,
            nonce=nonce,
        ),
    }


_LAST_STAMP = [0]


def fresh_timestamp() -> int:
    """A timestamp inside the tolerance that no earlier call returned (unless it wrapped around)."""
    now = int(time.time())
    stamp = _LAST_STAMP[0] + 1
    if not now - 250 <= stamp <= now + 250:
        stamp = now - 250
    _LAST_STAMP[0] = stamp
    return stamp


def post(
    client: TestClient, path: str, document: Any, *, source: str = SOURCE, secret: str = SECRET
) -> Any:
    """POST `document` signed; each call is signed at a different second, so resending is no replay."""
    body = json.dumps(document).encode()
    headers = signed(body, source=source, secret=secret, at=fresh_timestamp(), path=path)
    return client.post(path, content=body, headers=headers)


def get(client: TestClient, path: str) -> Any:
    return client.get(path, headers=signed(b"", method="GET", path=path))


@contextmanager
def api(engine: Engine, settings: ServiceSettings = SETTINGS) -> Iterator[TestClient]:
    """A TestClient over the app on `engine` (seeded), lifespan included."""
    from fastapi.testclient import TestClient

    from scoring.api import create_app

    app = create_app(settings, engine=engine, pipeline=default_pipeline(settings, engine))
    with TestClient(app, raise_server_exceptions=True) as client:
        yield client


def engine_of(client: TestClient) -> Engine:
    """The engine behind a TestClient's app."""
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    return engine


def sample_payload(n: int = 1, *, rep_email: str = "ada@sales.example") -> HandoffPayload:
    """A complete, valid handoff payload for lead `n` (no database needed)."""
    return HandoffPayload.model_validate(
        {
            "idempotency_key": f"mql-{n}-{n}",
            "qualified_at": NOW,
            "lead": {
                "id": n,
                "external_id": f"web:{n}/x",
                "email": f"lead{n}@acme.example",
                "first_name": "Pat",
                "last_name": "Doe",
                "job_title": "VP Marketing",
                "country": "US",
                "lead_source": "webinar",
            },
            "account": {"id": 7, "name": "Acme", "domain": "acme.example", "employees": 500},
            "score": {
                "score": 80.5,
                "threshold": 60,
                "rulebook_version": "2026.11.1",
                "explanation": [{"rule": "demo_request", "points": 30}],
            },
            "recent_engagement": [{"kind": "demo_request", "occurred_at": NOW}],
            "campaign": {"code": "webinar-q4", "name": "Q4 webinar", "channel": "webinar"},
            "assigned_rep": {
                "id": 1,
                "email": rep_email,
                "name": "Ada",
                "team": "Mid-Market",
                "rule": "territory:na_mid_market",
                "reason": "round robin",
            },
        }
    )


def mqls(engine: Engine, count: int, *, batch: int = 250) -> float:
    """`count` hot leads made MQLs through the real pipeline (outbox rows included); returns seconds."""
    started = time.perf_counter()
    moment = NOW - timedelta(hours=1)
    with engine.begin() as connection:
        connection.execute(
            insert(Rep),
            [
                {
                    "email": f"rep{i}@sales.example",
                    "name": f"Rep {i}",
                    "team": "Mid-Market",
                    "territory": "NA-MM",
                    "weekly_capacity": 100_000,
                    "active": True,
                }
                for i in range(3)
            ],
        )
        campaign = connection.execute(
            insert(Campaign)
            .values(code="fault-test", name="Fault test", channel="webinar")
            .returning(Campaign.id)
        ).scalar_one()
        accounts = (
            connection.execute(
                insert(Account).returning(Account.id, sort_by_parameter_order=True),
                [
                    {
                        "name": f"Acct {i}",
                        "domain": f"a{i}.example",
                        "industry": "Software",
                        "employees": 500,
                        "country": "US",
                        "region": "NA",
                    }
                    for i in range(count)
                ],
            )
            .scalars()
            .all()
        )
        contacts = (
            connection.execute(
                insert(Contact).returning(Contact.id, sort_by_parameter_order=True),
                [
                    {
                        "external_id": f"hot-{i}",
                        "email": f"pat{i}@a{i}.example",
                        "first_name": "Pat",
                        "last_name": f"Doe{i}",
                        "job_title": "Marketing Director",
                        "seniority": "director",
                        "department": "Marketing",
                        "country": "US",
                        "account_id": account,
                        "original_campaign_id": campaign,
                        "lifecycle_stage": "lead",
                        "do_not_contact": False,
                        "created_at": moment,
                        "updated_at": moment,
                    }
                    for i, account in enumerate(accounts)
                ],
            )
            .scalars()
            .all()
        )
        connection.execute(
            insert(Touch),
            [
                {"contact_id": c, "campaign_id": campaign, "kind": kind, "occurred_at": moment}
                for c in contacts
                for kind in ("demo_request", "meeting_booked")
            ],
        )
    pipeline = default_pipeline(SETTINGS, engine)
    with engine.begin() as connection:
        sync_reasons(connection, pipeline.vocabulary)
    for start in range(0, count, batch):
        with Session(engine) as session, session.begin():
            rescore(session, pipeline, contacts[start : start + batch], NOW, "test")
    return time.perf_counter() - started


def queue_handoffs(engine: Engine, count: int) -> float:
    """`count` MQL contacts, each with its complete handoff in the outbox (as `qualify` leaves them).

    Much faster than `mqls` (no scoring or assignment), for tests about delivery. Returns seconds.
    """
    started = time.perf_counter()
    policy = SETTINGS.retry_policy()
    rows = [
        {
            "id": n,
            "external_id": f"q-{n}",
            "lifecycle_stage": "mql",
            "do_not_contact": False,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for n in range(1, count + 1)
    ]
    rep = {
        "id": 1,
        "email": "ada@sales.example",
        "name": "Ada",
        "team": "Mid-Market",
        "territory": "NA-MM",
        "weekly_capacity": 50,
        "active": True,
    }
    with Session(engine) as session, session.begin():
        session.execute(insert(Rep), [rep])  # the rep every sample payload is assigned to
        session.execute(insert(Contact), rows)
        for n in range(1, count + 1):
            enqueue(session, sample_payload(n), now=NOW, policy=policy)
    return time.perf_counter() - started


def hubspot_webhook(client: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST `events` to /v1/hubspot/webhooks signed as HubSpot signs (v3, a fresh timestamp each
    call: a resend, not a replay); the per-event results of a 200 answer."""
    body = json.dumps(events).encode()
    stamp = fresh_timestamp() * 1000
    uri = "http://testserver/v1/hubspot/webhooks"
    headers = {
        "Content-Type": "application/json",
        "X-HubSpot-Request-Timestamp": str(stamp),
        "X-HubSpot-Signature-v3": hubspot_sign(HUBSPOT_SECRET, "POST", uri, body, stamp),
    }
    response = client.post("/v1/hubspot/webhooks", content=body, headers=headers)
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results
