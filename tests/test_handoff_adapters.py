"""CRM adapters against local servers on 127.0.0.1 that answer like the real APIs and fail on demand."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from crm_servers import Fault, HubSpotFake, SalesforceFake, Server, WebhookReceiver
from handoff_world import sample_payload

from scoring.errors import ConfigError, HandoffFailed
from scoring.handoff.adapters.base import make_adapter
from scoring.handoff.adapters.http import retry_after
from scoring.handoff.adapters.webhook import WebhookAdapter

TIMEOUT = 0.3


@pytest.fixture
def receiver() -> Iterator[Server]:
    with Server(WebhookReceiver()) as server:
        yield server


@pytest.fixture
def webhook(receiver: Server) -> Iterator[WebhookAdapter]:
    options = {
        "webhook_url": f"{receiver.url}/hooks/handoff",
        "webhook_secret": "receiver-secret",
        "timeout": TIMEOUT,
    }
    adapter = make_adapter("webhook", options)
    yield adapter  # type: ignore[misc]
    adapter.close()


def test_webhook_delivery_is_signed_and_accepted_once_per_key(
    webhook: WebhookAdapter, receiver: Server
) -> None:
    crm = receiver.crm
    assert isinstance(crm, WebhookReceiver)
    assert webhook.deliver(sample_payload(1)) == "r-1"
    assert webhook.deliver(sample_payload(1)) == "r-1"
    assert list(crm.accepted) == ["mql-1-1"]
    assert crm.duplicates["mql-1-1"] == 1


FAULTS = {
    # case: (fault, status seen, retryable, retry_after seen)
    "503 with Retry-After seconds": (Fault(503, retry_after="7"), 503, True, 7.0),
    "429 with Retry-After": (Fault(429, retry_after="2"), 429, True, 2.0),
    "500": (Fault(500), 500, True, None),
    "502": (Fault(502), 502, True, None),
    "400 is final": (Fault(400), 400, False, None),
    "timeout": (Fault(delay_s=TIMEOUT * 3), None, True, None),
}


@pytest.mark.parametrize("case", list(FAULTS))
def test_webhook_failures_say_whether_and_when_to_retry(
    webhook: WebhookAdapter, receiver: Server, case: str
) -> None:
    fault, status, retryable, wait = FAULTS[case]
    receiver.crm.fail(fault)
    with pytest.raises(HandoffFailed) as failed:
        webhook.deliver(sample_payload(2))
    assert (failed.value.status, failed.value.retryable, failed.value.retry_after) == (
        status,
        retryable,
        wait,
    )
    assert failed.value.lead_id == 2
    assert webhook.deliver(sample_payload(2)) == "r-1"  # the next attempt goes through


def test_a_receiver_that_is_down_is_a_retryable_transport_error(
    webhook: WebhookAdapter, receiver: Server
) -> None:
    receiver.stop()
    with pytest.raises(HandoffFailed) as failed:
        webhook.deliver(sample_payload(3))
    assert (failed.value.status, failed.value.retryable) == (None, True)
    receiver.start()
    assert webhook.deliver(sample_payload(3)) == "r-1"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = time.time()
    assert retry_after("120") == 120.0
    assert retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == pytest.approx(
        30, abs=1
    )
    assert retry_after("soon") is None
    assert retry_after(None) is None


def test_webhook_through_an_injected_transport() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503, headers={"Retry-After": "4"}, text="busy")

    client = httpx.Client(transport=httpx.MockTransport(handler))
    adapter = WebhookAdapter(
        "https://crm.example/hook", "s", client=client, clock=lambda: 1_700_000_000
    )
    with pytest.raises(HandoffFailed) as failed:
        adapter.deliver(sample_payload(4))
    assert failed.value.retry_after == 4.0
    assert seen[0].headers["Idempotency-Key"] == "mql-4-4"
    assert seen[0].headers["X-Smarketing-Timestamp"] == "1700000000"
    assert json.loads(seen[0].content)["lead"]["id"] == 4


# ---- HubSpot -----------------------------------------------------------------------------------


@pytest.fixture
def hubspot() -> Iterator[tuple[Server, HubSpotFake]]:
    crm = HubSpotFake(owners={"ada@sales.example": "501"})
    with Server(crm) as server:
        yield server, crm


def test_hubspot_upserts_the_contact_by_email_with_owner_and_stage(
    hubspot: tuple[Server, HubSpotFake],
) -> None:
    server, crm = hubspot
    adapter = make_adapter(
        "hubspot", {"hubspot_token": "hs-token", "hubspot_base_url": server.url, "timeout": TIMEOUT}
    )
    first = adapter.deliver(sample_payload(5))
    again = adapter.deliver(sample_payload(5))
    assert first == again
    contact = crm.contacts["lead5@acme.example"]
    assert contact["hubspot_owner_id"] == "501"
    assert contact["lifecyclestage"] == "marketingqualifiedlead"
    assert contact["company"] == "Acme"
    assert contact["smarketing_handoff_key"] == "mql-5-5"
    assert (
        crm.requests.count(("GET", "/crm/v3/owners?email=ada%40sales.example&limit=1")) == 1
    )  # cached


def test_hubspot_failures(hubspot: tuple[Server, HubSpotFake]) -> None:
    server, crm = hubspot
    options = {"hubspot_base_url": server.url, "timeout": TIMEOUT}
    adapter = make_adapter("hubspot", {**options, "hubspot_token": "hs-token"})
    crm.fail(Fault(429, retry_after="1"))
    with pytest.raises(HandoffFailed) as limited:
        adapter.deliver(sample_payload(6))
    assert (limited.value.status, limited.value.retry_after, limited.value.retryable) == (
        429,
        1.0,
        True,
    )
    with pytest.raises(HandoffFailed) as no_owner:
        adapter.deliver(sample_payload(6, rep_email="ghost@sales.example"))
    assert not no_owner.value.retryable
    with pytest.raises(HandoffFailed) as denied:
        make_adapter("hubspot", {**options, "hubspot_token": "stolen"}).deliver(sample_payload(6))
    assert (denied.value.status, denied.value.retryable) == (401, False)


# ---- Salesforce --------------------------------------------------------------------------------


@pytest.fixture
def salesforce() -> Iterator[tuple[Server, SalesforceFake]]:
    crm = SalesforceFake(users={"ada@sales.example": "005000000000001"})
    with Server(crm) as server:
        yield server, crm


def test_salesforce_upserts_the_lead_by_external_id(
    salesforce: tuple[Server, SalesforceFake],
) -> None:
    server, crm = salesforce
    options = {
        "salesforce_instance_url": server.url,
        "salesforce_token": "sf-token",
        "timeout": TIMEOUT,
    }
    adapter = make_adapter("salesforce", options)
    first, again = adapter.deliver(sample_payload(7)), adapter.deliver(sample_payload(7))
    assert first == again == "00Q000000000000"
    lead = crm.leads["web:7/x"]
    assert (lead["OwnerId"], lead["Company"], lead["LastName"]) == (
        "005000000000001",
        "Acme",
        "Doe",
    )
    assert (
        "PATCH",
        "/services/data/v60.0/sobjects/Lead/Smarketing_Id__c/web%3A7%2Fx",
    ) in crm.requests


def test_salesforce_failures(salesforce: tuple[Server, SalesforceFake]) -> None:
    server, crm = salesforce
    options = {
        "salesforce_instance_url": server.url,
        "salesforce_token": "sf-token",
        "timeout": TIMEOUT,
    }
    adapter = make_adapter("salesforce", options)
    crm.fail(Fault(503, retry_after="3"))
    with pytest.raises(HandoffFailed) as unavailable:
        adapter.deliver(sample_payload(8))
    assert (
        unavailable.value.status,
        unavailable.value.retryable,
        unavailable.value.retry_after,
    ) == (503, True, 3.0)
    crm.fail(Fault(delay_s=TIMEOUT * 3))
    with pytest.raises(HandoffFailed) as slow:
        adapter.deliver(sample_payload(8))
    assert slow.value.status is None and slow.value.retryable
    with pytest.raises(HandoffFailed) as no_user:
        adapter.deliver(sample_payload(8, rep_email="ghost@sales.example"))
    assert not no_user.value.retryable


def test_adapters_are_built_by_name_and_name_their_missing_options() -> None:
    with pytest.raises(ConfigError, match="unknown CRM adapter 'pipedrive'"):
        make_adapter("pipedrive", {})
    with pytest.raises(ConfigError, match="needs salesforce_instance_url, salesforce_token"):
        make_adapter("salesforce", {})
