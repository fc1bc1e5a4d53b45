"""Signed requests: unsigned, wrongly signed, stale and replayed requests are refused, nothing changes;
a request signed with HubSpot's documented v3 algorithm is accepted."""
# The attacks on the signature scheme itself (method, path, GET replays, future timestamps) are
# replayed in tests/test_attack_signatures.py.

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from handoff_world import (
    CRM_SECRET,
    HUBSPOT_SECRET,
    SECRET,
    SETTINGS,
    SOURCE,
    api,
    engine_of,
    lead,
    seed,
    signed,
)
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.db.models import Contact, Signal
from scoring.errors import InvalidWebhook
from scoring.handoff.settings import ServiceSettings
from scoring.signatures import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    SOURCE_HEADER,
    TIMESTAMP_HEADER,
    hubspot_verify,
    sign,
    sign_request,
    verify,
)

PUBLIC_URL = "https://hooks.smarketing.example"
HUBSPOT_PATH = "/v1/hubspot/webhooks"


@pytest.fixture
def client(sqlite_engine: Engine) -> Iterator[TestClient]:
    seed(sqlite_engine)
    settings = ServiceSettings(**{**SETTINGS.__dict__, "public_url": PUBLIC_URL})
    with api(sqlite_engine, settings) as client:
        yield client


def _body(event_id: str = "evt-1") -> bytes:
    return json.dumps({"events": [lead(event_id, "sig")]}).encode()


def _without(header: str) -> Callable[[bytes], dict[str, str]]:
    return lambda body: {k: v for k, v in signed(body).items() if k != header}


REFUSED: dict[str, tuple[Callable[[bytes], dict[str, str]], str, str]] = {
    # case: (headers for the body, header named in the error, words of the reason)
    "unsigned": (_without(SIGNATURE_HEADER), SIGNATURE_HEADER, "missing signature"),
    "no timestamp": (_without(TIMESTAMP_HEADER), TIMESTAMP_HEADER, "missing timestamp"),
    "no source": (_without(SOURCE_HEADER), SOURCE_HEADER, "missing source"),
    "no nonce": (_without(NONCE_HEADER), NONCE_HEADER, "missing nonce"),
    "nonce with a space": (
        lambda b: signed(b, nonce="a b"),
        NONCE_HEADER,
        "a nonce is",
    ),
    "unknown source": (lambda b: signed(b, source="intruder"), SOURCE_HEADER, "unknown source"),
    "wrong secret": (lambda b: signed(b, secret="guess"), SIGNATURE_HEADER, "does not match"),
    "other source's secret": (
        lambda b: signed(b, secret=CRM_SECRET),
        SIGNATURE_HEADER,
        "does not match",
    ),
    "body changed after signing": (lambda b: signed(b + b" "), SIGNATURE_HEADER, "does not match"),
    "stale (301 s)": (lambda b: signed(b, at=time.time() - 301), TIMESTAMP_HEADER, "old"),
    "from the future (301 s)": (
        lambda b: signed(b, at=time.time() + 301),
        TIMESTAMP_HEADER,
        "future",
    ),
    "timestamp not a number": (
        lambda b: {**signed(b), TIMESTAMP_HEADER: "yesterday"},
        TIMESTAMP_HEADER,
        "not an integer",
    ),
}


def _contacts(client: TestClient) -> int:
    with Session(engine_of(client)) as session:
        return int(session.scalar(select(func.count()).select_from(Contact)) or 0)


@pytest.mark.parametrize("case", list(REFUSED))
def test_badly_signed_event_requests_are_refused_and_change_nothing(
    client: TestClient, case: str
) -> None:
    headers, header, words = REFUSED[case]
    body = _body()
    response = client.post("/v1/events", content=body, headers=headers(body))
    assert response.status_code == 401, response.text
    error = response.json()["errors"][0]
    assert error["field"] == header
    assert words in error["message"]
    assert _contacts(client) == 0


def test_a_correctly_signed_request_is_accepted_once_and_its_replay_is_a_duplicate(
    client: TestClient,
) -> None:
    body = _body()
    headers = signed(body)
    first = client.post("/v1/events", content=body, headers=headers)
    replay = client.post("/v1/events", content=body, headers=headers)
    assert first.status_code == 200, first.text
    assert replay.status_code == 409
    assert replay.json()["error"] == "duplicate"
    assert replay.json()["errors"][0]["field"] == NONCE_HEADER
    with Session(engine_of(client)) as session:
        inbound = session.scalar(select(func.count()).where(Signal.kind == "inbound_event"))
    assert inbound == 1


def test_a_resent_event_id_signed_anew_has_no_second_effect(client: TestClient) -> None:
    body = _body()
    first = client.post("/v1/events", content=body, headers=signed(body, at=time.time() - 1))
    again = client.post("/v1/events", content=body, headers=signed(body))
    assert first.json()["accepted"] == 1
    assert again.status_code == 200
    assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 1)
    assert _contacts(client) == 1


