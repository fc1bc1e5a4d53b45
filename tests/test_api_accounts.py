"""GET /v1/accounts/{account_id}: the roll-up of an account's contacts, behind the `leads:read` scope."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from handoff_world import SETTINGS, api, engine_of, hot, seed, signed
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.db import transaction
from scoring.db.models import Account, Contact
from scoring.handoff.settings import ServiceSettings
from scoring.signals import utcnow
from scoring.store.credentials import add_source

KEY = b"k" * 40


@pytest.fixture
def client(sqlite_engine: Engine) -> Iterator[TestClient]:
    seed(sqlite_engine)
    settings = ServiceSettings(**{**SETTINGS.__dict__, "secret_key": KEY, "source_secrets": {}})
    with api(sqlite_engine, settings) as client:
        yield client


def add(client: TestClient, name: str, *scopes: str) -> str:
    with transaction(engine_of(client)) as session:
        return add_source(session, KEY, name, scopes, utcnow(), rate_per_minute=600)


def get(client: TestClient, path: str, source: str, secret: str) -> object:
    return client.get(
        path, headers=signed(b"", source=source, secret=secret, method="GET", path=path)
    )


@pytest.fixture
def account_id(client: TestClient) -> int:
    writer = add(client, "web", "events:write")
    body = json.dumps({"events": hot("acme")}).encode()
    sent = client.post(
        "/v1/events", content=body, headers=signed(body, source="web", secret=writer)
    )
    assert sent.status_code == 200, sent.text
    with Session(engine_of(client)) as session:
        found = session.scalar(select(Contact.account_id).where(Contact.account_id.is_not(None)))
        assert found is not None and session.get(Account, found) is not None
        return int(found)


def test_an_account_is_rolled_up_from_its_contacts(client: TestClient, account_id: int) -> None:
    reader = add(client, "reader", "leads:read")
    answer = get(client, f"/v1/accounts/{account_id}", "reader", reader)
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert view["account_id"] == account_id and view["contacts"] >= 1
    assert view["account_score"] >= (view["best_contact_score"] or 0)
    assert isinstance(view["roles_engaged"], list) and view["rulebook_version"]


def test_an_unknown_account_is_404(client: TestClient) -> None:
    reader = add(client, "reader", "leads:read")
    answer = get(client, "/v1/accounts/987654", "reader", reader)
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["field"] == "account_id"


def test_the_account_needs_the_leads_read_scope(client: TestClient, account_id: int) -> None:
    writer = add(client, "writer", "events:write")
    answer = get(client, f"/v1/accounts/{account_id}", "writer", writer)
    assert answer.status_code == 403
    assert "leads:read" in answer.json()["message"]
