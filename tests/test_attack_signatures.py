"""Replayed attacks on the API's signatures and credentials, each refused.

The holes were: signatures covered neither method nor path; GETs were not replay-protected (one
signed header set read many leads); a same-second re-send answered 401 "replayed" rather than
"duplicate"; every source could do everything. Sources here are created as `smarketing sources`
does (scoped, rotated, revoked, rate-limited); the fallback SMARKETING_SOURCE_SECRETS is covered by
tests/test_api_signatures.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from handoff_world import SETTINGS, api, engine_of, hot, lead, seed, signed
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.db import transaction
from scoring.db.models import ApiSecret, Contact, RequestNonce
from scoring.handoff.settings import ServiceSettings
from scoring.signals import utcnow
from scoring.signatures import NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER
from scoring.store.credentials import add_source, drop_previous, revoke, rotate

KEY = b"k" * 40


@pytest.fixture
def client(sqlite_engine: Engine) -> Iterator[TestClient]:
    seed(sqlite_engine)
    settings = ServiceSettings(**{**SETTINGS.__dict__, "secret_key": KEY, "source_secrets": {}})
    with api(sqlite_engine, settings) as client:
        yield client


def add(client: TestClient, name: str, *scopes: str, rate: int = 600) -> str:
    with transaction(engine_of(client)) as session:
        return add_source(session, KEY, name, scopes, utcnow(), rate_per_minute=rate)


def post(client: TestClient, path: str, document: object, source: str, secret: str) -> object:
    body = json.dumps(document).encode()
    return client.post(
        path, content=body, headers=signed(body, source=source, secret=secret, path=path)
    )


def contacts(client: TestClient) -> int:
    with Session(engine_of(client)) as session:
        return int(session.scalar(select(func.count()).select_from(Contact)) or 0)


def test_a_signed_post_cannot_be_sent_to_another_path_or_with_another_method(
    client: TestClient,
) -> None:
    secret = add(client, "web", "events:write", "feedback:write", "leads:read")
    body = json.dumps({"events": [lead("e-1", "a")]}).encode()
    headers = signed(body, source="web", secret=secret, path="/v1/events")
    moved = client.post("/v1/feedback", content=body, headers=headers)
    assert moved.status_code == 401
    assert moved.json()["errors"][0]["field"] == SIGNATURE_HEADER
    query = client.post("/v1/events?x=1", content=body, headers=headers)
    assert query.status_code == 401
    as_get = signed(b"", source="web", secret=secret, method="POST", path="/v1/leads/1")
    assert client.get("/v1/leads/1", headers=as_get).status_code == 401
    assert contacts(client) == 0
    assert client.post("/v1/events", content=body, headers=headers).status_code == 200


def test_one_signed_get_reads_one_lead_once(client: TestClient) -> None:
    secret = add(client, "reader", "events:write", "leads:read")
    post(client, "/v1/events", {"events": [*hot("acme"), lead("e-b", "b")]}, "reader", secret)
    headers = signed(b"", source="reader", secret=secret, method="GET", path="/v1/leads/1")
    first = client.get("/v1/leads/1", headers=headers)
    assert first.status_code == 200, first.text
    other = client.get("/v1/leads/2", headers=headers)  # the same headers for another lead
    assert other.status_code == 401
    again = client.get("/v1/leads/1", headers=headers)  # the same request again
    assert again.status_code == 409
    assert again.json()["error"] == "duplicate"
    assert "email" not in again.text and "acme" not in again.text


def test_a_same_second_resend_is_a_duplicate_not_a_401(client: TestClient) -> None:
    secret = add(client, "web", "events:write")
    body = json.dumps({"events": [lead("e-1", "a")]}).encode()
    headers = signed(body, source="web", secret=secret)
    assert client.post("/v1/events", content=body, headers=headers).status_code == 200
    resent = client.post("/v1/events", content=body, headers=headers)
    assert resent.status_code == 409
    assert resent.json()["error"] == "duplicate"
    assert resent.headers["content-type"] == "application/problem+json"
    signed_anew = client.post(
        "/v1/events", content=body, headers=signed(body, source="web", secret=secret)
    )
    assert signed_anew.status_code == 200
    assert signed_anew.json()["duplicates"] == 1
    assert contacts(client) == 1


def test_timestamps_outside_300_s_either_way_are_refused_and_290_s_ahead_is_kept_in_the_store(
    client: TestClient,
) -> None:
    secret = add(client, "web", "events:write")
    body = json.dumps({"events": [lead("e-1", "a")]}).encode()
    # Timestamps are whole seconds and the server reads its clock a little later than the test:
    # 5 s past the tolerance either way is outside it whatever the rounding and the delay.
    for skew in (-305, 305):
        headers = signed(body, source="web", secret=secret, at=time.time() + skew)
        refused = client.post("/v1/events", content=body, headers=headers)
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["field"] == TIMESTAMP_HEADER
    ahead = signed(body, source="web", secret=secret, at=time.time() + 290)
    assert client.post("/v1/events", content=body, headers=ahead).status_code == 200
    with Session(engine_of(client)) as session:  # the nonce outlives the request's validity
        kept = session.scalar(select(func.count()).select_from(RequestNonce))
    assert kept == 1
    assert client.post("/v1/events", content=body, headers=ahead).status_code == 409


def test_a_nonce_is_required_on_every_signed_request(client: TestClient) -> None:
    secret = add(client, "reader", "leads:read")
    headers = signed(b"", source="reader", secret=secret, method="GET", path="/v1/leads/1")
    del headers[NONCE_HEADER]
    answer = client.get("/v1/leads/1", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["field"] == NONCE_HEADER


def test_each_route_needs_its_scope(client: TestClient) -> None:
    writer = add(client, "web", "events:write")
    assert post(client, "/v1/events", {"events": hot("acme")}, "web", writer).status_code == 200
    lookup = client.get(
        "/v1/leads/1",
        headers=signed(b"", source="web", secret=writer, method="GET", path="/v1/leads/1"),
    )
    assert lookup.status_code == 403
    assert "leads:read" in lookup.json()["message"]
    feedback = {"event_id": "f-1", "lead_id": 1, "outcome": "accepted"}
    assert post(client, "/v1/feedback", feedback, "web", writer).status_code == 403
    crm = add(client, "crm2", "feedback:write")
    assert (
        post(client, "/v1/events", {"events": [lead("e-9", "z")]}, "crm2", crm).status_code == 403
    )
    assert contacts(client) == 1


def test_two_secrets_are_active_during_a_rotation_and_a_revoked_source_is_refused(
    client: TestClient,
) -> None:
    first = add(client, "web", "events:write")
    with transaction(engine_of(client)) as session:
        second = rotate(session, KEY, "web", utcnow())
    document = {"events": [lead("e-1", "a")]}
    assert post(client, "/v1/events", document, "web", first).status_code == 200
    assert post(client, "/v1/events", document, "web", second).status_code == 200
    with transaction(engine_of(client)) as session:
        drop_previous(session, "web")
    assert post(client, "/v1/events", document, "web", first).status_code == 401
    assert post(client, "/v1/events", document, "web", second).status_code == 200
    with transaction(engine_of(client)) as session:
        revoke(session, "web", utcnow())
        assert session.scalar(select(func.count()).select_from(ApiSecret)) == 0
    revoked = post(client, "/v1/events", document, "web", second)
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["message"]


def test_the_database_holds_no_secret(client: TestClient) -> None:
    secret = add(client, "web", "events:write")
    with Session(engine_of(client)) as session:
        stored = [
            tuple(row) for row in session.execute(select(ApiSecret.salt, ApiSecret.fingerprint))
        ]
    assert stored and all(secret not in value for row in stored for value in row)


def test_a_source_over_its_rate_limit_gets_429_with_retry_after(client: TestClient) -> None:
    secret = add(client, "web", "events:write", rate=3)
    answers = [
        post(client, "/v1/events", {"events": [lead(f"e-{n}", f"l{n}")]}, "web", secret)
        for n in range(5)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    limited = answers[-1]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.json()["error"] == "rate_limited"
    assert contacts(client) == 3