def test_lead_lookup_needs_a_signature_too(client: TestClient) -> None:
    assert client.get("/v1/leads/1").status_code == 401
    get_signed = signed(b"", method="GET", path="/v1/leads/1")
    assert client.get("/v1/leads/1", headers=get_signed).status_code == 404


# ---- HubSpot v3 --------------------------------------------------------------------------------


def documented_v3(secret: str, method: str, uri: str, body: bytes, timestamp_ms: int) -> str:
    """HubSpot's v3 algorithm written out from its guide, independently of scoring.signatures."""
    source = f"{method}{uri}{body.decode()}{timestamp_ms}".encode()
    return base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest()).decode()


def _hubspot(
    body: bytes, *, secret: str = HUBSPOT_SECRET, age_s: float = 0.0, uri: str = ""
) -> dict[str, str]:
    timestamp_ms = int((time.time() - age_s) * 1000)
    signature = documented_v3(secret, "POST", uri or PUBLIC_URL + HUBSPOT_PATH, body, timestamp_ms)
    return {
        "Content-Type": "application/json",
        "X-HubSpot-Signature-v3": signature,
        "X-HubSpot-Request-Timestamp": str(timestamp_ms),
    }


HUBSPOT_EVENTS = [
    {
        "eventId": 100,
        "subscriptionId": 7,
        "portalId": 62515,
        "appId": 54321,
        "occurredAt": int(time.time() * 1000),
        "subscriptionType": "contact.propertyChange",
        "attemptNumber": 0,
        "objectId": 123,
        "propertyName": "lifecyclestage",
        "propertyValue": "salesqualifiedlead",
        "changeSource": "CRM",
    }
]


def test_a_request_signed_with_hubspots_v3_algorithm_is_accepted(client: TestClient) -> None:
    body = json.dumps(HUBSPOT_EVENTS).encode()
    response = client.post(HUBSPOT_PATH, content=body, headers=_hubspot(body))
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "ignored"  # contact 123 is not ours


HUBSPOT_REFUSED = {
    "wrong secret": ({"secret": "not-the-secret"}, "X-HubSpot-Signature-v3"),
    "stale (> 5 minutes)": ({"age_s": 301.0}, "X-HubSpot-Request-Timestamp"),
    "signed for another URI": (
        {"uri": "https://evil.example/v1/hubspot/webhooks"},
        "X-HubSpot-Signature-v3",
    ),
}


@pytest.mark.parametrize("case", list(HUBSPOT_REFUSED))
def test_hubspot_requests_with_a_bad_signature_are_refused(client: TestClient, case: str) -> None:
    options, header = HUBSPOT_REFUSED[case]
    body = json.dumps(HUBSPOT_EVENTS).encode()
    response = client.post(HUBSPOT_PATH, content=body, headers=_hubspot(body, **options))  # type: ignore[arg-type]
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == header


def test_an_unsigned_or_replayed_hubspot_request_is_refused(client: TestClient) -> None:
    body = json.dumps(HUBSPOT_EVENTS).encode()
    assert (
        client.post(
            HUBSPOT_PATH, content=body, headers={"Content-Type": "application/json"}
        ).status_code
        == 401
    )
    headers = _hubspot(body)
    assert client.post(HUBSPOT_PATH, content=body, headers=headers).status_code == 200
    replay = client.post(HUBSPOT_PATH, content=body, headers=headers)
    assert replay.status_code == 409
    assert "duplicate" in replay.json()["errors"][0]["message"]


# ---- the functions themselves ------------------------------------------------------------------


def test_the_request_signature_is_hmac_sha256_over_method_path_timestamp_nonce_body() -> None:
    message = b"v2\n1700000000\nn-1\nGET\n/v1/leads/7?x=1\n"
    expected = hmac.new(b"k", message, hashlib.sha256).hexdigest()
    assert (
        sign_request("k", method="get", target="/v1/leads/7?x=1", timestamp=1700000000, nonce="n-1")
        == f"v2={expected}"
    )


def test_the_outbound_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign("k", 1700000000, b"{}") == f"v1={expected}"
    verify("k", b"{}", signature=f"v1={expected}", timestamp="1700000000", now=1700000299)
    with pytest.raises(InvalidWebhook, match="old"):
        verify("k", b"{}", signature=f"v1={expected}", timestamp="1700000000", now=1700000301)


def test_hubspot_uri_is_url_decoded_before_hashing() -> None:
    uri = "https://hooks.example/v1/hubspot/webhooks?portal=1%3A2"
    good = documented_v3(
        "s",
        "POST",
        "https://hooks.example/v1/hubspot/webhooks?portal=1:2",
        b"[]",
        1_700_000_000_000,
    )
    hubspot_verify(
        "s", "POST", uri, b"[]", signature=good, timestamp="1700000000000", now=1_700_000_000
    )


def test_settings_parse_per_source_secrets() -> None:
    settings = ServiceSettings.from_env(
        {"SMARKETING_SOURCE_SECRETS": f"{SOURCE}={SECRET}, crm = x=y"}
    )
    assert settings.source_secrets == {SOURCE: SECRET, "crm": "x=y"}
